using System.Diagnostics;
using Flow.Datastore;
using Flow.Graph;
using Flow.Execution.Workers;
using Flow.Serialization;

namespace Flow.Execution;

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
    private readonly Flow.Slurm.SlurmSettings? _slurm;

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

        if (_options.MaxLoopIterations < 1)
        {
            throw new FlowException($"--max-loop-iterations must be at least 1, got {_options.MaxLoopIterations}.");
        }

        if (_options.Isolation == TaskIsolation.Process && _options.Worker is null)
        {
            throw new FlowException("Running tasks in worker processes needs the command that starts this flow's program.");
        }

        _datastore = _options.Datastore ?? FlowDatastore.FromConfiguration();

        // Settled before any run exists: a mistake here is bad input, never a run left running.
        _slurm = _options.Slurm ?? (_definition.Graph.Steps.Any(s => s.Slurm is not null) ? Flow.Slurm.SlurmSettings.Resolve() : null);
        if (_slurm is not null && !_slurm.AllSteps && !_definition.Graph.Steps.Any(s => s.Slurm is not null))
        {
            _slurm = null;
        }

        if (_slurm is not null && _options.Worker is null)
        {
            throw new FlowException("Running steps on Slurm needs the command that starts this flow's program on the nodes (RunOptions.Worker); run the flow from its command line, or set it.");
        }
    }

    // Detected once per scheduler: looking for GPUs may start nvidia-smi.
    private MachineCapacity Capacity => _capacity ??= _options.Capacity ?? MachineCapacity.Detect();

    /// <summary>
    /// Runs the flow with parameter values given as command-line text, each named by its property (<c>Alpha</c>) or
    /// its option (<c>alpha</c> or <c>--alpha</c>).
    /// </summary>
    public async Task<RunResult> RunAsync(IReadOnlyDictionary<string, string>? parameters = null, CancellationToken cancellationToken = default)
    {
        var refs = await Parameters.StoreAsync(_definition, _datastore, parameters ?? new Dictionary<string, string>(), cancellationToken).ConfigureAwait(false);

        var run = await CreateRunAsync(refs, null, [], cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(run, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Resumes a run in a new run: every task that succeeded in the origin run, and whose inputs were cloned, is
    /// cloned by reference, except the tasks of <paramref name="step"/> and the steps after it; the rest runs
    /// again (see <see cref="ResumePlan"/>). Without a step, only what failed or never ran runs, and what follows it.
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
        if (step == "Start")
        {
            throw new FlowException("Resuming from Start would run everything again; start a new run with 'run' instead.");
        }

        var tasks = await _datastore.Metadata.ListTasksAsync(graph.Name, origin.RunId, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<string> rerun = step is not null ? [graph[step].Name] : [];
        var resumed = step is not null ? rerun : tasks.Where(t => t.Status == RunStatus.Failed).Select(t => t.Step).Distinct().ToList();
        var run = await CreateRunAsync(origin.Parameters, origin.RunId, resumed, cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(run, new ResumePlan(graph, tasks, rerun), cancellationToken).ConfigureAwait(false);
    }

    internal static string DefaultUser() =>
        System.Environment.GetEnvironmentVariable("FLOW_USER") is { Length: > 0 } user ? user : System.Environment.UserName;

    /// <summary>
    /// Checks every step's [Resources] against the machine before anything runs: a GPU request larger than
    /// a machine with GPUs can ever give is an error; CPU and memory requests are capped at the machine,
    /// and GPU steps run without a GPU on a machine that has none (both with a warning).
    /// </summary>
    private void CheckResources(MachineCapacity capacity, TextWriter log)
    {
        // A step that runs on Slurm asks the cluster, never this machine.
        var slurmAll = _slurm?.AllSteps == true;
        foreach (var step in _definition.Graph.Steps.Where(s => !slurmAll && s.Slurm is null))
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
        var user = _options.Production is null ? _options.User ?? DefaultUser() : "production";
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
            SystemTags = SystemTags(_definition.Graph, user, _options.Production),
            Parameters = parameters,
            StartedAt = DateTimeOffset.UtcNow,
            OriginRunId = origin,
            ResumedSteps = resumed,
        };

        // A file that cannot be written is bad input, found before the run exists; the id goes in once it does.
        var idTarget = _options.RunIdFile is { } idFile ? RunIdTarget.Open(idFile) : null;
        try
        {
            await _datastore.Metadata.CreateRunAsync(run, cancellationToken).ConfigureAwait(false);
            _options.RunCreated?.Invoke(run);
            if (idTarget is not null)
            {
                await idTarget.WriteAsync(run.RunId, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (idTarget is not null)
            {
                await idTarget.DisposeAsync().ConfigureAwait(false);
            }
        }

        return run;
    }

    private async Task<RunResult> ExecuteAsync(RunRecord run, ResumePlan? resume, CancellationToken cancellationToken)
    {
        var executor = new TaskExecutor(_definition, _datastore);
        var display = new ProgressDisplay(_options.Log ?? Console.Error, _options.LiveProgress, _definition.Graph.Steps.Select(s => s.Name).ToList(), _options.TimeProvider, _definition.Graph.Steps.Where(s => s.IsLoop).Select(s => s.Name).ToList());
        var log = display.Wrap(_options.Log ?? Console.Error);
        var output = display.Wrap(_options.Output ?? Console.Out);
        try
        {
            ITaskLauncher local = _options.Isolation == TaskIsolation.Process
                ? Workers(output, log)
                : new InProcessLauncher(executor, _options.TimeProvider, _options.AttemptAbandoned);
            await using var launcher = Slurm(local, output, log);
            var state = new RunState(_definition, _options with { Log = log }, _datastore, run, launcher, resume, Capacity, display);
            return await state.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            display.Close();
        }
    }

    /// <summary>The launcher that sends the tasks of Slurm's steps to Slurm and the rest to <paramref name="local"/>.</summary>
    private ITaskLauncher Slurm(ITaskLauncher local, TextWriter output, TextWriter log)
    {
        if (_slurm is not { } settings)
        {
            return local;
        }

        var program = _options.Worker!;
        var store = _datastore.Description.StartsWith("s3://", StringComparison.Ordinal)
            ? new DatastoreConfig(DatastoreKind.S3, _datastore.Description)
            : new DatastoreConfig(DatastoreKind.Local, Path.GetFullPath(_datastore.Description));
        return new Flow.Slurm.SlurmLauncher(local, _definition, _datastore, store, program, settings, log, output, _options.MaxWorkers, _options.TimeProvider);
    }

    private WorkerPool Workers(TextWriter output, TextWriter log)
    {
        var pool = _options.Workers is { Attached: false } early ? early : new WorkerPool(_options.Worker!);
        pool.Attach(_definition.Graph.Name, _datastore.Description, _datastore.Metadata, output, log, _options.MaxWorkers);
        return pool;
    }

    /// <summary>
    /// The system tags of a new run: its user, the runtime and Flow's version; for a flow in a project
    /// <c>project:NAME</c> and <c>project_branch:BRANCH</c> (the user's own branch, <c>user.NAME</c>, for a run started
    /// by a user); and for a run a deployment starts, <c>production:TOKEN</c> and the deployment's branch.
    /// </summary>
    internal static IReadOnlyList<string> SystemTags(FlowGraph graph, string user, (string Token, string Branch)? production)
    {
        var branch = production?.Branch
            ?? "user." + string.Concat(user.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' ? c : '_'));
        List<string> tags = [$"user:{user}", $"runtime:dotnet-{System.Environment.Version}", $"flow_version:{typeof(FlowSpec).Assembly.GetName().Version}"];
        if (graph.Project is { } project)
        {
            tags.AddRange([$"project:{project}", $"project_branch:{branch}"]);
        }

        if (production is { } deployment)
        {
            tags.Add($"production:{deployment.Token}");
        }

        return tags;
    }

    private static string NewRunId() =>
        DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture) +
        "-" + Ids.RandomHex(4);
}
