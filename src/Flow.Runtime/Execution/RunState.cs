using Flow.Datastore;
using Flow.Graph;
using Flow.Serialization;

namespace Flow.Execution;

/// <summary>One run in progress: the ready queue, the resources free, the joins waiting for branches, and the tasks running.</summary>
internal sealed class RunState(FlowDefinition definition, RunOptions options, FlowDatastore datastore, RunRecord run, ITaskLauncher launcher, ResumePlan? resume, MachineCapacity capacity, ProgressDisplay display)
{
    private const int LookAhead = 64;
    private readonly FlowGraph _graph = definition.Graph;
    private readonly LinkedList<PendingTask> _ready = new();

    // Tasks that run elsewhere (a cluster) wait apart: they need nothing of this machine, so none waits behind another.
    private readonly Queue<PendingTask> _readyElsewhere = new();
    private readonly SortedSet<int> _freeGpus = new(capacity.Gpus);
    private int _freeCpus = capacity.Cpus;
    private long _freeMemory = capacity.MemoryMb;
    private int _reserved;
    private int _runningHere;
    private bool _aloneRunning;
    private readonly Dictionary<(string Join, long SplitTask), (string Input, int Branch)?[]> _joins = new();
    private readonly TextWriter _log = options.Log ?? Console.Error;
    private long _nextTaskId;
    private int _tasks;
    private int _cloned;
    private int _cached;

    // For [Cache] steps: the cache, and the records of the tasks that are inputs of their tasks, by path.
    private readonly StepCache? _cache = definition.Graph.Steps.Any(s => s.Cache is not null) ? new StepCache(definition.Graph, datastore, run) : null;
    private readonly Dictionary<string, TaskRecord> _cacheInputs = new(StringComparer.Ordinal);
    private TaskRecord? _end;
    private TaskRecord? _failed;

