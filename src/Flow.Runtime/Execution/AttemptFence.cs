namespace Flow.Execution;

/// <summary>
/// Decides, once, who writes the record of a task attempt that runs on a thread of this process: the attempt
/// itself when it finishes in time, or its launcher when the attempt's timeout passes first. A thread cannot be
/// stopped, so an abandoned attempt runs on; the fence keeps it from writing anything once it was given up, and
/// so from overwriting the timeout's failure or a retry's record.
/// </summary>
internal sealed class AttemptFence
{
    private const int Running = 0;
    private const int Committed = 1;
    private const int Abandoned = 2;
    private readonly CancellationTokenSource _abandoned = new();
    private readonly Lock _writing = new();
    private int _state;

    /// <summary>Cancelled when the attempt is abandoned: a step that observes it can stop early.</summary>
    public CancellationToken Token => _abandoned.Token;

    /// <summary>Claims the task's record for the attempt; false if it was abandoned, and must write nothing.</summary>
    public bool TryCommit() => Interlocked.CompareExchange(ref _state, Committed, Running) == Running;

    /// <summary>Gives the attempt up (its timeout passed); false if it has already committed its record, which then stands.</summary>
    public bool TryAbandon()
    {
        if (Interlocked.CompareExchange(ref _state, Abandoned, Running) != Running)
        {
            return false;
        }

        // Cancelled first, so that a write of the attempt in progress (WriteUnlessAbandoned) stops; then waited for,
        // so that none lands after the launcher's record. A write that starts from now on sees the attempt abandoned.
        _abandoned.Cancel();
        lock (_writing)
        {
        }

        return true;
    }

    /// <summary>
    /// Runs <paramref name="write"/>, a write the attempt makes while it runs (a card it refreshes), unless the attempt
    /// was abandoned; abandoning waits for one in progress, so that nothing the attempt writes lands after the record
    /// of its end that its launcher then stores (and the cards it then marks as ended).
    /// </summary>
    public void WriteUnlessAbandoned(Action write)
    {
        lock (_writing)
        {
            if (Volatile.Read(ref _state) != Abandoned)
            {
                write();
            }
        }
    }
}
