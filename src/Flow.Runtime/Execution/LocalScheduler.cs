using Flow.Graph;
using Flow.Serialization;

namespace Flow.Execution;

/// <summary>Options of one run.</summary>
public sealed record RunOptions
{
    /// <summary>How many tasks run at once (default: the machine's cores).</summary>
    public int MaxWorkers { get; init; } = Environment.ProcessorCount;

    /// <summary>The most children one foreach may have.</summary>
    public int MaxNumSplits { get; init; } = 100_000;

    /// <summary>Where Flow's own progress lines go (default: standard error).</summary>
    public TextWriter? Log { get; init; }

    /// <summary>The user recorded with the run (default: <c>FLOW_USER</c>, else the OS user).</summary>
    public string? User { get; init; }
}

/// <summary>How a run ended.</summary>
public sealed class RunResult
{
    internal RunResult(string runId, StepError? error, TaskInfo? failedTask, IReadOnlyDictionary<string, ArtifactValue> endArtifacts, int tasks)
    {
        RunId = runId;
        Error = error;
        FailedTask = failedTask;
        EndArtifacts = endArtifacts;
        TaskCount = tasks;
    }

    /// <summary>The run's id.</summary>
    public string RunId { get; }

    /// <summary>Whether every task succeeded and the end step ran.</summary>
    public bool Succeeded => Error is null;

    /// <summary>The error of the first task that failed.</summary>
    public StepError? Error { get; }

    /// <summary>The first task that failed.</summary>
    public TaskInfo? FailedTask { get; }

    /// <summary>The number of tasks that ran.</summary>
    public int TaskCount { get; }

    /// <summary>The artifacts of the end step's task.</summary>
    public IReadOnlyDictionary<string, ArtifactValue> EndArtifacts { get; }

    /// <summary>Reads an artifact of the end step's task.</summary>
    public T Artifact<T>(string name) =>
        EndArtifacts.TryGetValue(name, out var value)
            ? FlowSerializer.Deserialize<T>(value, $"artifact {name} of run {RunId}")
            : throw new FlowException($"Run {RunId} has no artifact '{name}' at its end step.");
}

/// <summary>
/// Runs a flow on this machine: every ready task is started, up to <see cref="RunOptions.MaxWorkers"/>
/// at once; splits fan out, joins wait for all branches of the split they close.
/// </summary>
public sealed class LocalScheduler
{
    private readonly FlowDefinition _definition;
    private readonly RunOptions _options;

    /// <summary>Creates a scheduler for one flow.</summary>
    public LocalScheduler(FlowDefinition definition, RunOptions? options = null)
    {
        _definition = definition;
        _options = options ?? new RunOptions();
        if (_options.MaxWorkers < 1)
        {
            throw new FlowException($"--max-workers must be at least 1, got {_options.MaxWorkers}.");
        }
    }

    /// <summary>Runs the flow with parameter values given as command-line text.</summary>
    public Task<RunResult> RunAsync(IReadOnlyDictionary<string, string>? parameters = null, CancellationToken cancellationToken = default)
    {
        var run = new RunContext(
            _definition.Graph.Name,
            NewRunId(),
            _options.User ?? DefaultUser(),
            Parameters.Resolve(_definition, parameters ?? new Dictionary<string, string>()));
        return new RunState(_definition, _options, run).RunAsync(cancellationToken);
    }

    internal static string DefaultUser() =>
        System.Environment.GetEnvironmentVariable("FLOW_USER") is { Length: > 0 } user ? user : System.Environment.UserName;

