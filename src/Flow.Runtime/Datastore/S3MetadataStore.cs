namespace Flow.Datastore;

/// <summary>
/// The metadata store in S3, at the <see cref="DatastoreLayout"/> keys under the prefix, as the local store lays
/// out its files. Runs and tasks are found by listing their folder's prefix.
/// </summary>
public sealed class S3MetadataStore : IMetadataStore, ITaskRecordVersions
{
    private readonly S3Objects _objects;

    internal S3MetadataStore(S3Objects objects) => _objects = objects;

    /// <inheritdoc />
    public async Task CreateRunAsync(RunRecord run, CancellationToken cancellationToken = default)
    {
        if (await _objects.ExistsAsync(DatastoreLayout.RunFile(run.Flow, run.RunId), cancellationToken).ConfigureAwait(false))
        {
            throw new FlowException($"Run {run.Flow}/{run.RunId} exists already.");
        }

        await UpdateRunAsync(run, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task UpdateRunAsync(RunRecord run, CancellationToken cancellationToken = default) =>
        _objects.PutAsync(DatastoreLayout.RunFile(run.Flow, run.RunId), RecordJson.Serialize(run), null, cancellationToken);

    /// <inheritdoc />
    public async Task<RunRecord?> GetRunAsync(string flow, string runId, CancellationToken cancellationToken = default)
    {
        var bytes = await _objects.GetAsync(DatastoreLayout.RunFile(flow, runId), cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : RecordJson.Deserialize<RunRecord>(bytes, $"run {flow}/{runId}");
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<RunRecord>> ListRunsAsync(string flow, CancellationToken cancellationToken = default)
    {
        var runIds = (await _objects.ListAsync(DatastoreLayout.FlowFolder(flow), folders: true, cancellationToken).ConfigureAwait(false))
            .Where(Ids.IsValid)
            .ToList();
        var files = await _objects.GetManyAsync(runIds.Select(id => DatastoreLayout.RunFile(flow, id)).ToList(), cancellationToken).ConfigureAwait(false);
        return files.Select(bytes => RecordJson.Deserialize<RunRecord>(bytes, $"a run of {flow}")).ToList();
    }

    /// <inheritdoc />
    public Task PutTaskAsync(TaskRecord task, CancellationToken cancellationToken = default) =>
        _objects.PutAsync(DatastoreLayout.TaskFile(task.Flow, task.RunId, task.Step, task.TaskId), RecordJson.Serialize(task), null, cancellationToken);

    /// <inheritdoc />
    public async Task<TaskRecord?> GetTaskAsync(string flow, string runId, string step, long taskId, CancellationToken cancellationToken = default)
    {
        var bytes = await _objects.GetAsync(DatastoreLayout.TaskFile(flow, runId, step, taskId), cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : RecordJson.Deserialize<TaskRecord>(bytes, $"task {runId}/{step}/{taskId}");
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<TaskRecord>> ListTasksAsync(string flow, string runId, CancellationToken cancellationToken = default)
    {
        var folder = DatastoreLayout.TaskFolder(flow, runId);
        var names = (await _objects.ListAsync(folder, folders: false, cancellationToken).ConfigureAwait(false))
            .Where(name => name.EndsWith(".json", StringComparison.Ordinal))
            .ToList();
        var files = await _objects.GetManyAsync(names.Select(name => $"{folder}/{name}").ToList(), cancellationToken).ConfigureAwait(false);
        return files.Select(bytes => RecordJson.Deserialize<TaskRecord>(bytes, $"a task of run {flow}/{runId}")).ToList();
    }

    /// <inheritdoc />
    async Task<IReadOnlyList<TaskRecordVersion>> ITaskRecordVersions.ListTaskVersionsAsync(string flow, string runId, CancellationToken cancellationToken) =>
        (await _objects.ListVersionedAsync(DatastoreLayout.TaskFolder(flow, runId), cancellationToken).ConfigureAwait(false))
            .Select(o => DatastoreLayout.ParseTaskFile(o.Name) is var (step, task) ? new TaskRecordVersion(step, task, o.Version) : (TaskRecordVersion?)null)
            .OfType<TaskRecordVersion>()
            .ToList();

    /// <inheritdoc />
    public Task PutLogAsync(string flow, string runId, string step, long taskId, int attempt, string stream, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        _objects.PutAsync(DatastoreLayout.LogFile(flow, runId, step, taskId, attempt, stream), content, null, cancellationToken);

    /// <inheritdoc />
    public Task<byte[]?> GetLogAsync(string flow, string runId, string step, long taskId, int attempt, string stream, CancellationToken cancellationToken = default) =>
        _objects.GetAsync(DatastoreLayout.LogFile(flow, runId, step, taskId, attempt, stream), cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> ListFlowsAsync(CancellationToken cancellationToken = default) =>
        (await _objects.ListAsync("", folders: true, cancellationToken).ConfigureAwait(false))
            .Where(name => Ids.IsValid(name) && name != DatastoreLayout.BlobFolder)
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <inheritdoc />
    public Task PutCardAsync(string flow, string runId, string step, long taskId, int attempt, string id, ReadOnlyMemory<byte> html, CancellationToken cancellationToken = default) =>
        _objects.PutAsync(DatastoreLayout.CardFile(flow, runId, step, taskId, attempt, id), html, null, cancellationToken);

    /// <inheritdoc />
    public Task<byte[]?> GetCardAsync(string flow, string runId, string step, long taskId, int attempt, string id, CancellationToken cancellationToken = default) =>
        _objects.GetAsync(DatastoreLayout.CardFile(flow, runId, step, taskId, attempt, id), cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<Flow.Cards.CardInfo>> ListCardsAsync(string flow, string runId, CancellationToken cancellationToken = default) =>
        (await _objects.ListSizedAsync(DatastoreLayout.CardFolder(flow, runId), cancellationToken).ConfigureAwait(false))
            .Select(o => DatastoreLayout.ParseCardFile(o.Name, o.Size))
            .OfType<Flow.Cards.CardInfo>()
            .ToList();
}
