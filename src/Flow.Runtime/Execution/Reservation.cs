namespace Flow.Execution;

/// <summary>The resources a running task holds, and whether it holds the process to itself.</summary>
internal sealed record Reservation(int Cpus, long MemoryMb, IReadOnlyList<int> Gpus, bool Alone)
{
    /// <summary>What a task that runs elsewhere (on a cluster) holds here: nothing.</summary>
    public static readonly Reservation Elsewhere = new(0, 0, [], false);
}
