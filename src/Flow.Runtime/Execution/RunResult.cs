using Flow.Serialization;

namespace Flow.Execution;

/// <summary>How a run ended.</summary>
public sealed class RunResult
{
    private readonly Lazy<IReadOnlyDictionary<string, ArtifactValue>> _endArtifacts;

    internal RunResult(string runId, StepError? error, string? failedTask, Func<IReadOnlyDictionary<string, ArtifactValue>> endArtifacts, int tasks, int cloned)
    {
        RunId = runId;
        Error = error;
        FailedTask = failedTask;
        // Not cached when reading fails: asking again reads again.
        _endArtifacts = new Lazy<IReadOnlyDictionary<string, ArtifactValue>>(endArtifacts, LazyThreadSafetyMode.PublicationOnly);
        TaskCount = tasks;
        ClonedCount = cloned;
    }

    /// <summary>The run's id.</summary>
    public string RunId { get; }

    /// <summary>Whether every task succeeded and the end step ran.</summary>
    public bool Succeeded => Error is null;

    /// <summary>The error of the first task that failed.</summary>
    public StepError? Error { get; }

    /// <summary>The path (<c>RUN/STEP/TASK</c>) of the first task that failed.</summary>
    public string? FailedTask { get; }

    /// <summary>The number of tasks of the run, cloned ones included.</summary>
    public int TaskCount { get; }

    /// <summary>The number of tasks that resume cloned from the origin run.</summary>
    public int ClonedCount { get; }

    /// <summary>The number of tasks of [Cache] steps cloned from an earlier run's task with the same cache key.</summary>
    public int CachedCount { get; init; }

    /// <summary>The artifacts of the end step's task (empty for a failed run), read from the datastore when first asked for.</summary>
    public IReadOnlyDictionary<string, ArtifactValue> EndArtifacts => _endArtifacts.Value;

    /// <summary>Reads an artifact of the end step's task.</summary>
    public T Artifact<T>(string name) =>
        EndArtifacts.TryGetValue(name, out var value)
            ? FlowSerializer.Deserialize<T>(value, $"artifact {name} of run {RunId}")
            : throw new FlowException($"Run {RunId} has no artifact '{name}' at its end step.");
}
