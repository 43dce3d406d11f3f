namespace Flow.Datastore;

/// <summary>The metadata store in a local folder: one JSON file per run and per task, logs beside them.</summary>
public sealed class LocalMetadataStore : IMetadataStore, ITaskRecordVersions
{
    private readonly string _root;
    private readonly TimeProvider _time;

    /// <summary>Stores records under <paramref name="root"/>/FLOW/RUN/; <paramref name="time"/> (default: the system clock) dates leftover temporary files.</summary>
    public LocalMetadataStore(string root, TimeProvider? time = null)
    {
        _root = Path.GetFullPath(root);
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The sweep of leftover temporary files that the last <see cref="CreateRunAsync"/> started; it never fails.</summary>
    internal Task Sweeping { get; private set; } = Task.CompletedTask;

    /// <inheritdoc />
    public async Task CreateRunAsync(RunRecord run, CancellationToken cancellationToken = default)
    {
        // The walk is off the run's critical path: leftovers wait a day anyway, and the run does not need them gone.
        Sweeping = StaleTempFiles.SweepIfDue(_root, _time);
        var folder = RunFolder(run.Flow, run.RunId);
        var exists = new FlowException($"Run {run.Flow}/{run.RunId} exists already.");
        if (Directory.Exists(folder))
        {
            throw exists;
        }

        // The run's folder appears with its record in one rename, which fails onto a folder that has one:
        // of two processes creating the same run id at once, exactly one succeeds.
        var staging = LocalFiles.TempName(folder);
        try
        {
            Directory.CreateDirectory(staging);
            await LocalFiles.WriteAtomicAsync(Path.Combine(staging, Path.GetFileName(DatastoreLayout.RunFile(run.Flow, run.RunId))), RecordJson.Serialize(run), cancellationToken).ConfigureAwait(false);
            Directory.Move(staging, folder);
        }
        catch (IOException) when (Directory.Exists(folder))
        {
            throw exists;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw File.Exists(_root)
                ? new FlowException($"The datastore at {_root} is a file; give --datastore-root a folder.", e)
                : new FlowException($"Cannot create run {run.Flow}/{run.RunId} in the datastore at {_root}: {e.Message}", e);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    /// <inheritdoc />
    public Task UpdateRunAsync(RunRecord run, CancellationToken cancellationToken = default) =>
        LocalFiles.WriteAtomicAsync(PathOf(DatastoreLayout.RunFile(run.Flow, run.RunId)), RecordJson.Serialize(run), cancellationToken);

    /// <inheritdoc />
    public async Task<RunRecord?> GetRunAsync(string flow, string runId, CancellationToken cancellationToken = default)
    {
        var bytes = await LocalFiles.ReadAsync(PathOf(DatastoreLayout.RunFile(flow, runId)), cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : RecordJson.Deserialize<RunRecord>(bytes, $"run {flow}/{runId}");
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<RunRecord>> ListRunsAsync(string flow, CancellationToken cancellationToken = default)
    {
        var folder = PathOf(DatastoreLayout.FlowFolder(flow));
        if (!Directory.Exists(folder))
        {
            return [];
        }

        var runs = new List<RunRecord>();
        foreach (var dir in Directory.EnumerateDirectories(folder))
        {
            // Folders that are not runs (a run being created, anything put there by hand) are not listed.
            if (!Ids.IsValid(Path.GetFileName(dir)))
            {
                continue;
            }

            if (await GetRunAsync(flow, Path.GetFileName(dir), cancellationToken).ConfigureAwait(false) is { } run)
            {
                runs.Add(run);
            }
        }

        return runs;
    }

    /// <inheritdoc />
    public Task PutTaskAsync(TaskRecord task, CancellationToken cancellationToken = default) =>
        LocalFiles.WriteAtomicAsync(PathOf(DatastoreLayout.TaskFile(task.Flow, task.RunId, task.Step, task.TaskId)), RecordJson.Serialize(task), cancellationToken);

    /// <inheritdoc />
    public async Task<TaskRecord?> GetTaskAsync(string flow, string runId, string step, long taskId, CancellationToken cancellationToken = default)
    {
        var bytes = await LocalFiles.ReadAsync(PathOf(DatastoreLayout.TaskFile(flow, runId, step, taskId)), cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : RecordJson.Deserialize<TaskRecord>(bytes, $"task {runId}/{step}/{taskId}");
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<TaskRecord>> ListTasksAsync(string flow, string runId, CancellationToken cancellationToken = default)
    {
        var folder = PathOf(DatastoreLayout.TaskFolder(flow, runId));
        if (!Directory.Exists(folder))
        {
            return [];
        }

        var tasks = new List<TaskRecord>();
        foreach (var file in Directory.EnumerateFiles(folder, "*.json"))
        {
            var bytes = await LocalFiles.ReadAsync(file, cancellationToken).ConfigureAwait(false);
            if (bytes is not null)
            {
                tasks.Add(RecordJson.Deserialize<TaskRecord>(bytes, $"task file {file}"));
            }
        }

        return tasks;
    }

    /// <inheritdoc />
    Task<IReadOnlyList<TaskRecordVersion>> ITaskRecordVersions.ListTaskVersionsAsync(string flow, string runId, CancellationToken cancellationToken)
    {
        // A record is written to a temporary file and renamed into place, so a record written again is a new file
        // with its own modification time. Two writes of one record with the same size within one tick of the file
        // system's clock (a few milliseconds at most) would look alike; a task's record is written again only when
        // its outcome changes (a failure, with its error, in place of a record that could not all be stored), which in
        // practice changes its size too.
        // A record or the run deleted while it is listed is left out, as a later listing would.
        var folder = PathOf(DatastoreLayout.TaskFolder(flow, runId));
        var versions = new List<TaskRecordVersion>();
        try
        {
            foreach (var file in new DirectoryInfo(folder).EnumerateFiles("*.json"))
            {
                try
                {
                    if (DatastoreLayout.ParseTaskFile(file.Name) is var (step, task))
                    {
                        versions.Add(new TaskRecordVersion(step, task, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{file.Length}@{file.LastWriteTimeUtc.Ticks}")));
                    }
                }
                catch (FileNotFoundException)
                {
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
        }

        return Task.FromResult<IReadOnlyList<TaskRecordVersion>>(versions);
    }

    /// <summary>How long the task folder must have been unchanged for its modification time to be a stamp.</summary>
    internal static readonly TimeSpan SettledStamp = TimeSpan.FromSeconds(2);

    /// <inheritdoc />
    string? ITaskRecordVersions.TaskStamp(string flow, string runId)
    {
        // Every record (and every temporary file of one) is written into the run's task folder, which sets the folder's
        // modification time. A time within the last moments may be shared with a write still to come (file system
        // clocks tick coarsely), so only a time older than SettledStamp is a stamp: any later write gives the folder a
        // later time. It is compared with the system clock, the one the file system dates files by.
        var folder = new DirectoryInfo(PathOf(DatastoreLayout.TaskFolder(flow, runId)));
        if (!folder.Exists)
        {
            return null;
        }

        var time = folder.LastWriteTimeUtc;
        return DateTime.UtcNow - time < SettledStamp ? null : time.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    public Task PutLogAsync(string flow, string runId, string step, long taskId, int attempt, string stream, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        LocalFiles.WriteAtomicAsync(PathOf(DatastoreLayout.LogFile(flow, runId, step, taskId, attempt, stream)), content, cancellationToken);

    /// <inheritdoc />
    public Task<byte[]?> GetLogAsync(string flow, string runId, string step, long taskId, int attempt, string stream, CancellationToken cancellationToken = default) =>
        LocalFiles.ReadAsync(PathOf(DatastoreLayout.LogFile(flow, runId, step, taskId, attempt, stream)), cancellationToken);

    private string PathOf(string relative) => Path.Combine(_root, relative);

    private string RunFolder(string flow, string runId) => PathOf(DatastoreLayout.RunFolder(flow, runId));

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListFlowsAsync(CancellationToken cancellationToken = default)
    {
        // Every folder at the root is a flow's, except the blobs' and those that are not flow names (temporary ones).
        IReadOnlyList<string> flows = !Directory.Exists(_root)
            ? []
            : Directory.EnumerateDirectories(_root)
                .Select(Path.GetFileName)
                .Where(name => Ids.IsValid(name) && name != DatastoreLayout.BlobFolder)
                .OfType<string>()
                .Order(StringComparer.Ordinal)
                .ToList();
        return Task.FromResult(flows);
    }

    /// <inheritdoc />
    public Task PutCardAsync(string flow, string runId, string step, long taskId, int attempt, string id, ReadOnlyMemory<byte> html, CancellationToken cancellationToken = default) =>
        LocalFiles.WriteAtomicAsync(PathOf(DatastoreLayout.CardFile(flow, runId, step, taskId, attempt, id)), html, cancellationToken);

    /// <inheritdoc />
    public Task<byte[]?> GetCardAsync(string flow, string runId, string step, long taskId, int attempt, string id, CancellationToken cancellationToken = default) =>
        LocalFiles.ReadAsync(PathOf(DatastoreLayout.CardFile(flow, runId, step, taskId, attempt, id)), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Flow.Cards.CardInfo>> ListCardsAsync(string flow, string runId, CancellationToken cancellationToken = default)
    {
        var folder = PathOf(DatastoreLayout.CardFolder(flow, runId));
        IReadOnlyList<Flow.Cards.CardInfo> cards = !Directory.Exists(folder)
            ? []
            : new DirectoryInfo(folder).EnumerateFiles("*.html")
                .Select(file => DatastoreLayout.ParseCardFile(file.Name, file.Length))
                .OfType<Flow.Cards.CardInfo>()
                .ToList();
        return Task.FromResult(cards);
    }
}
