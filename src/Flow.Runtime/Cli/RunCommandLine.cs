using Flow.Execution;

namespace Flow.Cli;

/// <summary>
/// What a <c>run</c> or <c>resume</c> command line asks for. The parser and the plain command lines read without it
/// (<see cref="FlowApp.Plain"/>) both produce one, and one method runs it; its initial values are the command
/// line's defaults, the only place they are written.
/// </summary>
internal sealed record RunCommandLine
{
    private static readonly RunOptions LibraryDefaults = new();

    /// <summary>Every option at its default: a plain <c>run</c>.</summary>
    public static RunCommandLine Default { get; } = new();

    /// <summary>Whether the command is <c>resume</c> rather than <c>run</c>.</summary>
    public bool Resume { get; init; }

    /// <summary>The run's parameter values as given, by parameter name (run only).</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The step to resume from (resume only; default: the steps that failed).</summary>
    public string? Step { get; init; }

    /// <summary>The run to resume (resume only; default: the latest).</summary>
    public string? Origin { get; init; }

    /// <summary><c>--max-workers</c>: as many as the library's default, the machine's cores.</summary>
    public int MaxWorkers { get; init; } = LibraryDefaults.MaxWorkers;

    /// <summary><c>--max-num-splits</c>: the library's default.</summary>
    public int MaxNumSplits { get; init; } = LibraryDefaults.MaxNumSplits;

    /// <summary><c>--max-loop-iterations</c>: the library's default.</summary>
    public int MaxLoopIterations { get; init; } = LibraryDefaults.MaxLoopIterations;

    /// <summary><c>--isolation</c>: from the command line, tasks run in worker processes (from code, in process).</summary>
    public TaskIsolation Isolation { get; init; } = TaskIsolation.Process;

    /// <summary><c>--with</c>: <c>slurm</c> (every step on Slurm), optionally with settings (<c>slurm:partition=gpu</c>); null when not given.</summary>
    public string? With { get; init; }

    /// <summary><c>--with card</c>: every task stores its default card.</summary>
    public bool WithCard { get; init; }

    /// <summary><c>--no-cache</c>: [Cache] steps run without looking for an earlier run's task.</summary>
    public bool NoCache { get; init; }

    /// <summary>The production token of the deployment that starts this run (hidden <c>--production-token</c>); null for a user's run.</summary>
    public string? ProductionToken { get; init; }

    /// <summary>The deployment's branch (hidden <c>--branch</c>, with the token): <c>prod</c> or <c>test.NAME</c>.</summary>
    public string? Branch { get; init; }

    /// <summary><c>--tag</c>, in order.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary><c>--datastore</c>, when given.</summary>
    public string? DatastoreKind { get; init; }

    /// <summary><c>--datastore-root</c>, when given.</summary>
    public string? DatastoreRoot { get; init; }

    /// <summary><c>--run-id-file</c>, when given.</summary>
    public string? RunIdFile { get; init; }
}
