namespace Flow.Execution;

/// <summary>
/// What one task is: everything the task entry (<c>step</c> command, worker) needs to run it, given the
/// datastore. Inputs are the parent tasks' paths; the task reads their records and artifacts itself.
/// </summary>
public sealed record TaskRequest
{
    /// <summary>The run's id.</summary>
    public required string RunId { get; init; }

    /// <summary>The step to run.</summary>
    public required string Step { get; init; }

    /// <summary>The task's id.</summary>
    public required long TaskId { get; init; }

    /// <summary>The attempt (0 for the first try).</summary>
    public int Attempt { get; init; }

    /// <summary>For a loop step: which pass through the loop (0 for the first); its input is the previous pass's task.</summary>
    public int Iteration { get; init; }

    /// <summary>The task's position in the graph (see <see cref="Datastore.TaskRecord.Position"/>).</summary>
    public required string Position { get; init; }

    /// <summary>The innermost foreach index.</summary>
    public int Index { get; init; }

    /// <summary>The parents' paths (<c>RUN/STEP/TASK</c>): one for a linear step, every branch for a join, none for Start.</summary>
    public IReadOnlyList<string> Inputs { get; init; } = [];

    /// <summary>For the child of a foreach: which element of the parent's foreach it runs.</summary>
    public int? ForeachIndex { get; init; }

    /// <summary>The branch index of each input within the split its join closes, in the order of <see cref="Inputs"/>.</summary>
    public IReadOnlyList<int> InputBranches { get; init; } = [];

    /// <summary>
    /// Set by the scheduler, which has seen every input succeed: a join then reads each input's record only when
    /// the step uses that input. Otherwise (the <c>step</c> command) every input is checked before the step starts.
    /// </summary>
    public bool InputsChecked { get; init; }

    /// <summary>Extra environment variables for the task (the step's [Environment], assigned GPUs).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Whether the task also stores the default card when its step has no <c>[Card]</c> (<c>run --with card</c>).</summary>
    public bool WithCard { get; init; }

    /// <summary>For a task of a cached step: its cache key, which its record keeps (see <see cref="Datastore.TaskRecord.CacheKey"/>).</summary>
    public string? CacheKey { get; init; }

    /// <summary>The task's path.</summary>
    public string Pathspec => $"{RunId}/{Step}/{TaskId}";

    /// <summary>The record of this attempt of the task, as it ended now: where it sits, and its status (the rest to add).</summary>
    internal Datastore.TaskRecord Record(string flow, Datastore.RunStatus status, DateTimeOffset started) => new()
    {
        Flow = flow,
        RunId = RunId,
        Step = Step,
        TaskId = TaskId,
        Position = Position,
        Status = status,
        Attempt = Attempt,
        Iteration = Iteration,
        Index = Index,
        Inputs = Inputs,
        CacheKey = CacheKey,
        StartedAt = started,
        FinishedAt = DateTimeOffset.UtcNow,
    };
}
