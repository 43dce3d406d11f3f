using System.Diagnostics;
using Flow.Datastore;
using Flow.Graph;
using Flow.Serialization;

namespace Flow.Execution;

/// <summary>Where a task's step code runs.</summary>
public enum TaskIsolation
{
    /// <summary>On a thread of this process: fastest, no protection from crashes or hangs (tests, notebooks).</summary>
    InProcess,

    /// <summary>In reusable worker processes of the flow's program: a crash, kill or timeout fails only the task.</summary>
    Process,
}

/// <summary>How to start a worker: this flow's program and the arguments that select the flow.</summary>
/// <param name="FileName">The program.</param>
/// <param name="Arguments">Arguments before the worker command (the assembly for <c>dotnet</c>, the flow name in a program with several).</param>
public sealed record WorkerCommand(string FileName, IReadOnlyList<string> Arguments);

/// <summary>Options of one run.</summary>
public sealed record RunOptions
{
    /// <summary>How many tasks run at once (default: the machine's cores).</summary>
    public int MaxWorkers { get; init; } = Environment.ProcessorCount;

    /// <summary>The most children one foreach may have.</summary>
    public int MaxNumSplits { get; init; } = 100_000;

    /// <summary>Where the tasks' standard output goes (default: standard output).</summary>
    public TextWriter? Output { get; init; }

    /// <summary>Where Flow's own progress lines go (default: standard error).</summary>
    public TextWriter? Log { get; init; }

    /// <summary>The user recorded with the run (default: <c>FLOW_USER</c>, else the OS user).</summary>
    public string? User { get; init; }

    /// <summary>Tags to give the run.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The datastore (default: the configured one, see <see cref="DatastoreConfig"/>; else the local one in <c>.flow</c>).</summary>
    public FlowDatastore? Datastore { get; init; }

    /// <summary>Where tasks run (default: in this process).</summary>
    public TaskIsolation Isolation { get; init; } = TaskIsolation.InProcess;

    /// <summary>How to start workers, for <see cref="TaskIsolation.Process"/>.</summary>
    public WorkerCommand? Worker { get; init; }

    /// <summary>A file to write the new run's id to, as soon as the run exists.</summary>
    public string? RunIdFile { get; init; }

    /// <summary>A worker pool started ahead of the run (its first worker already on its way up), used instead of a new one.</summary>
    internal WorkerPool? Workers { get; init; }

    /// <summary>Called once the run's record exists: from then on a failure is the run's, not its command line's.</summary>
    internal Action<RunRecord>? RunCreated { get; init; }

    /// <summary>Whether to keep a live status line on the terminal instead of a line per task.</summary>
    public bool LiveProgress { get; init; }

    /// <summary>What the machine offers tasks (default: detected).</summary>
    public MachineCapacity? Capacity { get; init; }
}

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

    /// <summary>The artifacts of the end step's task (empty for a failed run), read from the datastore when first asked for.</summary>
    public IReadOnlyDictionary<string, ArtifactValue> EndArtifacts => _endArtifacts.Value;

    /// <summary>Reads an artifact of the end step's task.</summary>
    public T Artifact<T>(string name) =>
        EndArtifacts.TryGetValue(name, out var value)
            ? FlowSerializer.Deserialize<T>(value, $"artifact {name} of run {RunId}")
            : throw new FlowException($"Run {RunId} has no artifact '{name}' at its end step.");
}

/// <summary>
/// Runs a flow on this machine: every ready task is started, up to <see cref="RunOptions.MaxWorkers"/>
/// at once; splits fan out, joins wait for all branches of the split they close. Every task's
/// artifacts and record are persisted, so a failed run can be resumed.
/// </summary>
public sealed class LocalScheduler
{
    private readonly FlowDefinition _definition;
    private readonly RunOptions _options;
    private readonly FlowDatastore _datastore;
    private MachineCapacity? _capacity;

    /// <summary>Creates a scheduler for one flow.</summary>
    public LocalScheduler(FlowDefinition definition, RunOptions? options = null)
    {
        _definition = definition;
        _options = options ?? new RunOptions();
        if (_options.MaxWorkers < 1)
        {
            throw new FlowException($"--max-workers must be at least 1, got {_options.MaxWorkers}.");
        }

        if (_options.MaxNumSplits < 1)
        {
            throw new FlowException($"--max-num-splits must be at least 1, got {_options.MaxNumSplits}.");
        }

        if (_options.Isolation == TaskIsolation.Process && _options.Worker is null)
        {
            throw new FlowException("Running tasks in worker processes needs the command that starts this flow's program.");
        }

        _datastore = _options.Datastore ?? FlowDatastore.FromConfiguration();
    }

