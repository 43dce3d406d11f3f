using System.Security.Cryptography;

namespace Flow.Datastore;

/// <summary>
/// The blob store in a local folder (by default <c>.flow/</c> in the working directory). Blobs are
/// written to a temporary file and renamed into place, so a reader never sees a torn blob.
/// </summary>
public sealed class LocalBlobStore : IBlobStore
{
    private readonly string _root;

    /// <summary>Stores blobs under <paramref name="root"/>/blobs.</summary>
    public LocalBlobStore(string root) => _root = Path.Combine(Path.GetFullPath(root), "blobs");

    /// <inheritdoc />
    public Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        PutAsync(key, [data], cancellationToken);

    /// <inheritdoc />
    public async Task PutAsync(string key, IReadOnlyList<ReadOnlyMemory<byte>> segments, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);

        // Identical bytes are stored once; a blob of the wrong length was damaged after it was written, and is replaced.
        if (new FileInfo(path) is { Exists: true } existing && existing.Length == segments.Sum(s => (long)s.Length))
        {
            return;
        }

        await LocalFiles.WriteAtomicAsync(path, segments, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        return await LocalFiles.ReadAsync(PathOf(key), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => Task.FromResult(File.Exists(PathOf(key)));

    /// <inheritdoc />
    public Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        try
        {
            return Task.FromResult<Stream?>(new FileStream(PathOf(key), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
    }

    private string PathOf(string key)
    {
        if (key.Length != 64 || !key.All(char.IsAsciiHexDigitLower))
        {
            throw new FlowException($"'{key}' is not a blob key (a lower-case SHA-256).");
        }

        return Path.Combine(_root, key[..2], key[2..]);
    }
}

/// <summary>The metadata store in a local folder: one JSON file per run and per task, logs beside them.</summary>
public sealed class LocalMetadataStore : IMetadataStore
{
    private readonly string _root;

    /// <summary>Stores records under <paramref name="root"/>/FLOW/RUN/.</summary>
    public LocalMetadataStore(string root) => _root = Path.GetFullPath(root);

    /// <inheritdoc />
    public async Task CreateRunAsync(RunRecord run, CancellationToken cancellationToken = default)
    {
        var folder = RunFolder(run.Flow, run.RunId);
        var exists = new FlowException($"Run {run.Flow}/{run.RunId} exists already.");
        if (Directory.Exists(folder))
        {
            throw exists;
        }

        // The run's folder appears with its record in one rename, which fails onto a folder that has one:
        // of two processes creating the same run id at once, exactly one succeeds.
        var staging = Path.Combine(Path.GetDirectoryName(folder)!, $".{run.RunId}.{Ids.RandomHex(6)}.tmp");
        try
        {
            Directory.CreateDirectory(staging);
            await LocalFiles.WriteAtomicAsync(Path.Combine(staging, "run.json"), RecordJson.Serialize(run), cancellationToken).ConfigureAwait(false);
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
        LocalFiles.WriteAtomicAsync(Path.Combine(RunFolder(run.Flow, run.RunId), "run.json"), RecordJson.Serialize(run), cancellationToken);

    /// <inheritdoc />
    public async Task<RunRecord?> GetRunAsync(string flow, string runId, CancellationToken cancellationToken = default)
    {
        var bytes = await LocalFiles.ReadAsync(Path.Combine(RunFolder(flow, runId), "run.json"), cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : RecordJson.Deserialize<RunRecord>(bytes, $"run {flow}/{runId}");
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<RunRecord>> ListRunsAsync(string flow, CancellationToken cancellationToken = default)
    {
        var folder = Path.Combine(_root, Ids.Check(flow, "flow name"));
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
        LocalFiles.WriteAtomicAsync(TaskFile(task.Flow, task.RunId, task.Step, task.TaskId), RecordJson.Serialize(task), cancellationToken);

    /// <inheritdoc />
    public async Task<TaskRecord?> GetTaskAsync(string flow, string runId, string step, long taskId, CancellationToken cancellationToken = default)
    {
        var bytes = await LocalFiles.ReadAsync(TaskFile(flow, runId, step, taskId), cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : RecordJson.Deserialize<TaskRecord>(bytes, $"task {runId}/{step}/{taskId}");
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<TaskRecord>> ListTasksAsync(string flow, string runId, CancellationToken cancellationToken = default)
    {
        var folder = Path.Combine(RunFolder(flow, runId), "tasks");
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
    public Task PutLogAsync(string flow, string runId, string step, long taskId, int attempt, string stream, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        LocalFiles.WriteAtomicAsync(LogFile(flow, runId, step, taskId, attempt, stream), content, cancellationToken);

    /// <inheritdoc />
    public Task<byte[]?> GetLogAsync(string flow, string runId, string step, long taskId, int attempt, string stream, CancellationToken cancellationToken = default) =>
        LocalFiles.ReadAsync(LogFile(flow, runId, step, taskId, attempt, stream), cancellationToken);

    private string RunFolder(string flow, string runId) =>
        Path.Combine(_root, Ids.Check(flow, "flow name"), Ids.Check(runId, "run id"));

    private string TaskFile(string flow, string runId, string step, long taskId) =>
        Path.Combine(RunFolder(flow, runId), "tasks", $"{Ids.Check(step, "step name")}.{taskId}.json");

    private string LogFile(string flow, string runId, string step, long taskId, int attempt, string stream) =>
        Path.Combine(RunFolder(flow, runId), "logs", $"{Ids.Check(step, "step name")}.{taskId}.{attempt}.{(stream is "stdout" or "stderr" ? stream : throw new ArgumentException("stdout or stderr", nameof(stream)))}");
}

/// <summary>Atomic file writes: a temporary file in the same folder, written whole, then renamed over the target.</summary>
internal static class LocalFiles
{
    // Folders known to exist, so that a write does not ask for its folder every time; one that was removed since is made again.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> Folders = new(StringComparer.Ordinal);

    public static Task WriteAtomicAsync(string path, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        WriteAtomicAsync(path, [data], cancellationToken);

    public static Task WriteAtomicAsync(string path, IReadOnlyList<ReadOnlyMemory<byte>> segments, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var folder = Path.GetDirectoryName(path)!;
        if (!Folders.ContainsKey(folder))
        {
            Directory.CreateDirectory(folder);
            Folders.TryAdd(folder, true);
        }

        var temp = Path.Combine(folder, $".{Path.GetFileName(path)}.{Ids.RandomHex(6)}.tmp");
        try
        {
            Microsoft.Win32.SafeHandles.SafeFileHandle handle;
            try
            {
                handle = Open(temp);
            }
            catch (DirectoryNotFoundException)
            {
                Directory.CreateDirectory(folder);
                handle = Open(temp);
            }

            using (handle)
            {
                long offset = 0;
                foreach (var segment in segments)
                {
                    // Written synchronously: a thread-pool hop costs more than writing a small record to the page
                    // cache, and the pooled state of an asynchronous write keeps a large array alive after it.
                    RandomAccess.Write(handle, segment.Span, offset);
                    offset += segment.Length;
                }
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }

        return Task.CompletedTask;
    }

    // A fresh file with a unique name: no sharing lock is needed.
    private static Microsoft.Win32.SafeHandles.SafeFileHandle Open(string temp) =>
        File.OpenHandle(temp, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);

    public static Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var length = RandomAccess.GetLength(handle);
            if (length > Array.MaxLength)
            {
                throw new FlowException($"The file {path} is too large to read ({length} bytes).");
            }

            var bytes = GC.AllocateUninitializedArray<byte>((int)length);
            var read = 0;
            while (read < bytes.Length)
            {
                var n = RandomAccess.Read(handle, bytes.AsSpan(read), read);
                if (n == 0)
                {
                    // The file shrank while it was read: give what is there, which the hash check rejects.
                    return Task.FromResult<byte[]?>(bytes[..read]);
                }

                read += n;
            }

            return Task.FromResult<byte[]?>(bytes);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<byte[]?>(null);
        }
    }
}
