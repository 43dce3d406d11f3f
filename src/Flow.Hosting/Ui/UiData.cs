using System.Collections.Concurrent;
using Flow.Datastore;

namespace Flow.Hosting;

/// <summary>
/// The UI's reads of the datastore. A finished run's task records cannot change, so they are read once and kept
/// (up to <see cref="FlowUiOptions.CachedRuns"/> runs); run records are read each time, since tags can change.
/// </summary>
internal sealed class UiData
{
    private readonly ConcurrentDictionary<string, IReadOnlyList<TaskRecord>> _finishedTasks = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _cacheOrder = new();
    private readonly ConcurrentDictionary<string, string> _flowOfRun = new(StringComparer.Ordinal);

    public UiData(FlowUiOptions options)
    {
        Options = options;
        Datastore = options.Datastore ?? throw new ArgumentException("The UI needs a datastore.", nameof(options));
    }

    public FlowUiOptions Options { get; }

    public FlowDatastore Datastore { get; }

    /// <summary>The default flow of the runs page: the first known one, or null for every flow.</summary>
    public string? DefaultFlow => Options.Flows.Count > 0 ? Options.Flows[0].Graph.Name : null;

    /// <summary>The graph of a flow the UI knows, or null.</summary>
    public Graph.FlowGraph? GraphOf(string flow) =>
        Options.Flows.FirstOrDefault(f => string.Equals(f.Graph.Name, flow, StringComparison.Ordinal))?.Graph;

    public Task<IReadOnlyList<string>> FlowsAsync(CancellationToken cancellationToken) => Datastore.Metadata.ListFlowsAsync(cancellationToken);

    /// <summary>The runs of one flow, or of every flow when <paramref name="flow"/> is null, newest first.</summary>
    public async Task<List<RunRecord>> RunsAsync(string? flow, CancellationToken cancellationToken)
    {
        var flows = flow is null ? await FlowsAsync(cancellationToken).ConfigureAwait(false) : [flow];
        var runs = new List<RunRecord>();
        foreach (var name in flows)
        {
            runs.AddRange(await Datastore.Metadata.ListRunsAsync(name, cancellationToken).ConfigureAwait(false));
        }

        runs.Sort((a, b) => b.StartedAt.CompareTo(a.StartedAt) is var c and not 0 ? c : string.CompareOrdinal(b.RunId, a.RunId));
        return runs;
    }

    /// <summary>A run by id: in <paramref name="flow"/> when given, else in the flow it was last found in, the known flows, then every flow.</summary>
    public async Task<RunRecord?> FindRunAsync(string runId, string? flow, CancellationToken cancellationToken)
    {
        if (flow is not null)
        {
            return await Datastore.Metadata.GetRunAsync(flow, runId, cancellationToken).ConfigureAwait(false);
        }

        var candidates = new List<string>();
        if (_flowOfRun.TryGetValue(runId, out var known))
        {
            candidates.Add(known);
        }

        candidates.AddRange(Options.Flows.Select(f => f.Graph.Name));
        foreach (var name in candidates.Distinct(StringComparer.Ordinal))
        {
            if (await Datastore.Metadata.GetRunAsync(name, runId, cancellationToken).ConfigureAwait(false) is { } run)
            {
                return Remember(run);
            }
        }

        foreach (var name in await FlowsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!candidates.Contains(name, StringComparer.Ordinal) && await Datastore.Metadata.GetRunAsync(name, runId, cancellationToken).ConfigureAwait(false) is { } run)
            {
                return Remember(run);
            }
        }

        return null;
    }

    /// <summary>The task records of a run: from memory for a finished run read before.</summary>
    public async Task<IReadOnlyList<TaskRecord>> TasksAsync(RunRecord run, CancellationToken cancellationToken)
    {
        var key = run.Flow + "/" + run.RunId;
        if (_finishedTasks.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var tasks = await Datastore.Metadata.ListTasksAsync(run.Flow, run.RunId, cancellationToken).ConfigureAwait(false);
        if (run.Status != RunStatus.Running && Options.CachedRuns > 0 && _finishedTasks.TryAdd(key, tasks))
        {
            _cacheOrder.Enqueue(key);
            while (_finishedTasks.Count > Options.CachedRuns && _cacheOrder.TryDequeue(out var oldest))
            {
                _finishedTasks.TryRemove(oldest, out _);
            }
        }

        return tasks;
    }

    private RunRecord Remember(RunRecord run)
    {
        _flowOfRun[run.RunId] = run.Flow;
        return run;
    }
}