    public async Task<RunResult> RunAsync(CancellationToken cancellationToken)
    {
        var started = options.TimeProvider.GetTimestamp();
        _log.WriteLine(run.OriginRunId is null
            ? $"Flow {_graph.Name}: run {run.RunId} started by {run.User}."
            : $"Flow {_graph.Name}: run {run.RunId} resumes run {run.OriginRunId} from {(run.ResumedSteps.Count == 0 ? "where it stopped" : string.Join(", ", run.ResumedSteps))}.");
        AddReady(new PendingTask("Start", [], [], null, 0, null));
        var running = new Dictionary<Task<TaskRecord>, (PendingTask Pending, Reservation Reservation)>();
        try
        {
            // A file of a [Cache] step's key that is missing fails the run here, before any task runs.
            _cache?.HashFiles();
            while (_ready.Count > 0 || _readyElsewhere.Count > 0 || running.Count > 0)
            {
                while (_failed is null && TakeReady(_runningHere < options.MaxWorkers) is { } next)
                {
                    var (pending, reservation) = next;
                    var taskId = ++_nextTaskId;
                    if (resume is not null && await TryCloneAsync(resume, pending, taskId, cancellationToken).ConfigureAwait(false))
                    {
                        Release(reservation);
                        continue;
                    }

                    string? cacheKey = null;
                    if (_cache is not null && _graph[pending.Step].Cache is not null)
                    {
                        var (key, hit) = await LookUpAsync(_cache, pending, taskId, cancellationToken).ConfigureAwait(false);
                        if (hit)
                        {
                            Release(reservation);
                            continue;
                        }

                        cacheKey = key;
                    }

                    display.Started(pending.Step);
                    running.Add(RunWithRetriesAsync(pending, taskId, reservation, cacheKey, cancellationToken), (pending, reservation));
                }

                launcher.Started();
                if (running.Count == 0)
                {
                    break;
                }

                var done = await Task.WhenAny(running.Keys).ConfigureAwait(false);
                var finished = running[done];
                running.Remove(done);
                Release(finished.Reservation);
                var record = await done.ConfigureAwait(false);
                display.Finished(finished.Pending.Step, record.Status == RunStatus.Succeeded);
                Complete(finished.Pending, record);
            }

            if (_failed is not null && resume is not null)
            {
                await CloneRemainingAsync(resume, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            var status = _failed is null && _end is not null ? RunStatus.Succeeded : RunStatus.Failed;
            await datastore.Metadata.UpdateRunAsync(
                run with { Status = status, FinishedAt = DateTimeOffset.UtcNow, FailedTask = _failed?.Pathspec },
                CancellationToken.None).ConfigureAwait(false);
        }

        Func<IReadOnlyDictionary<string, ArtifactValue>> end = static () => new Dictionary<string, ArtifactValue>();
        if (_failed is null && _end is { } endTask)
        {
            end = () => datastore.GetAllAsync(endTask.Artifacts, endTask.Pathspec, CancellationToken.None).GetAwaiter().GetResult();
            List<string> parts = [];
            if (run.OriginRunId is not null)
            {
                parts.Add($"{_cloned} cloned from run {run.OriginRunId}");
            }

            if (_cached > 0)
            {
                parts.Add($"{_cached} cached");
            }

            var cloned = parts.Count == 0 ? "" : $" ({string.Join(", ", parts)}, {_tasks - _cloned - _cached} ran)";
            _log.WriteLine($"Flow {_graph.Name}: run {run.RunId} succeeded: {_tasks} tasks{cloned} in {options.TimeProvider.GetElapsedTime(started).TotalSeconds:0.00} s.");
        }
        else if (_failed is not null)
        {
            _log.WriteLine($"Flow {_graph.Name}: run {run.RunId} failed in task {_failed.Pathspec}: {_failed.Error}");
            _log.WriteLine($"Fix the step, then resume with: {options.Command} resume --origin-run-id {run.RunId}");
        }

        return new RunResult(run.RunId, _failed?.Error ?? (_end is null ? StepError.From(new FlowException("The run stopped before its end step."), "End") : null), _failed?.Pathspec, end, _tasks, _cloned) { CachedCount = _cached };
    }

    /// <summary>
    /// The first ready task (within a short look-ahead) whose resources are free, reserved. A task that must run
    /// alone (see <see cref="MustRunAlone"/>) waits for the running ones to finish, and nothing passes it meanwhile.
    /// A task that runs elsewhere (<see cref="ITaskLauncher.RunsElsewhere"/>) reserves nothing here and is always
    /// taken; one that runs here only when <paramref name="slotHere"/> (fewer than --max-workers run here).
    /// </summary>
    private (PendingTask, Reservation)? TakeReady(bool slotHere)
    {
        if (_readyElsewhere.Count > 0)
        {
            return (_readyElsewhere.Dequeue(), Reservation.Elsewhere);
        }

        if (_aloneRunning || !slotHere)
        {
            return null;
        }

        var node = _ready.First;
        for (var i = 0; node is not null && i < LookAhead; i++, node = node.Next)
        {
            var step = _graph[node.Value.Step];
            var request = step.Resources;
            var cpus = Math.Min(request?.Cpu ?? 1, capacity.Cpus);
            var memory = Math.Min(request?.MemoryMb ?? 0, capacity.MemoryMb);
            var gpus = capacity.Gpus.Count == 0 ? 0 : request?.Gpu ?? 0;
            var alone = MustRunAlone(step, gpus);
            if (alone && _reserved > 0)
            {
                return null;
            }

            if (cpus <= _freeCpus && memory <= _freeMemory && gpus <= _freeGpus.Count)
            {
                _ready.Remove(node);
                _freeCpus -= cpus;
                _freeMemory -= memory;
                var assigned = _freeGpus.Take(gpus).ToList();
                foreach (var gpu in assigned)
                {
                    _freeGpus.Remove(gpu);
                }

                _reserved++;
                _runningHere++;
                _aloneRunning = alone;
                return (node.Value, new Reservation(cpus, memory, assigned, alone));
            }
        }

        return null;
    }

    // Tasks on threads of one process share its environment variables: one that sets some ([Environment], or a GPU's
    // CUDA_VISIBLE_DEVICES) must be the only task running while they are set.
    private bool MustRunAlone(StepNode step, int gpus) =>
        launcher.SharesEnvironment && (step.Environment.Count > 0 || gpus > 0);

    private void Release(Reservation reservation)
    {
        if (ReferenceEquals(reservation, Reservation.Elsewhere))
        {
            return;
        }

        _runningHere--;
        _freeCpus += reservation.Cpus;
        _freeMemory += reservation.MemoryMb;
        _freeGpus.UnionWith(reservation.Gpus);
        _reserved--;
        if (reservation.Alone)
        {
            _aloneRunning = false;
        }
    }

    /// <summary>
    /// Looks for an earlier run's task to reuse for a task of a [Cache] step: its key (for the record of a task that runs),
    /// and whether it was cloned (and completed). Unless --no-cache, a match is cloned by reference and reported. A lookup
    /// that fails (an unreadable earlier record) is a warning: the task runs.
    /// </summary>
    private async Task<(string? Key, bool Hit)> LookUpAsync(StepCache cache, PendingTask pending, long taskId, CancellationToken cancellationToken)
    {
        var node = _graph[pending.Step];
        try
        {
            var inputs = new List<TaskRecord>(pending.Inputs.Count);
            foreach (var input in pending.Inputs)
            {
                inputs.Add(_cacheInputs.GetValueOrDefault(input) ?? await ReadInputAsync(input, cancellationToken).ConfigureAwait(false));
            }

            var (key, clone) = await cache.CloneIfCachedAsync(node, pending, inputs, taskId, options.NoCache, null, cancellationToken).ConfigureAwait(false);
            if (clone is null)
            {
                return (key, false);
            }

            _cached++;
            _log.WriteLine($"[{node.Name}/{taskId}] cached from {clone.ClonedFrom}");
            display.Cloned(node.Name);
            Complete(pending, clone);
            return (key, true);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _log.WriteLine($"warning: [{node.Name}/{taskId}] the cache could not be looked up ({e.Message}); the task runs.");
            return (null, false);
        }
    }

    private async Task<TaskRecord> ReadInputAsync(string pathspec, CancellationToken cancellationToken)
    {
        var parts = pathspec.Split('/');
        return await datastore.Metadata.GetTaskAsync(_graph.Name, parts[0], parts[1], long.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false)
            ?? throw new FlowException($"Task {pathspec} is not in the datastore at {datastore.Description}.");
    }

    private async Task<TaskRecord> RunWithRetriesAsync(PendingTask pending, long taskId, Reservation reservation, string? cacheKey, CancellationToken cancellationToken)
    {
        var node = _graph[pending.Step];
        var attempts = 1 + (node.Retry?.Times ?? 0);
        TaskRecord? record = null;
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            if (attempt > 0)
            {
                _log.WriteLine($"[{pending.Step}/{taskId}] attempt {attempt} failed: {record!.Error}; retrying");
                if (node.Retry is { DelaySeconds: > 0 } retry)
                {
                    await Task.Delay(TimeSpan.FromSeconds(retry.DelaySeconds), cancellationToken).ConfigureAwait(false);
                }
            }

            var request = new TaskRequest
            {
                RunId = run.RunId,
                Step = pending.Step,
                TaskId = taskId,
                Attempt = attempt,
                Iteration = pending.Iteration,
                Position = pending.Position,
                Index = pending.Index,
                Inputs = pending.Inputs,
                InputBranches = pending.Branches,
                ForeachIndex = pending.ForeachIndex,
                Environment = EnvironmentOf(node, reservation),
                InputsChecked = true,
                WithCard = options.WithCard,
                CacheKey = cacheKey,
            };
            var attemptRun = launcher.RunAsync(request, node.Timeout, cancellationToken);
            if (attempt > 0)
            {
                // A retry starts outside the scheduler's loop, which may be waiting for this very task.
                launcher.Started();
            }

            record = await attemptRun.ConfigureAwait(false);
            if (record.Status == RunStatus.Succeeded)
            {
                return record;
            }
        }

        if (node.Catch is { } caught)
        {
            record = await CatchAsync(pending, record!, caught, cancellationToken).ConfigureAwait(false);
        }

        return record!;
    }

    private static Dictionary<string, string> EnvironmentOf(StepNode node, Reservation reservation)
    {
        var environment = node.Environment.ToDictionary(e => e.Name, e => e.Value, StringComparer.Ordinal);
        if (reservation.Gpus.Count > 0)
        {
            environment["CUDA_VISIBLE_DEVICES"] = string.Join(",", reservation.Gpus);
        }

        return environment;
    }

    private async Task<TaskRecord> CatchAsync(PendingTask pending, TaskRecord failed, CatchPolicy caught, CancellationToken cancellationToken)
    {
        var artifacts = new Dictionary<string, ArtifactRef>(failed.Artifacts, StringComparer.Ordinal);
        if (caught.Artifact is { } name)
        {
            artifacts[name] = await datastore.PutAsync(FlowSerializer.Serialize(failed.Error), nameof(StepError), cancellationToken).ConfigureAwait(false);
        }

        var record = failed with { Status = RunStatus.Succeeded, Artifacts = artifacts, Next = Loops.AfterCatch(_graph[pending.Step]) };
        await datastore.Metadata.PutTaskAsync(record, cancellationToken).ConfigureAwait(false);
        _log.WriteLine($"[{pending.Step}/{failed.TaskId}] failed, caught: {failed.Error}");
        return record;
    }

    /// <summary>
    /// After a failure nothing new starts, but every waiting task that can be cloned still is (clones run no code),
    /// and what follows it: a resume of this failed run then finds them in its records instead of running them again.
    /// </summary>
    private async Task CloneRemainingAsync(ResumePlan resume, CancellationToken cancellationToken)
    {
        while (_ready.Count > 0 || _readyElsewhere.Count > 0)
        {
            PendingTask first;
            if (_ready.First is { } here)
            {
                first = here.Value;
                _ready.RemoveFirst();
            }
            else
            {
                first = _readyElsewhere.Dequeue();
            }

            // A task id only for a clone: the others do not run.
            if (await TryCloneAsync(resume, first, _nextTaskId + 1, cancellationToken).ConfigureAwait(false))
            {
                _nextTaskId++;
            }
        }
    }

    /// <summary>Clones the origin run's task for <paramref name="pending"/> when the plan says so; false when the task must run.</summary>
    private async Task<bool> TryCloneAsync(ResumePlan resume, PendingTask pending, long taskId, CancellationToken cancellationToken)
    {
        if (resume.CloneFor(pending.Step, pending.Position, pending.Inputs) is not { } origin)
        {
            return false;
        }

        var clone = await CloneAsync(pending, taskId, origin, cancellationToken).ConfigureAwait(false);
        resume.Cloned(clone.Pathspec);
        display.Cloned(pending.Step);
        Complete(pending, clone);
        return true;
    }

    private async Task<TaskRecord> CloneAsync(PendingTask pending, long taskId, TaskRecord origin, CancellationToken cancellationToken)
    {
        var record = origin with
        {
            RunId = run.RunId,
            TaskId = taskId,
            Inputs = pending.Inputs,
            ClonedFrom = origin.ClonedFrom ?? origin.Pathspec,
        };
        await datastore.Metadata.PutTaskAsync(record, cancellationToken).ConfigureAwait(false);
        _cloned++;
        return record;
    }

    private void Complete(PendingTask pending, TaskRecord record)
    {
        _tasks++;
        if (_cache is not null && record.Status == RunStatus.Succeeded && record.Next.Any(n => _graph[n].Cache is not null))
        {
            _cacheInputs[record.Pathspec] = record;
        }

        if (record.Status != RunStatus.Succeeded)
        {
            _log.WriteLine($"[{record.Step}/{record.TaskId}]{(_graph[record.Step].IsLoop ? $" iteration {record.Iteration}" : "")} failed: {record.Error}");
            _failed ??= record;
            return;
        }

        if (!display.Live && (record.ClonedFrom is null || record.Error is not null))
        {
            var iteration = _graph[record.Step].IsLoop ? $" iteration {record.Iteration}" : "";
            _log.WriteLine($"[{record.Step}/{record.TaskId}]{iteration} done in {(record.FinishedAt - record.StartedAt).TotalMilliseconds:0} ms");
        }

        var node = _graph[record.Step];
        switch (node.Transition)
        {
            case TransitionKind.None:
                _end = record;
                break;
            case TransitionKind.Conditional when Loops.Repeats(node, record):
                if (Loops.NextIteration(pending, record, options.MaxLoopIterations, out var tooMany) is { } iteration)
                {
                    AddReady(iteration);
                    break;
                }

                _failed ??= record with { Status = RunStatus.Failed, Error = tooMany };
                _log.WriteLine($"[{record.Step}/{record.TaskId}] {tooMany!.Message}");
                return;
            case TransitionKind.Linear:
            case TransitionKind.Conditional:
                Enqueue(record, record.Next[0], pending.Index, pending.Frame, null);
                break;
            case TransitionKind.Split:
                for (var i = 0; i < record.Next.Count; i++)
                {
                    Enqueue(record, record.Next[i], pending.Index, new SplitFrame(record.Step, record.TaskId, record.Next.Count, i, pending.Index, pending.Frame), null);
                }

                break;
            case TransitionKind.Foreach:
                var count = record.ForeachElements?.Count ?? 0;
                if (count > options.MaxNumSplits)
                {
                    _failed ??= record with
                    {
                        Status = RunStatus.Failed,
                        Error = StepError.From(new FlowException($"Foreach in step {record.Step} has {count} elements, more than --max-num-splits {options.MaxNumSplits}; raise the limit or split the work."), record.Step),
                    };
                    _log.WriteLine($"[{record.Step}/{record.TaskId}] {_failed.Error!.Message}");
                    return;
                }

                if (count == 0)
                {
                    var join = node.MatchingJoin ?? throw new FlowException($"Foreach step {record.Step} has no matching join in its graph; rebuild the flow.");
                    AddReady(new PendingTask(join, [], [], null, pending.Index, pending.Frame));
                    break;
                }

                for (var i = 0; i < count; i++)
                {
                    Enqueue(record, record.Next[0], i, new SplitFrame(record.Step, record.TaskId, count, i, pending.Index, pending.Frame), i);
                }

                break;
        }

    }

    private void AddReady(PendingTask pending)
    {
        if (launcher.RunsElsewhere(_graph[pending.Step]))
        {
            _readyElsewhere.Enqueue(pending);
        }
        else
        {
            _ready.AddLast(pending);
        }

        display.Queued(pending.Step);
    }

    private void Enqueue(TaskRecord from, string target, int index, SplitFrame? frame, int? foreachIndex)
    {
        if (!_graph[target].IsJoin)
        {
            AddReady(new PendingTask(target, [from.Pathspec], [], foreachIndex, index, frame));
            return;
        }

        var closing = frame ?? throw new FlowException($"Step {from.Step} goes to join {target} outside any split; rebuild the flow.");
        var key = (target, closing.SplitTaskId);
        if (!_joins.TryGetValue(key, out var inputs))
        {
            inputs = new (string, int)?[closing.Count];
            _joins[key] = inputs;
        }

        inputs[closing.Branch] = (from.Pathspec, closing.Branch);
        if (Array.TrueForAll(inputs, i => i is not null))
        {
            _joins.Remove(key);
            AddReady(new PendingTask(target, inputs.Select(i => i!.Value.Input).ToList(), inputs.Select(i => i!.Value.Branch).ToList(), null, closing.ParentIndex, closing.Outer));
        }
    }
}
