namespace Flow.Datastore;

/// <summary>Where runs, tasks and logs are recorded. Records are small JSON documents, each written whole.</summary>
public interface IMetadataStore
{
    /// <summary>Records a new run; fails when a run with that id exists.</summary>
    Task CreateRunAsync(RunRecord run, CancellationToken cancellationToken = default);

    /// <summary>Replaces the record of an existing run (status, end time, tags).</summary>
    Task UpdateRunAsync(RunRecord run, CancellationToken cancellationToken = default);

    /// <summary>The record of a run, or null.</summary>
    Task<RunRecord?> GetRunAsync(string flow, string runId, CancellationToken cancellationToken = default);

    /// <summary>Every run of a flow.</summary>
    Task<IReadOnlyList<RunRecord>> ListRunsAsync(string flow, CancellationToken cancellationToken = default);

    /// <summary>Records the final state of a task (its last attempt).</summary>
    Task PutTaskAsync(TaskRecord task, CancellationToken cancellationToken = default);

    /// <summary>The record of a task, or null.</summary>
    Task<TaskRecord?> GetTaskAsync(string flow, string runId, string step, long taskId, CancellationToken cancellationToken = default);

    /// <summary>Every recorded task of a run.</summary>
    Task<IReadOnlyList<TaskRecord>> ListTasksAsync(string flow, string runId, CancellationToken cancellationToken = default);

    /// <summary>Stores a task attempt's log (<c>stdout</c> or <c>stderr</c>).</summary>
    Task PutLogAsync(string flow, string runId, string step, long taskId, int attempt, string stream, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default);

    /// <summary>A task attempt's log, or null when it wrote nothing.</summary>
    Task<byte[]?> GetLogAsync(string flow, string runId, string step, long taskId, int attempt, string stream, CancellationToken cancellationToken = default);

    /// <summary>The names of the flows that have runs in the store, in ordinal order.</summary>
    Task<IReadOnlyList<string>> ListFlowsAsync(CancellationToken cancellationToken = default);

    /// <summary>Stores one card of a task attempt: a self-contained HTML file (see <see cref="DatastoreLayout.CardFile"/>).</summary>
    Task PutCardAsync(string flow, string runId, string step, long taskId, int attempt, string id, ReadOnlyMemory<byte> html, CancellationToken cancellationToken = default);

    /// <summary>One card of a task attempt, or null when there is none.</summary>
    Task<byte[]?> GetCardAsync(string flow, string runId, string step, long taskId, int attempt, string id, CancellationToken cancellationToken = default);

    /// <summary>Every card stored for a run's tasks: step, task, attempt, id and size.</summary>
    Task<IReadOnlyList<Flow.Cards.CardInfo>> ListCardsAsync(string flow, string runId, CancellationToken cancellationToken = default);
}