    private static string NewRunId() =>
        DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture) +
        "-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(2));

    private sealed class RunState(FlowDefinition definition, RunOptions options, RunContext run)
    {
        private readonly FlowGraph _graph = definition.Graph;
        private readonly Queue<TaskSpec> _ready = new();
        private readonly Dictionary<(string Join, long SplitTask), JoinInput?[]> _joins = new();
        private readonly TextWriter _log = options.Log ?? Console.Error;
        private long _nextTaskId;
        private int _tasks;
        private IReadOnlyDictionary<string, ArtifactValue> _end = new Dictionary<string, ArtifactValue>();
        private StepError? _error;
        private TaskInfo? _failed;

        public async Task<RunResult> RunAsync(CancellationToken cancellationToken)
        {
            _log.WriteLine($"Flow {_graph.Name}: run {run.RunId} started by {run.User}.");
            _ready.Enqueue(new TaskSpec("Start", ++_nextTaskId, run.Parameters, null, null, 0, null));
            var running = new Dictionary<Task<TaskOutcome>, TaskSpec>();
            while (_ready.Count > 0 || running.Count > 0)
            {
                while (_error is null && _ready.Count > 0 && running.Count < options.MaxWorkers)
                {
                    var spec = _ready.Dequeue();
                    running.Add(Task.Run(() => TaskRunner.RunAsync(definition, run, spec, cancellationToken), cancellationToken), spec);
                }

                if (running.Count == 0)
                {
                    break;
                }

                var done = await Task.WhenAny(running.Keys).ConfigureAwait(false);
                var finished = running[done];
                running.Remove(done);
                var outcome = await done.ConfigureAwait(false);
                _tasks++;
                Complete(finished, outcome);
            }

            if (_error is null)
            {
                _log.WriteLine($"Flow {_graph.Name}: run {run.RunId} done, {_tasks} tasks.");
            }
            else
            {
                _log.WriteLine($"Flow {_graph.Name}: run {run.RunId} failed in task {_failed!.Pathspec}: {_error}");
            }

            return new RunResult(run.RunId, _error, _failed, _end, _tasks);
        }

        private void Complete(TaskSpec spec, TaskOutcome outcome)
        {
            if (!outcome.Succeeded)
            {
                _log.WriteLine($"[{spec.Step}/{spec.TaskId}] failed after {outcome.Attempts} attempt(s): {outcome.Error}");
                if (_error is null)
                {
                    _error = outcome.Error;
                    _failed = new TaskInfo(run.FlowName, run.RunId, spec.Step, spec.TaskId, outcome.Attempts - 1, run.User);
                }

                return;
            }

            _log.WriteLine(outcome.Error is null
                ? $"[{spec.Step}/{spec.TaskId}] done in {outcome.Duration.TotalMilliseconds:0} ms"
                : $"[{spec.Step}/{spec.TaskId}] failed, caught: {outcome.Error}");
            var node = _graph[spec.Step];
            switch (node.Transition)
            {
                case TransitionKind.None:
                    _end = outcome.Artifacts;
                    break;
                case TransitionKind.Linear:
                case TransitionKind.Conditional:
                    Enqueue(spec, outcome.Next[0], outcome.Artifacts, null, spec.Index, spec.Frame);
                    break;
                case TransitionKind.Split:
                    for (var i = 0; i < outcome.Next.Count; i++)
                    {
                        var frame = new SplitFrame(spec.Step, spec.TaskId, outcome.Next.Count, i, spec.Index, spec.Frame);
                        Enqueue(spec, outcome.Next[i], outcome.Artifacts, null, spec.Index, frame);
                    }

                    break;
                case TransitionKind.Foreach:
                    var elements = outcome.Elements ?? [];
                    if (elements.Count > options.MaxNumSplits)
                    {
                        _error = StepError.From(
                            new FlowException($"Foreach in step {spec.Step} has {elements.Count} elements, more than --max-num-splits {options.MaxNumSplits}; raise the limit or split the work."),
                            spec.Step);
                        _failed = new TaskInfo(run.FlowName, run.RunId, spec.Step, spec.TaskId, 0, run.User);
                        _log.WriteLine($"[{spec.Step}/{spec.TaskId}] {_error.Message}");
                        return;
                    }

                    if (elements.Count == 0)
                    {
                        var join = node.MatchingJoin ?? throw new FlowException($"Foreach step {spec.Step} has no matching join in its graph; rebuild the flow.");
                        _ready.Enqueue(new TaskSpec(join, ++_nextTaskId, run.Parameters, [], null, spec.Index, spec.Frame));
                        break;
                    }

                    for (var i = 0; i < elements.Count; i++)
                    {
                        var frame = new SplitFrame(spec.Step, spec.TaskId, elements.Count, i, spec.Index, spec.Frame);
                        Enqueue(spec, outcome.Next[0], outcome.Artifacts, elements[i], i, frame);
                    }

                    break;
            }

        }

        private void Enqueue(TaskSpec from, string target, IReadOnlyDictionary<string, ArtifactValue> artifacts, ArtifactValue? item, int index, SplitFrame? frame)
        {
            if (!_graph[target].IsJoin)
            {
                _ready.Enqueue(new TaskSpec(target, ++_nextTaskId, artifacts, null, item, index, frame));
                return;
            }

            var closing = frame ?? throw new FlowException($"Step {from.Step} goes to join {target} outside any split; rebuild the flow.");
            var key = (target, closing.SplitTaskId);
            if (!_joins.TryGetValue(key, out var inputs))
            {
                inputs = new JoinInput?[closing.Count];
                _joins[key] = inputs;
            }

            inputs[closing.Branch] = new JoinInput(from.Step, from.TaskId, closing.Branch, artifacts);
            if (Array.TrueForAll(inputs, i => i is not null))
            {
                _joins.Remove(key);
                _ready.Enqueue(new TaskSpec(target, ++_nextTaskId, run.Parameters, inputs!, null, closing.ParentIndex, closing.Outer));
            }
        }
    }
}
