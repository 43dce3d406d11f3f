using System.CommandLine;
using System.Runtime.InteropServices;
using Flow.Datastore;
using Flow.Execution;
using Flow.Execution.Workers;

namespace Flow.Cli;

/// <summary>
/// The command line of a flow program. The generated <c>Main</c> calls <see cref="Run{TFlow}(string[])"/>;
/// System.CommandLine parses, so help, suggestions and error messages follow the .NET conventions.
/// </summary>
public static partial class FlowApp
{
    /// <summary>Runs the command line of one flow.</summary>
    public static int Run<TFlow>(string[] args)
        where TFlow : FlowSpec, IFlowDefinitionProvider<TFlow> => Run<TFlow>(args, []);

    /// <summary>Runs the command line of one flow, with commands that other packages add (such as Flow.Hosting's <c>serve</c>).</summary>
    public static int Run<TFlow>(string[] args, params FlowProgramCommand[] commands)
        where TFlow : FlowSpec, IFlowDefinitionProvider<TFlow>
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(commands);

        // Workers start for every run: their exact command line skips the parser (and loading it) to start sooner.
        if (args is ["worker", "--socket", var socket])
        {
            return Serve(TFlow.Definition, socket);
        }

        // A run's first worker starts before anything else, even the console, so its start-up overlaps the
        // scheduler's (parsing, set-up, the run record); a command that turns out not to need it stops it again.
        var workers = EarlyWorkers(args, null);
        return Run(args, TFlow.Definition, Console.Out, Console.Error, null, workers, CommandsOf(TFlow.Definition, commands));
    }

    /// <summary>The entry point of a program whose flows did not compile: says so and exits with <see cref="ExitCodes.FlowError"/>.</summary>
    public static int Invalid(string flows)
    {
        Console.Error.WriteLine($"error: {flows} did not compile into a flow definition; build the project and fix the FLOW errors it reports.");
        return ExitCodes.FlowError;
    }

    /// <summary>The generated definition of a flow.</summary>
    public static FlowDefinition DefinitionOf<TFlow>()
        where TFlow : FlowSpec, IFlowDefinitionProvider<TFlow> => TFlow.Definition;

    /// <summary>Runs the command line of a program with several flows: the first argument names the flow.</summary>
    public static int Run(string[] args, params FlowDefinition[] flows) => Run(args, flows, []);

    /// <summary>
    /// Runs the command line of a program with several flows, with commands that other packages add to some of them
    /// (each to its <see cref="FlowProgramCommand.Flow"/>): the first argument names the flow.
    /// </summary>
    public static int Run(string[] args, FlowDefinition[] flows, FlowProgramCommand[] commands)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(flows);
        ArgumentNullException.ThrowIfNull(commands);
        if (flows.Length == 1)
        {
            return args is ["worker", "--socket", var only]
                ? Serve(flows[0], only)
                : Run(args, flows[0], Console.Out, Console.Error, null, EarlyWorkers(args, null), CommandsOf(flows[0], commands));
        }

        if (args is [var name, "worker", "--socket", var socket] && flows.FirstOrDefault(f => string.Equals(f.Graph.Name, name, StringComparison.Ordinal)) is { } served)
        {
            return Serve(served, socket);
        }

        var names = string.Join(", ", flows.Select(f => f.Graph.Name));
        if (args.Length == 0 || args[0] is "-h" or "--help" or "-?")
        {
            Console.Out.WriteLine($"Usage: <program> FLOW COMMAND [options]\nFlows: {names}\nRun '<program> FLOW --help' for a flow's commands.");
            return args.Length == 0 ? ExitCodes.UsageError : ExitCodes.Success;
        }

        var flow = flows.FirstOrDefault(f => string.Equals(f.Graph.Name, args[0], StringComparison.Ordinal));
        if (flow is null)
        {
            Console.Error.WriteLine($"error: unknown flow '{args[0]}'; this program has {names}.");
            return ExitCodes.UsageError;
        }

        return Run(args[1..], flow, Console.Out, Console.Error, flow.Graph.Name, EarlyWorkers(args[1..], flow.Graph.Name), CommandsOf(flow, commands));
    }

    // The added commands of one flow, checked: a name of Flow's own commands, or the same name twice, is the program's mistake.
    private static FlowProgramCommand[] CommandsOf(FlowDefinition flow, FlowProgramCommand[] commands)
    {
        var mine = commands.Where(c => ReferenceEquals(c.Flow, flow) || c.Flow.Graph.TypeName == flow.Graph.TypeName).ToArray();
        foreach (var command in mine)
        {
            if (Commands.BuiltIn.Contains(command.Name) || mine.Count(c => c.Name == command.Name) > 1)
            {
                throw new ArgumentException($"Flow {flow.Graph.Name} cannot get a second command named '{command.Name}'.", nameof(commands));
            }
        }

        return mine;
    }

    /// <summary>Runs the command line of one flow, writing to the given writers.</summary>
    public static int Run(string[] args, FlowDefinition flow, TextWriter output, TextWriter error) => Run(args, flow, output, error, []);

    /// <summary>Runs the command line of one flow with commands that other packages add, writing to the given writers.</summary>
    public static int Run(string[] args, FlowDefinition flow, TextWriter output, TextWriter error, params FlowProgramCommand[] commands)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(commands);
        if (args is ["worker", "--socket", var socket])
        {
            return Serve(flow, socket);
        }

        return Run(args, flow, output, error, null, EarlyWorkers(args, null), CommandsOf(flow, commands));
    }

    // A worker ends when its scheduler closes the socket, even if a step left a foreground thread running: the
    // scheduler does not wait for it, so nothing else would stop it.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static int Serve(FlowDefinition flow, string socket)
    {
        int code;
        try
        {
            code = WorkerLoop.RunAsync(flow, socket, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is FlowException or IOException or UnauthorizedAccessException)
        {
            // Outside a task (the datastore's root, a request): one line for the scheduler to report, not a crash.
            Console.Error.WriteLine($"error: the worker of flow {flow.Graph.Name} stopped: {e.Message}");
            code = ExitCodes.RunFailed;
        }

        Console.Out.Flush();
        Console.Error.Flush();
        Environment.Exit(code);
        return code;
    }

    // Owns workers: stops them when the command ends, unless its run took them (and stopped them itself).
    private static int Run(string[] args, FlowDefinition flow, TextWriter output, TextWriter error, string? flowArgument, WorkerPool? workers, FlowProgramCommand[] added)
    {
        try
        {
            ArgumentNullException.ThrowIfNull(flow);

            // A bare 'run' of a flow without required parameters, or a 'resume' naming at most its step and origin,
            // has nothing else to parse: it runs with every other option at its default, without System.CommandLine,
            // whose compilation was a sixth of a small run's start.
            if (Plain(flow, args) is { } plain)
            {
                return RunWithDefaults(flow, plain, output, error, flowArgument, workers);
            }

            var commands = new Commands(flow, output, error, flowArgument, workers, null, added).Build(args.Length > 0 ? args[0] : null);
            var parsed = commands.Parse(args);
            if (parsed.Errors.Count > 0)
            {
                foreach (var e in parsed.Errors)
                {
                    error.WriteLine($"error: {e.Message}");
                }

                error.WriteLine("Run with --help to see the commands and options.");
                return ExitCodes.UsageError;
            }

            // A command that stops gracefully by itself (a server) gets the signals; it ends as it decides.
            var configuration = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
            if (args.Length > 0 && Array.Find(added, c => c.Name == args[0]) is { HandlesSignals: true })
            {
                return WithErrors(error, () => parsed.InvokeAsync(configuration, CancellationToken.None).GetAwaiter().GetResult());
            }

            // The parser's own handling of signals only lets the process exit: the run must see the cancellation, to stop
            // what it started elsewhere (Slurm jobs), so this process handles them as a plain run does.
            return WithSignals(error, token => parsed.InvokeAsync(configuration, token).GetAwaiter().GetResult());
        }
        finally
        {
            workers?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>
    /// The run or resume that a command line of nothing but <c>run</c> (for a flow without required parameters) or
    /// <c>resume [STEP] [--origin-run-id ID]</c> (in either order) asks for, read without the parser; null for any
    /// other command line, which the parser reads. Step names and run ids are plain names: anything else (help such
    /// as <c>/?</c>, a response file <c>@file</c>, a misspelt option) is the parser's to read or report.
    /// </summary>
    internal static RunCommandLine? Plain(FlowDefinition flow, IReadOnlyList<string> args)
    {
        static bool IsValue(string arg) => Ids.IsValid(arg) && arg[0] != '-';
        return args switch
        {
            ["run"] when !flow.Graph.Parameters.Any(p => p.Required) => RunCommandLine.Default,
            ["resume"] => RunCommandLine.Default with { Resume = true },
            ["resume", var step] when IsValue(step) => RunCommandLine.Default with { Resume = true, Step = step },
            ["resume", "--origin-run-id", var origin] when IsValue(origin) => RunCommandLine.Default with { Resume = true, Origin = origin },
            ["resume", var step, "--origin-run-id", var origin] when IsValue(step) && IsValue(origin) => RunCommandLine.Default with { Resume = true, Step = step, Origin = origin },
            ["resume", "--origin-run-id", var origin, var step] when IsValue(step) && IsValue(origin) => RunCommandLine.Default with { Resume = true, Step = step, Origin = origin },
            _ => null,
        };
    }

    /// <summary>
    /// What System.CommandLine makes of a <c>run</c> or <c>resume</c> command line, without running it: null when it
    /// reports errors, or the command line is another command or asks for help (to compare with <see cref="Plain"/>).
    /// </summary>
    internal static RunCommandLine? Parse(FlowDefinition flow, string[] args)
    {
        RunCommandLine? read = null;
        var commands = new Commands(flow, TextWriter.Null, TextWriter.Null, null, null, (line, _) =>
        {
            read = line;
            return Task.FromResult(ExitCodes.Success);
        });
        var parsed = commands.Build(args.Length > 0 ? args[0] : null).Parse(args);
        if (parsed.Errors.Count > 0)
        {
            return null;
        }

        parsed.Invoke(new InvocationConfiguration { Output = TextWriter.Null, Error = TextWriter.Null, EnableDefaultExceptionHandler = false });
        return read;
    }

    /// <summary>A run or resume with every option at its default, as the parser would run it.</summary>
    private static int RunWithDefaults(FlowDefinition flow, RunCommandLine line, TextWriter output, TextWriter error, string? flowArgument, WorkerPool? workers) =>
        WithSignals(error, token => ExecuteAsync(flow, line, output, error, flowArgument, workers, token).GetAwaiter().GetResult());

    /// <summary>
    /// Runs a command that SIGINT and SIGTERM cancel: it then has five seconds to stop (cancel its Slurm jobs, record
    /// the run) before the process exits, with 130 or 143.
    /// </summary>
    private static int WithSignals(TextWriter error, Func<CancellationToken, int> command)
    {
        using var cancel = new CancellationTokenSource();
        var signalled = 0;
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            var code = context.Signal == PosixSignal.SIGTERM ? 143 : 130;
            if (Interlocked.CompareExchange(ref signalled, code, 0) == 0)
            {
                cancel.Cancel();
                _ = Task.Delay(TimeSpan.FromSeconds(5)).ContinueWith(_ => Environment.Exit(code), TaskScheduler.Default);
            }
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        return WithErrors(error, () =>
        {
            try
            {
                var code = command(cancel.Token);
                return cancel.IsCancellationRequested ? Volatile.Read(ref signalled) : code;
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                return Volatile.Read(ref signalled);
            }
        });
    }

    /// <summary>Runs a command whose bad input (a <see cref="FlowException"/>, an unreadable local file) is one error line and exit code 2.</summary>
    private static int WithErrors(TextWriter error, Func<int> command)
    {
        try
        {
            return command();
        }
        catch (FlowException e)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.UsageError;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A local datastore's file that cannot be read (a run's record made a folder, a disk error) outside a run:
            // one line, not a crash. Inside a run the run reports it (exit code 1).
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.UsageError;
        }
    }

    /// <summary>
    /// Runs or resumes the flow as <paramref name="line"/> says, with the parser or without it. A failure before the
    /// run exists (bad input) is thrown, for exit code 2; once the run exists, every failure is the run's: exit code 1.
    /// </summary>
    private static async Task<int> ExecuteAsync(FlowDefinition flow, RunCommandLine line, TextWriter output, TextWriter error, string? flowArgument, WorkerPool? workers, CancellationToken cancellationToken)
    {
        RunRecord? created = null;
        var datastore = FlowDatastore.FromConfiguration(DatastoreConfig.Resolve(line.DatastoreKind, line.DatastoreRoot));
        var slurm = line.With is not null || flow.Graph.Steps.Any(s => s.Slurm is not null) ? Slurm.SlurmSettings.Resolve(line.With) : null;
        if (slurm is not null && !datastore.Description.StartsWith("s3://", StringComparison.Ordinal))
        {
            error.WriteLine($"Tasks on Slurm use the datastore at {datastore.Description}: it must be on a file system that the cluster's nodes share (or use S3).");
        }

        var options = new RunOptions
        {
            MaxWorkers = line.MaxWorkers,
            MaxNumSplits = line.MaxNumSplits,
            MaxLoopIterations = line.MaxLoopIterations,
            Output = output,
            Log = error,
            Datastore = datastore,
            Isolation = line.Isolation,
            Worker = line.Isolation == TaskIsolation.Process || slurm is not null ? CurrentProgram(flowArgument) : null,
            Slurm = slurm,
            WithCard = line.WithCard,
            NoCache = line.NoCache,
            Workers = line.Isolation == TaskIsolation.Process ? workers : null,
            Tags = line.Tags,
            RunIdFile = line.RunIdFile,
            LiveProgress = ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected,
            RunCreated = run => created = run,
            Production = line.ProductionToken is { } token ? (token, line.Branch ?? Flow.Deploy.Deployments.ProductionBranch) : null,
            Command = flowArgument is null ? RunOptions.DefaultCommand : $"{RunOptions.DefaultCommand} {flowArgument}",
        };

        RunResult result;
        try
        {
            var scheduler = new LocalScheduler(flow, options);
            result = line.Resume
                ? await scheduler.ResumeAsync(line.Origin, line.Step, cancellationToken).ConfigureAwait(false)
                : await scheduler.RunAsync(line.Parameters, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (created is { } run && e is FlowException or IOException or UnauthorizedAccessException)
        {
            // The datastore failed under the scheduler itself (an S3 outage, a local folder gone): the run started, and did
            // not finish. The S3 datastore's errors name it; a local one's are bare I/O errors, which this sentence names.
            error.WriteLine(e is FlowException
                ? $"error: {e.Message}"
                : $"error: The datastore at {datastore.Description} failed under run {flow.Graph.Name}/{run.RunId}: {e.Message}");
            error.WriteLine($"Run {run.RunId} stopped before it finished; once the cause is fixed, resume it with: {options.Command} resume --origin-run-id {run.RunId}");
            return ExitCodes.RunFailed;
        }

        try
        {
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            // The run is stored as it ended, so its exit code stands; only some of its output was lost (a closed pipe, a full disk).
            error.WriteLine($"warning: run {result.RunId} ended, but not all of its output could be written: {e.Message}");
        }

        return result.Succeeded ? ExitCodes.Success : ExitCodes.RunFailed;
    }

    /// <summary>
    /// Whether the command line is a <c>run</c> or <c>resume</c> with tasks in worker processes (the default),
    /// told from the raw arguments without the parser. A wrong guess costs a worker started and stopped
    /// (or, the other way, a worker started a little later), never a different result.
    /// </summary>
    internal static bool StartsWorkers(IReadOnlyList<string> args)
    {
        if (args.Count == 0 || args[0] is not ("run" or "resume"))
        {
            return false;
        }

        for (var i = 1; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h" or "-?" or "/?" or "/h" or "--")
            {
                return false;
            }

            var value = arg.StartsWith("--isolation", StringComparison.Ordinal)
                ? arg.Length == "--isolation".Length ? (i + 1 < args.Count ? args[i + 1] : "") : arg.Length > "--isolation".Length + 1 && arg["--isolation".Length] is '=' or ':' ? arg[("--isolation".Length + 1)..] : null
                : null;
            if (value is not null && IsolationNamed(value) != TaskIsolation.Process)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The isolation <paramref name="name"/> names: <c>Process</c> or <c>InProcess</c>, in any case, with or without a hyphen (<c>in-process</c>).</summary>
    internal static TaskIsolation? IsolationNamed(string name) => name.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant() switch
    {
        "process" => TaskIsolation.Process,
        "inprocess" => TaskIsolation.InProcess,
        _ => null,
    };

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WorkerPool? EarlyWorkers(string[] args, string? flowArgument)
    {
        if (!StartsWorkers(args))
        {
            return null;
        }

        try
        {
            return WorkerPool.Prestart(CurrentProgram(flowArgument));
        }
        catch (FlowException)
        {
            // The run reports it when it needs workers.
            return null;
        }
    }

    /// <summary>How to start this program again as a worker.</summary>
    internal static WorkerCommand CurrentProgram(string? flowArgument)
    {
        var path = Environment.ProcessPath ?? throw new FlowException("Cannot tell which program is running, so workers cannot be started; use --isolation in-process.");
        var arguments = new List<string>();
        if (string.Equals(Path.GetFileNameWithoutExtension(path), "dotnet", StringComparison.Ordinal))
        {
            arguments.Add(System.Reflection.Assembly.GetEntryAssembly()?.Location
                ?? throw new FlowException("Cannot tell which assembly is running, so workers cannot be started; use --isolation in-process."));
        }

        if (flowArgument is not null)
        {
            arguments.Add(flowArgument);
        }

        return new WorkerCommand(path, arguments);
    }
}
