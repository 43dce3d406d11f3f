using System.Text.Json;
using System.Text.Json.Serialization;

namespace Flow.Datastore;

/// <summary>The state of a run or a task.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RunStatus>))]
public enum RunStatus
{
    /// <summary>Started and not finished (or its process died).</summary>
    Running,

    /// <summary>Finished successfully.</summary>
    Succeeded,

    /// <summary>Finished with a failure.</summary>
    Failed,
}

/// <summary>A stored artifact of a task: its blob and what it is.</summary>
/// <param name="Key">The blob's content hash.</param>
/// <param name="Type">The artifact's C# type.</param>
/// <param name="Size">The serialized size in bytes.</param>
public sealed record ArtifactRef(string Key, string Type, long Size)
{
    /// <summary>The serialized bytes of a small value, kept in the record instead of a blob of its own.</summary>
    public byte[]? Inline { get; init; }
}

/// <summary>The record of one run.</summary>
public sealed record RunRecord
{
    /// <summary>The flow's name.</summary>
    public required string Flow { get; init; }

    /// <summary>The run's id.</summary>
    public required string RunId { get; init; }

    /// <summary>Who started it.</summary>
    public required string User { get; init; }

    /// <summary>The run's status.</summary>
    public RunStatus Status { get; init; }

    /// <summary>User tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Tags Flow sets (user, runtime, flow version); they cannot be removed.</summary>
    public IReadOnlyList<string> SystemTags { get; init; } = [];

    /// <summary>The run's parameters.</summary>
    public IReadOnlyDictionary<string, ArtifactRef> Parameters { get; init; } = new Dictionary<string, ArtifactRef>();

    /// <summary>When it started.</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>When it finished, if it did.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>For a resumed run: the run it resumed.</summary>
    public string? OriginRunId { get; init; }

    /// <summary>For a resumed run: the steps it ran again from.</summary>
    public IReadOnlyList<string> ResumedSteps { get; init; } = [];

    /// <summary>The failed task, for a failed run.</summary>
    public string? FailedTask { get; init; }
}

/// <summary>The record of one task: where it sits in the run, how it ended, and its artifacts.</summary>
public sealed record TaskRecord
{
    /// <summary>The flow's name.</summary>
    public required string Flow { get; init; }

    /// <summary>The run's id.</summary>
    public required string RunId { get; init; }

    /// <summary>The step's name.</summary>
    public required string Step { get; init; }

    /// <summary>The task's id within the run.</summary>
    public required long TaskId { get; init; }

    /// <summary>
    /// The task's position in the graph, the same in every run of the flow: the step and the branch
    /// index taken at each enclosing split (<c>Column/1.0</c>), and for a loop's repetitions the iteration
    /// (<c>Train/0#3</c>). Resume matches tasks by it.
    /// </summary>
    public required string Position { get; init; }

    /// <summary>The task's status.</summary>
    public RunStatus Status { get; init; }

    /// <summary>The last attempt (0 for the first).</summary>
    public int Attempt { get; init; }

    /// <summary>For a task of a loop step: which pass through the loop it is (0 for the first, one more for each repetition).</summary>
    public int Iteration { get; init; }

    /// <summary>
    /// For a task of a loop step that takes a foreach item: the item, so that the next iteration (whose input is this
    /// task, not the foreach step) takes the same one.
    /// </summary>
    public ArtifactRef? Item { get; init; }

    /// <summary>The index of the innermost foreach element this task belongs to.</summary>
    public int Index { get; init; }

    /// <summary>The tasks whose artifacts this one started from (<c>RUN/STEP/TASK</c>).</summary>
    public IReadOnlyList<string> Inputs { get; init; } = [];

    /// <summary>The artifacts the task ended with.</summary>
    public IReadOnlyDictionary<string, ArtifactRef> Artifacts { get; init; } = new Dictionary<string, ArtifactRef>();

    /// <summary>The steps the task chose to go to.</summary>
    public IReadOnlyList<string> Next { get; init; } = [];

    /// <summary>For a foreach step: each element, in order (small ones held in the record itself).</summary>
    public IReadOnlyList<ArtifactRef>? ForeachElements { get; init; }

    /// <summary>The error of a failed (or caught) task.</summary>
    public StepError? Error { get; init; }

    /// <summary>When the task started.</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>When it finished.</summary>
    public DateTimeOffset FinishedAt { get; init; }

    /// <summary>For a task cloned by resume: the task it was cloned from.</summary>
    public string? ClonedFrom { get; init; }

    /// <summary>
    /// For a task of a <see cref="CacheAttribute"/> step: the cache key (SHA-256, hex) of its code and inputs, by which a
    /// later run finds it; a clone keeps its original's. Null for other steps and for runs with caching turned off.
    /// </summary>
    public string? CacheKey { get; init; }

    /// <summary>The task's path: <c>RUN/STEP/TASK</c>.</summary>
    [JsonIgnore]
    public string Pathspec => $"{RunId}/{Step}/{TaskId}";
}