    // Detected once per scheduler: looking for GPUs may start nvidia-smi.
    private MachineCapacity Capacity => _capacity ??= _options.Capacity ?? MachineCapacity.Detect();

    /// <summary>Runs the flow with parameter values given as command-line text.</summary>
    public async Task<RunResult> RunAsync(IReadOnlyDictionary<string, string>? parameters = null, CancellationToken cancellationToken = default)
    {
        var values = Parameters.Resolve(_definition, parameters ?? new Dictionary<string, string>());
        var refs = new Dictionary<string, ArtifactRef>(StringComparer.Ordinal);
        foreach (var (name, value) in values)
        {
            refs[name] = await _datastore.PutAsync(value, _definition.Graph.Artifacts.First(a => a.Name == name).Type, cancellationToken).ConfigureAwait(false);
        }

        var run = await CreateRunAsync(refs, null, [], cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(run, new Dictionary<string, TaskRecord>(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Resumes a run in a new run: every successful task before <paramref name="step"/> (or, without it,
    /// outside the failed steps and what follows them) is cloned by reference; the rest runs again.
    /// </summary>
    public async Task<RunResult> ResumeAsync(string? originRunId = null, string? step = null, CancellationToken cancellationToken = default)
    {
        var graph = _definition.Graph;
        if (step is not null)
        {
            _ = graph[step];
        }

        var origin = originRunId is null
            ? (await _datastore.Metadata.ListRunsAsync(graph.Name, cancellationToken).ConfigureAwait(false))
                .Where(r => r.SystemTags.Contains("user:" + (_options.User ?? DefaultUser()), StringComparer.Ordinal))
                .OrderByDescending(r => r.StartedAt).FirstOrDefault()
                ?? throw new FlowException($"There is no run of {graph.Name} by {_options.User ?? DefaultUser()} to resume in the datastore at {_datastore.Description}; name one with --origin-run-id.")
            : await _datastore.Metadata.GetRunAsync(graph.Name, Ids.Check(originRunId, "run id"), cancellationToken).ConfigureAwait(false)
                ?? throw new FlowException($"Run {graph.Name}/{originRunId} is not in the datastore at {_datastore.Description}.");
        var tasks = await _datastore.Metadata.ListTasksAsync(graph.Name, origin.RunId, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<string> from;
        if (step is not null)
        {
            from = [graph[step].Name];
            if (step == "Start")
            {
                throw new FlowException("Resuming from Start would run everything again; start a new run with 'run' instead.");
            }
        }
        else
        {
            from = tasks.Where(t => t.Status == RunStatus.Failed).Select(t => t.Step).Distinct().ToList();
        }

        var rerun = Descendants(graph, from);
        var clones = tasks
            .Where(t => t.Status == RunStatus.Succeeded && !rerun.Contains(t.Step))
            .GroupBy(t => t.Position, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.FinishedAt).First(), StringComparer.Ordinal);
        var run = await CreateRunAsync(origin.Parameters, origin.RunId, from, cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(run, clones, cancellationToken).ConfigureAwait(false);
    }

    internal static string DefaultUser() =>
        System.Environment.GetEnvironmentVariable("FLOW_USER") is { Length: > 0 } user ? user : System.Environment.UserName;

    private static HashSet<string> Descendants(FlowGraph graph, IEnumerable<string> steps)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(steps);
        while (pending.Count > 0)
        {
            var name = pending.Pop();
            if (result.Add(name))
            {
                foreach (var next in graph[name].Next)
                {
                    pending.Push(next);
                }
            }
        }

        return result;
    }

    /// <summary>
    /// Checks every step's [Resources] against the machine before anything runs: a GPU request larger than
    /// a machine with GPUs can ever give is an error; CPU and memory requests are capped at the machine,
    /// and GPU steps run without a GPU on a machine that has none (both with a warning).
    /// </summary>
    private void CheckResources(MachineCapacity capacity, TextWriter log)
    {
        foreach (var step in _definition.Graph.Steps)
        {
            if (step.Resources is not { } r)
            {
                continue;
            }

            if (r.Gpu > 0 && capacity.Gpus.Count > 0 && r.Gpu > capacity.Gpus.Count)
            {
                throw new FlowException(
                    $"Step {step.Name} asks for {r.Gpu} GPUs, but this machine has {capacity.Gpus.Count} ({string.Join(", ", capacity.Gpus)}); lower [Resources(Gpu = ...)] or run it on a larger machine. FLOW_GPUS overrides GPU detection.");
            }

            if (r.Gpu > 0 && capacity.Gpus.Count == 0)
            {
                log.WriteLine($"warning: step {step.Name} asks for {r.Gpu} GPU(s); this machine has none, so it runs without one.");
            }

            if (r.Cpu > capacity.Cpus || r.MemoryMb > capacity.MemoryMb)
            {
                log.WriteLine($"warning: step {step.Name} asks for {r.Cpu} CPUs and {r.MemoryMb} MB; this machine has {capacity.Cpus} CPUs and {capacity.MemoryMb} MB, so it gets at most that, and runs alone.");
            }
        }
    }

    private async Task<RunRecord> CreateRunAsync(IReadOnlyDictionary<string, ArtifactRef> parameters, string? origin, IReadOnlyList<string> resumed, CancellationToken cancellationToken)
    {
        CheckResources(Capacity, _options.Log ?? Console.Error);
        var user = _options.User ?? DefaultUser();
        foreach (var tag in _options.Tags)
        {
            Ids.Check(tag.Replace(':', '_'), "tag");
        }

        var run = new RunRecord
        {
            Flow = _definition.Graph.Name,
            RunId = NewRunId(),
            User = user,
            Status = RunStatus.Running,
            Tags = _options.Tags,
            SystemTags = [$"user:{user}", $"runtime:dotnet-{System.Environment.Version}", $"flow_version:{typeof(FlowSpec).Assembly.GetName().Version}"],
            Parameters = parameters,
            StartedAt = DateTimeOffset.UtcNow,
            OriginRunId = origin,
            ResumedSteps = resumed,
        };
        await _datastore.Metadata.CreateRunAsync(run, cancellationToken).ConfigureAwait(false);
        _options.RunCreated?.Invoke(run);
        if (_options.RunIdFile is { } file)
        {
            await File.WriteAllTextAsync(file, run.RunId + "\n", cancellationToken).ConfigureAwait(false);
        }

        return run;
    }

    private async Task<RunResult> ExecuteAsync(RunRecord run, IReadOnlyDictionary<string, TaskRecord> clones, CancellationToken cancellationToken)
    {
        var executor = new TaskExecutor(_definition, _datastore);
        var display = new ProgressDisplay(_options.Log ?? Console.Error, _options.LiveProgress, _definition.Graph.Steps.Select(s => s.Name).ToList());
        var log = display.Wrap(_options.Log ?? Console.Error);
        var output = display.Wrap(_options.Output ?? Console.Out);
        try
        {
            await using ITaskLauncher launcher = _options.Isolation == TaskIsolation.Process
                ? Workers(output, log)
                : new InProcessLauncher(executor);
            var state = new RunState(_definition, _options with { Log = log }, _datastore, run, launcher, clones, Capacity, display);
            return await state.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            display.Close();
        }
    }

    private WorkerPool Workers(TextWriter output, TextWriter log)
    {
        var pool = _options.Workers is { Attached: false } early ? early : new WorkerPool(_options.Worker!);
        pool.Attach(_definition.Graph.Name, _datastore.Description, _datastore.Metadata, output, log, _options.MaxWorkers);
        return pool;
    }

    private static string NewRunId() =>
        DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture) +
        "-" + Ids.RandomHex(4);

    /// <summary>One open split a task is inside of; frames chain outwards to the outermost split.</summary>
    private sealed record SplitFrame(string SplitStep, long SplitTaskId, int Count, int Branch, int ParentIndex, SplitFrame? Outer)
    {
        public string Path => Outer is null ? Branch.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{Outer.Path}.{Branch}";
    }

    /// <summary>The resources a running task holds.</summary>
    private sealed record Reservation(int Cpus, long MemoryMb, IReadOnlyList<int> Gpus);

    private sealed record Pending(string Step, IReadOnlyList<string> Inputs, IReadOnlyList<int> Branches, int? ForeachIndex, int Index, SplitFrame? Frame)
    {
        public string Position => $"{Step}/{Frame?.Path}";
    }

    private sealed class RunState(FlowDefinition definition, RunOptions options, FlowDatastore datastore, RunRecord run, ITaskLauncher launcher, IReadOnlyDictionary<string, TaskRecord> clones, MachineCapacity capacity, ProgressDisplay display)
    {
        private const int LookAhead = 64;
        private readonly FlowGraph _graph = definition.Graph;
        private readonly LinkedList<Pending> _ready = new();
        private readonly SortedSet<int> _freeGpus = new(capacity.Gpus);
        private int _freeCpus = capacity.Cpus;
        private long _freeMemory = capacity.MemoryMb;
        private readonly Dictionary<(string Join, long SplitTask), (string Input, int Branch)?[]> _joins = new();
        private readonly TextWriter _log = options.Log ?? Console.Error;
        private long _nextTaskId;
        private int _tasks;
        private int _cloned;
        private TaskRecord? _end;
        private TaskRecord? _failed;

        public async Task<RunResult> RunAsync(CancellationToken cancellationToken)
        {
            var clock = Stopwatch.StartNew();
            _log.WriteLine(run.OriginRunId is null
                ? $"Flow {_graph.Name}: run {run.RunId} started by {run.User}."
                : $"Flow {_graph.Name}: run {run.RunId} resumes run {run.OriginRunId} from {(run.ResumedSteps.Count == 0 ? "where it stopped" : string.Join(", ", run.ResumedSteps))}.");
            _ready.AddLast(new Pending("Start", [], [], null, 0, null));
            var running = new Dictionary<Task<TaskRecord>, (Pending Pending, Reservation Reservation)>();
            try
            {
                while (_ready.Count > 0 || running.Count > 0)
                {
                    while (_failed is null && running.Count < options.MaxWorkers && TakeReady() is { } next)
                    {
                        var (pending, reservation) = next;
                        var taskId = ++_nextTaskId;
                        if (clones.TryGetValue(pending.Position, out var origin) && origin.Step == pending.Step)
                        {
                            Release(reservation);
                            Complete(pending, await CloneAsync(pending, taskId, origin, cancellationToken).ConfigureAwait(false));
                            continue;
                        }

                        display.Started(pending.Step);
                        running.Add(RunWithRetriesAsync(pending, taskId, reservation, cancellationToken), (pending, reservation));
                    }

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
                var cloned = _cloned > 0 ? $" ({_cloned} cloned from run {run.OriginRunId})" : "";
                _log.WriteLine($"Flow {_graph.Name}: run {run.RunId} succeeded: {_tasks} tasks{cloned} in {clock.Elapsed.TotalSeconds:0.00} s.");
            }
            else if (_failed is not null)
            {
                _log.WriteLine($"Flow {_graph.Name}: run {run.RunId} failed in task {_failed.Pathspec}: {_failed.Error}");
                _log.WriteLine($"Fix the step, then resume with: dotnet run -- resume {_failed.Step} --origin-run-id {run.RunId}");
            }

            return new RunResult(run.RunId, _failed?.Error ?? (_end is null ? StepError.From(new FlowException("The run stopped before its end step."), "End") : null), _failed?.Pathspec, end, _tasks, _cloned);
        }

        /// <summary>The first ready task (within a short look-ahead) whose resources are free, reserved.</summary>
        private (Pending, Reservation)? TakeReady()
        {
            var node = _ready.First;
            for (var i = 0; node is not null && i < LookAhead; i++, node = node.Next)
            {
                var request = _graph[node.Value.Step].Resources;
                var cpus = Math.Min(request?.Cpu ?? 1, capacity.Cpus);
                var memory = Math.Min(request?.MemoryMb ?? 0, capacity.MemoryMb);
                var gpus = capacity.Gpus.Count == 0 ? 0 : request?.Gpu ?? 0;
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

                    return (node.Value, new Reservation(cpus, memory, assigned));
                }
            }

            return null;
        }

        private void Release(Reservation reservation)
        {
            _freeCpus += reservation.Cpus;
            _freeMemory += reservation.MemoryMb;
            _freeGpus.UnionWith(reservation.Gpus);
        }

        private async Task<TaskRecord> RunWithRetriesAsync(Pending pending, long taskId, Reservation reservation, CancellationToken cancellationToken)
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
                    Position = pending.Position,
                    Index = pending.Index,
                    Inputs = pending.Inputs,
                    InputBranches = pending.Branches,
                    ForeachIndex = pending.ForeachIndex,
                    Environment = EnvironmentOf(node, reservation),
                    InputsChecked = true,
                };
                record = await launcher.RunAsync(request, node.Timeout, cancellationToken).ConfigureAwait(false);
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

        private async Task<TaskRecord> CatchAsync(Pending pending, TaskRecord failed, CatchPolicy caught, CancellationToken cancellationToken)
        {
            var artifacts = new Dictionary<string, ArtifactRef>(failed.Artifacts, StringComparer.Ordinal);
            if (caught.Artifact is { } name)
            {
                artifacts[name] = await datastore.PutAsync(FlowSerializer.Serialize(failed.Error), nameof(StepError), cancellationToken).ConfigureAwait(false);
            }

            var record = failed with { Status = RunStatus.Succeeded, Artifacts = artifacts, Next = _graph[pending.Step].Next };
            await datastore.Metadata.PutTaskAsync(record, cancellationToken).ConfigureAwait(false);
            _log.WriteLine($"[{pending.Step}/{failed.TaskId}] failed, caught: {failed.Error}");
            return record;
        }

        private async Task<TaskRecord> CloneAsync(Pending pending, long taskId, TaskRecord origin, CancellationToken cancellationToken)
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

        private void Complete(Pending pending, TaskRecord record)
        {
            _tasks++;
            if (record.Status != RunStatus.Succeeded)
            {
                _log.WriteLine($"[{record.Step}/{record.TaskId}] failed: {record.Error}");
                _failed ??= record;
                return;
            }

            if (!display.Live && (record.ClonedFrom is null || record.Error is not null))
            {
                _log.WriteLine($"[{record.Step}/{record.TaskId}] done in {(record.FinishedAt - record.StartedAt).TotalMilliseconds:0} ms");
            }

            var node = _graph[record.Step];
            switch (node.Transition)
            {
                case TransitionKind.None:
                    _end = record;
                    break;
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
                        _ready.AddLast(new Pending(join, [], [], null, pending.Index, pending.Frame));
                        break;
                    }

                    for (var i = 0; i < count; i++)
                    {
                        Enqueue(record, record.Next[0], i, new SplitFrame(record.Step, record.TaskId, count, i, pending.Index, pending.Frame), i);
                    }

                    break;
            }

        }

        private void Enqueue(TaskRecord from, string target, int index, SplitFrame? frame, int? foreachIndex)
        {
            if (!_graph[target].IsJoin)
            {
                _ready.AddLast(new Pending(target, [from.Pathspec], [], foreachIndex, index, frame));
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
                _ready.AddLast(new Pending(target, inputs.Select(i => i!.Value.Input).ToList(), inputs.Select(i => i!.Value.Branch).ToList(), null, closing.ParentIndex, closing.Outer));
            }
        }
    }
}

/// <summary>Runs task attempts somewhere and returns their records.</summary>
internal interface ITaskLauncher : IAsyncDisposable
{
    Task<TaskRecord> RunAsync(TaskRequest request, TimeSpan? timeout, CancellationToken cancellationToken);
}

/// <summary>Runs tasks on the thread pool of this process.</summary>
internal sealed class InProcessLauncher(TaskExecutor executor) : ITaskLauncher
{
    public async Task<TaskRecord> RunAsync(TaskRequest request, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var work = Task.Run(() => executor.RunAsync(request, $"[{request.Step}/{request.TaskId}] ", cancellationToken), cancellationToken);
        if (timeout is not { } limit || await Task.WhenAny(work, Task.Delay(limit, cancellationToken)).ConfigureAwait(false) == work)
        {
            return await work.ConfigureAwait(false);
        }

        return TimedOut(executor.Definition.Graph.Name, request, limit);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    internal static TaskRecord TimedOut(string flow, TaskRequest request, TimeSpan limit) => Failed(
        flow, request, new TimeoutException($"Step {request.Step} ran longer than its timeout of {limit.TotalSeconds:0} s and was stopped."));

    internal static TaskRecord Failed(string flow, TaskRequest request, Exception error) => new()
    {
        Flow = flow,
        RunId = request.RunId,
        Step = request.Step,
        TaskId = request.TaskId,
        Position = request.Position,
        Status = RunStatus.Failed,
        Attempt = request.Attempt,
        Index = request.Index,
        Inputs = request.Inputs,
        Error = StepError.From(error, request.Step),
        StartedAt = DateTimeOffset.UtcNow,
        FinishedAt = DateTimeOffset.UtcNow,
    };
}
