using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Flow.Datastore;
using Flow.Graph;

namespace Flow.Execution;

/// <summary>
/// The cache of <see cref="CacheAttribute"/> steps for one run. A task's cache key is the SHA-256 of its flow and step,
/// its step's code hash and cache version, the contents of its cache files (<see cref="CachePolicy.Files"/>: the scripts
/// it runs with a constant path and its <see cref="CacheAttribute.Files"/>), and its inputs: the content hashes of the artifacts (parameters included)
/// the step reads, its foreach element and index, its loop iteration, and for a join every artifact of every input.
/// A match is a successful task (without a caught error) of the same step with the same key in one of the
/// <see cref="RecentRuns"/> latest other runs of the flow in the run's namespace (<c>production:TOKEN</c> for a
/// deployment's run, else <c>user:NAME</c>). Runs are searched newest first, each run's task records listed once
/// and only until a key is found; what a search listed serves every later lookup of the run.
/// </summary>
internal sealed class StepCache(FlowGraph graph, FlowDatastore datastore, RunRecord run)
{
    /// <summary>How many of the latest runs in the namespace are searched for a match.</summary>
    public const int RecentRuns = 50;

    private readonly Dictionary<(string Step, string Key), TaskRecord> _found = new();

    // The SHA-256 of each cache file's contents, by full path: each file is read once per run, however many tasks.
    private readonly ConcurrentDictionary<string, string> _fileHashes = new(StringComparer.Ordinal);

    // The full path of each cache file, by its path as written: each is found once per run.
    private readonly ConcurrentDictionary<string, string> _filePaths = new(StringComparer.Ordinal);
    private List<RunRecord>? _runs;
    private int _searched;

    /// <summary>The namespace whose runs share the cache: the run's production token, else its user.</summary>
    public string Namespace { get; } =
        run.SystemTags.FirstOrDefault(t => t.StartsWith("production:", StringComparison.Ordinal)) ?? $"user:{run.User}";

