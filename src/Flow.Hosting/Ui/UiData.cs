using System.Collections.Concurrent;
using Flow.Datastore;

namespace Flow.Hosting;

/// <summary>
/// The UI's reads of the datastore. The task records of the last <see cref="FlowUiOptions.CachedRuns"/> runs shown are
/// kept with their versions, and only new or rewritten ones are read again (see <see cref="TasksAsync"/>). Run records
/// are read each time: a run's status and tags change while it goes, and a run record is one small read.
/// </summary>
internal sealed class UiData
{
    // Reads of single task records at once (as many as the S3 store makes).
    private const int ParallelReads = 16;

    private readonly ConcurrentDictionary<string, RunTasks> _tasks = new(StringComparer.Ordinal);
    private readonly Queue<string> _cacheOrder = new();
    private readonly Lock _cacheGate = new();
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

    /// <summary>
    /// The task records of a run, finished or going. Each request lists the run's records with their versions (one
    /// directory listing, or one S3 listing per 1,000 records) and reads only those that are new or were written
    /// again since the last request; the others come from memory.
    /// </summary>
    /// <remarks>
    /// A run's status says nothing about whether its task records are complete: a scheduler can record a run's
    /// failure while other tasks are still finishing, and their records arrive afterwards (a failed task's record can
    /// also replace an earlier one). So no list is ever trusted because the run has ended; every list is checked
    /// against the listing, which costs no record reads when nothing changed. The listing is taken before the reads,
    /// so a record held is never older than the version held beside it, and any later write shows as a new version.
    /// A store that cannot list versions (not the local or S3 store) has its records read on each request. The local
    /// store also stamps a run's records (the task folder's modification time, once settled): while the stamp stays the
    /// same, the list held is given without a listing.
    /// </remarks>
    public async Task<IReadOnlyList<TaskRecord>> TasksAsync(RunRecord run, CancellationToken cancellationToken)
    {
        var metadata = Datastore.Metadata;
        if (metadata is not ITaskRecordVersions listing || Options.CachedRuns == 0)
        {
            return await metadata.ListTasksAsync(run.Flow, run.RunId, cancellationToken).ConfigureAwait(false);
        }

        var key = run.Flow + "/" + run.RunId;
        _tasks.TryGetValue(key, out var known);

        // Where the store can say that nothing was written since the list held was listed, even the listing is saved.
        var stamp = listing.TaskStamp(run.Flow, run.RunId);
        if (stamp is not null && known is not null && string.Equals(known.Stamp, stamp, StringComparison.Ordinal))
        {
            return known.List;
        }

        var versions = await listing.ListTaskVersionsAsync(run.Flow, run.RunId, cancellationToken).ConfigureAwait(false);
        var held = new Dictionary<(string Step, long TaskId), (string Version, TaskRecord Record)>(versions.Count);
        var stale = new List<TaskRecordVersion>();
        foreach (var version in versions)
        {
            if (known is not null && known.Records.TryGetValue((version.Step, version.TaskId), out var kept) && kept.Version == version.Version)
            {
                held[(version.Step, version.TaskId)] = kept;
            }
            else
            {
                stale.Add(version);
            }
        }

        if (known is not null && stale.Count == 0 && held.Count == known.Records.Count)
        {
            if (stamp is not null)
            {
                _tasks.TryUpdate(key, known with { Stamp = stamp }, known);
            }

            return known.List;
        }

        if (known is null || stale.Count > versions.Count / 2)
        {
            // Most records are to be read: one listing read of them all is as cheap as reading them one by one.
            var wanted = stale.ToDictionary(v => (v.Step, v.TaskId), v => v.Version);
            foreach (var record in await metadata.ListTasksAsync(run.Flow, run.RunId, cancellationToken).ConfigureAwait(false))
            {
                if (wanted.TryGetValue((record.Step, record.TaskId), out var version))
                {
                    held[(record.Step, record.TaskId)] = (version, record);
                }
            }
        }
        else
        {
            var read = new TaskRecord?[stale.Count];
            await Parallel.ForAsync(0, stale.Count, new ParallelOptions { MaxDegreeOfParallelism = ParallelReads, CancellationToken = cancellationToken }, async (i, ct) =>
                read[i] = await metadata.GetTaskAsync(run.Flow, run.RunId, stale[i].Step, stale[i].TaskId, ct).ConfigureAwait(false)).ConfigureAwait(false);
            for (var i = 0; i < stale.Count; i++)
            {
                // A record deleted since the listing is left out.
                if (read[i] is { } record)
                {
                    held[(stale[i].Step, stale[i].TaskId)] = (stale[i].Version, record);
                }
            }
        }

        var tasks = held.Values.Select(v => v.Record).ToList();
        var entry = new RunTasks(held, tasks, stamp);
        // A run is queued for eviction when it is added, once; the gate keeps the queue and the held runs in step.
        lock (_cacheGate)
        {
            if (!_tasks.ContainsKey(key))
            {
                _cacheOrder.Enqueue(key);
            }

            _tasks[key] = entry;
            while (_tasks.Count > Options.CachedRuns && _cacheOrder.TryDequeue(out var oldest))
            {
                _tasks.TryRemove(oldest, out _);
            }
        }

        return tasks;
    }

    private RunRecord Remember(RunRecord run)
    {
        _flowOfRun[run.RunId] = run.Flow;
        return run;
    }

    // The task records of a run as last listed and read, by task, with the version of each; the same as a list; and the
    // store's stamp of the records taken before that listing (null if it had none).
    private sealed record RunTasks(Dictionary<(string Step, long TaskId), (string Version, TaskRecord Record)> Records, IReadOnlyList<TaskRecord> List, string? Stamp);
}
