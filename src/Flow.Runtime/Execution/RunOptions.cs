using Flow.Datastore;
using Flow.Execution.Workers;

namespace Flow.Execution;

/// <summary>Options of one run.</summary>
public sealed record RunOptions
{
    /// <summary>How many tasks run at once (default: the machine's cores).</summary>
    public int MaxWorkers { get; init; } = Environment.ProcessorCount;

    /// <summary>The most children one foreach may have.</summary>
    public int MaxNumSplits { get; init; } = 100_000;

    /// <summary>
    /// The most iterations one loop may run (each pass of a loop step is one): a loop that has not left by then fails
    /// the run, naming the step, instead of running forever. Each element of a foreach loops on its own, with its own count.
    /// </summary>
    public int MaxLoopIterations { get; init; } = 1_000;

    /// <summary>
    /// For a run a deployment starts: its production token (the run carries <c>production:TOKEN</c>, and its user is
    /// <c>production</c>) and branch (<c>project_branch:BRANCH</c>). Null for a user's own run.
    /// </summary>
    internal (string Token, string Branch)? Production { get; init; }

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

    /// <summary>
    /// How tasks go to Slurm: with <see cref="Slurm.SlurmSettings.AllSteps"/> every step's do, otherwise only those of
    /// steps marked [Slurm]. Null: the steps marked [Slurm] go, with the settings of the environment and config file.
    /// Needs <see cref="Worker"/>: the jobs start the flow's program.
    /// </summary>
    public Slurm.SlurmSettings? Slurm { get; init; }

    /// <summary>
    /// Whether every task stores its default card (<c>run --with card</c>), as if each step had <see cref="CardAttribute"/>;
    /// steps with <c>[Card]</c> store theirs either way.
    /// </summary>
    public bool WithCard { get; init; }

    /// <summary>
    /// Whether <see cref="CacheAttribute"/> steps run every task (<c>run --no-cache</c>) instead of cloning an earlier run's
    /// task with the same cache key. Their tasks' records still get their keys, for later runs.
    /// </summary>
    public bool NoCache { get; init; }

    /// <summary>How to start workers, for <see cref="TaskIsolation.Process"/>, and the program Slurm jobs run.</summary>
    public WorkerCommand? Worker { get; init; }

    /// <summary>A file to write the new run's id to, as soon as the run exists.</summary>
    public string? RunIdFile { get; init; }

    /// <summary>A worker pool started ahead of the run (its first worker already on its way up), used instead of a new one.</summary>
    internal WorkerPool? Workers { get; init; }

    /// <summary>Called once the run's record exists: from then on a failure is the run's, not its command line's.</summary>
    internal Action<RunRecord>? RunCreated { get; init; }

    /// <summary>Told of each in-process attempt given up at its timeout, with the attempt's own task: tests wait for it to see that it wrote nothing.</summary>
    internal Action<Task>? AttemptAbandoned { get; init; }

    /// <summary>How a user runs this flow's command line, for the hints that say how to resume: <see cref="DefaultCommand"/>,
    /// followed by the flow's name in a program with several flows.</summary>
    internal string Command { get; init; } = DefaultCommand;

    /// <summary>How a user runs the command line of a program with one flow.</summary>
    internal const string DefaultCommand = "dotnet run --";

    /// <summary>Whether to keep a live status line on the terminal instead of a line per task.</summary>
    public bool LiveProgress { get; init; }

    /// <summary>Where the run's elapsed time comes from (default: the system's clock).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>What the machine offers tasks (default: detected).</summary>
    public MachineCapacity? Capacity { get; init; }
}