    /// <summary>
    /// The cache key of a task of <paramref name="node"/> whose inputs are <paramref name="inputs"/> (the parents'
    /// records, in branch order for a join; none for the start step).
    /// </summary>
    public string Key(StepNode node, PendingTask pending, IReadOnlyList<TaskRecord> inputs)
    {
        var text = new StringBuilder();
        text.Append("flow-cache/1\n").Append(graph.Name).Append('\n').Append(node.Name).Append('\n')
            .Append(node.CodeHash).Append('\n').Append(node.Cache?.Version).Append('\n')
            .Append("iteration ").Append(pending.Iteration.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (var file in node.Cache?.Files ?? [])
        {
            // The path as written (a file moved elsewhere with the same contents is another key), and its contents.
            text.Append("file ").Append(file).Append(' ').Append(HashFile(node, file)).Append('\n');
        }

        if (node.IsJoin || inputs.Count == 0)
        {
            // A join (and the start step) starts from the run's parameters; a join reads its inputs through `inputs`.
            Append(text, "parameter", Read(node, run.Parameters));
            for (var i = 0; i < inputs.Count; i++)
            {
                Append(text, $"input {(i < pending.Branches.Count ? pending.Branches[i] : i).ToString(CultureInfo.InvariantCulture)}", inputs[i].Artifacts);
            }
        }
        else
        {
            Append(text, "artifact", Read(node, Inherited(inputs[0], pending)));
            if (Item(inputs[0], pending) is { } item)
            {
                text.Append("item ").Append(item.Key).Append(" index ").Append(pending.Index.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>
    /// Reads and hashes the cache files of every [Cache] step of the flow, so that a file that is missing fails the run
    /// before its first task rather than when a task of its step is ready.
    /// </summary>
    /// <exception cref="CacheFileException">A file is not found or cannot be read.</exception>
    public void HashFiles()
    {
        foreach (var node in graph.Steps)
        {
            foreach (var file in node.Cache?.Files ?? [])
            {
                HashFile(node, file);
            }
        }
    }

    // The SHA-256 (hex) of the contents of one of the step's cache files, found as Script.Run finds a script.
    private string HashFile(StepNode node, string file)
    {
        if (!_filePaths.TryGetValue(file, out var path))
        {
            var tried = Script.Candidates(file);
            path = tried.FirstOrDefault(File.Exists) ?? throw new CacheFileException(
                $"Step {node.Name} is [Cache]d on the contents of '{file}', which was not found; tried {string.Join(", ", tried)}. "
                + $"The files of a cached step's key (its [Cache(Files = ...)] and the scripts it runs with a constant path) must be present where the key is computed; "
                + $"a file of the project is found beside the program when copied to the output: <None Include=\"{file}\" CopyToOutputDirectory=\"PreserveNewest\" />.");
            _filePaths.TryAdd(file, path);
        }

        return _fileHashes.GetOrAdd(path, static (full, step) =>
        {
            try
            {
                using var stream = File.OpenRead(full);
                return Convert.ToHexStringLower(SHA256.HashData(stream));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CacheFileException($"Step {step} is [Cache]d on the contents of {full}, which cannot be read: {e.Message}", e);
            }
        }, node.Name);
    }

    /// <summary>The newest earlier task of <paramref name="step"/> with <paramref name="key"/>, or null.</summary>
    public async Task<TaskRecord?> FindAsync(string step, string key, CancellationToken cancellationToken)
    {
        _runs ??= (await datastore.Metadata.ListRunsAsync(graph.Name, cancellationToken).ConfigureAwait(false))
            .Where(r => !string.Equals(r.RunId, run.RunId, StringComparison.Ordinal) && r.SystemTags.Contains(Namespace, StringComparer.Ordinal))
            .OrderByDescending(r => r.StartedAt)
            .Take(RecentRuns)
            .ToList();
        while (!_found.ContainsKey((step, key)) && _searched < _runs.Count)
        {
            var earlier = _runs[_searched++];
            var tasks = await datastore.Metadata.ListTasksAsync(graph.Name, earlier.RunId, cancellationToken).ConfigureAwait(false);
            foreach (var task in tasks.OrderByDescending(t => t.TaskId))
            {
                if (task is { Status: RunStatus.Succeeded, Error: null, CacheKey: { } found })
                {
                    _found.TryAdd((task.Step, found), task);
                }
            }
        }

        return _found.GetValueOrDefault((step, key));
    }

    /// <summary>
    /// The record of the new run's task <paramref name="taskId"/>, cloned from <paramref name="origin"/> by reference: the
    /// artifacts the step reads or writes are the origin's, those it cannot touch go on from this run's inputs (a join's
    /// and the start step's: the run's parameters). For a step whose artifacts are known, nothing else comes from the
    /// origin: an artifact the origin only inherited, which this run's inputs no longer have (a dropped parameter, an
    /// artifact removed upstream), is not carried on. A step that may touch any artifact (MergeArtifacts in a join
    /// among them) also keeps the origin's artifacts that this run's inputs lack: its key covers every artifact it
    /// starts from, and for a join every artifact of every input.
    /// </summary>
    public TaskRecord Clone(StepNode node, PendingTask pending, IReadOnlyList<TaskRecord> inputs, long taskId, TaskRecord origin, string key)
    {
        var inherited = node.IsJoin || inputs.Count == 0 ? run.Parameters : Inherited(inputs[0], pending);
        var artifacts = new Dictionary<string, ArtifactRef>(StringComparer.Ordinal);
        foreach (var (name, reference) in inherited)
        {
            if (!Reads(node, name))
            {
                artifacts[name] = reference;
            }
        }

        // A step that may touch any artifact reads them all: it takes every one of the origin's.
        foreach (var (name, reference) in origin.Artifacts)
        {
            if (Reads(node, name))
            {
                artifacts[name] = reference;
            }
        }

        // As resume clones: the attempt and times stay the original's, whose logs and cards the clone's are.
        return origin with
        {
            RunId = run.RunId,
            TaskId = taskId,
            Position = pending.Position,
            Index = pending.Index,
            Iteration = pending.Iteration,
            Inputs = pending.Inputs,
            Artifacts = artifacts,
            ClonedFrom = origin.ClonedFrom ?? origin.Pathspec,
            CacheKey = key,
        };
    }

    /// <summary>
    /// A task's key, and unless <paramref name="noCache"/>, the clone of an earlier task with that key, stored as the
    /// task's record (at <paramref name="position"/> when given, else the pending task's); null when there is none.
    /// </summary>
    public async Task<(string Key, TaskRecord? Clone)> CloneIfCachedAsync(
        StepNode node, PendingTask pending, IReadOnlyList<TaskRecord> inputs, long taskId, bool noCache, string? position, CancellationToken cancellationToken)
    {
        var key = Key(node, pending, inputs);
        if (noCache || await FindAsync(node.Name, key, cancellationToken).ConfigureAwait(false) is not { } origin)
        {
            return (key, null);
        }

        var clone = Clone(node, pending, inputs, taskId, origin, key);
        clone = position is null ? clone : clone with { Position = position };
        await datastore.Metadata.PutTaskAsync(clone, cancellationToken).ConfigureAwait(false);
        return (key, clone);
    }

    /// <summary>
    /// For a task run on its own (the <c>step</c> command, Argo's containers): looks the cache up as the scheduler does,
    /// with the same key and the run's namespace. A match is cloned and its record stored: the clone is returned, and
    /// the task is not to run. Otherwise the key is returned, for the record of the task that runs; null when the step
    /// has no <c>[Cache]</c>, or when the run or an input is missing, malformed or did not succeed (the task then fails
    /// as it would have). <paramref name="noCache"/>: the key only, nothing looked up. A lookup that fails is a warning
    /// on <paramref name="log"/>: the task runs. A cache file of the step that is missing is not: it is thrown.
    /// </summary>
    public static async Task<(TaskRecord? Clone, string? Key)> LookUpAsync(
        FlowGraph graph, FlowDatastore datastore, TaskRequest request, bool noCache, TextWriter log, CancellationToken cancellationToken)
    {
        var node = graph[request.Step];
        if (node.Cache is null)
        {
            return (null, null);
        }

        try
        {
            if (await datastore.Metadata.GetRunAsync(graph.Name, request.RunId, cancellationToken).ConfigureAwait(false) is not { } run)
            {
                return (null, null);
            }

            var inputs = new List<TaskRecord>(request.Inputs.Count);
            foreach (var input in request.Inputs)
            {
                var parts = input.Split('/');
                if (parts.Length != 3 || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var taskId)
                    || await datastore.Metadata.GetTaskAsync(graph.Name, parts[0], parts[1], taskId, cancellationToken).ConfigureAwait(false) is not { Status: RunStatus.Succeeded } record)
                {
                    return (null, null);
                }

                inputs.Add(record);
            }

            var pending = new PendingTask(request.Step, request.Inputs, request.InputBranches, request.ForeachIndex, request.Index, null) { Iteration = request.Iteration };
            var (key, clone) = await new StepCache(graph, datastore, run)
                .CloneIfCachedAsync(node, pending, inputs, request.TaskId, noCache, request.Position, cancellationToken).ConfigureAwait(false);
            return (clone, key);
        }
        catch (Exception e) when (e is not CacheFileException && (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
        {
            log.WriteLine($"warning: [{node.Name}/{request.TaskId}] the cache could not be looked up ({e.Message}); the task runs.");
            return (null, null);
        }
    }

    // What a task starts from: its parent's artifacts, without the collection of the foreach it is a child of.
    private IReadOnlyDictionary<string, ArtifactRef> Inherited(TaskRecord parent, PendingTask pending)
    {
        if (pending.ForeachIndex is null || graph[parent.Step].ForeachArtifact is not { } collection || !parent.Artifacts.ContainsKey(collection))
        {
            return parent.Artifacts;
        }

        var without = new Dictionary<string, ArtifactRef>(parent.Artifacts, StringComparer.Ordinal);
        without.Remove(collection);
        return without;
    }

    // The task's foreach item: its element of the parent's foreach, or for a loop's next iteration the one it kept.
    private static ArtifactRef? Item(TaskRecord parent, PendingTask pending) =>
        pending.ForeachIndex is { } index
            ? parent.ForeachElements is { } elements && index >= 0 && index < elements.Count ? elements[index] : null
            : string.Equals(parent.Step, pending.Step, StringComparison.Ordinal) ? parent.Item : null;

    // As the task executor reads: the artifacts the body names (all of them when it may reach others), and what it writes.
    private static bool Reads(StepNode node, string artifact) =>
        node.Uses is not { } uses || uses.Contains(artifact) || node.Writes.Contains(artifact) || string.Equals(artifact, node.ForeachArtifact, StringComparison.Ordinal);

    private static IEnumerable<KeyValuePair<string, ArtifactRef>> Read(StepNode node, IReadOnlyDictionary<string, ArtifactRef> refs) =>
        refs.Where(r => Reads(node, r.Key));

    private static void Append(StringBuilder text, string kind, IEnumerable<KeyValuePair<string, ArtifactRef>> refs)
    {
        foreach (var (name, reference) in refs.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            text.Append(kind).Append(' ').Append(name).Append(' ').Append(reference.Key).Append('\n');
        }
    }
}

/// <summary>A file whose contents are part of a [Cache] step's key is missing or cannot be read: the run fails before the task.</summary>
internal sealed class CacheFileException : FlowException
{
    public CacheFileException(string message)
        : base(message)
    {
    }

    public CacheFileException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
