using System.CommandLine;
using Flow.Execution;
using Flow.Graph;

namespace Flow.Cli;

/// <summary>
/// The command line of a flow program. The generated <c>Main</c> calls <see cref="Run{TFlow}(string[])"/>;
/// System.CommandLine parses, so help, suggestions and error messages follow the .NET conventions.
/// </summary>
public static class FlowApp
{
    /// <summary>Runs the command line of one flow.</summary>
    public static int Run<TFlow>(string[] args)
        where TFlow : FlowSpec, IFlowDefinitionProvider<TFlow> =>
        Run(args, TFlow.Definition, Console.Out, Console.Error);

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
    public static int Run(string[] args, params FlowDefinition[] flows)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(flows);
        if (flows.Length == 1)
        {
            return Run(args, flows[0], Console.Out, Console.Error);
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

        return Run(args[1..], flow, Console.Out, Console.Error);
    }

    /// <summary>Runs the command line of one flow, writing to the given writers.</summary>
    public static int Run(string[] args, FlowDefinition flow, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(flow);
        var root = BuildCommands(flow, output, error);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var e in parsed.Errors)
            {
                error.WriteLine($"error: {e.Message}");
            }

            error.WriteLine("Run with --help to see the commands and options.");
            return ExitCodes.UsageError;
        }

        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (FlowException e)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.UsageError;
        }
    }

    private static RootCommand BuildCommands(FlowDefinition flow, TextWriter output, TextWriter error)
    {
        var graph = flow.Graph;
        var root = new RootCommand($"Flow {graph.Name}: {graph.Steps.Count} steps. Run it with 'run'; see its graph with 'show'.");
        root.Subcommands.Add(RunCommand(flow, output, error));
        root.Subcommands.Add(ShowCommand(graph, output));
        root.Subcommands.Add(CheckCommand(flow, output, error));
        return root;
    }

    private static Command RunCommand(FlowDefinition flow, TextWriter output, TextWriter error)
    {
        var command = new Command("run", $"Run flow {flow.Graph.Name} from its start step.");
        var maxWorkers = new Option<int>("--max-workers")
        {
            Description = "How many tasks run at once.",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        var maxSplits = new Option<int>("--max-num-splits")
        {
            Description = "The most children one foreach may have.",
            DefaultValueFactory = _ => 100_000,
        };
        command.Options.Add(maxWorkers);
        command.Options.Add(maxSplits);

        var parameterOptions = new List<(ParameterInfo Info, Option Option)>();
        foreach (var parameter in flow.Graph.Parameters)
        {
            Option option = parameter.Type is "bool" or "bool?"
                ? new Option<bool?>("--" + parameter.OptionName) { Description = ParameterHelp(parameter), Arity = ArgumentArity.ZeroOrOne }
                : new Option<string>("--" + parameter.OptionName) { Description = ParameterHelp(parameter), HelpName = parameter.Type };
            command.Options.Add(option);
            parameterOptions.Add((parameter, option));
        }

        command.SetAction((parsed, cancellationToken) => RunAsync(flow, parsed, maxWorkers, maxSplits, parameterOptions, output, error, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(
        FlowDefinition flow,
        ParseResult parsed,
        Option<int> maxWorkers,
        Option<int> maxSplits,
        List<(ParameterInfo Info, Option Option)> parameterOptions,
        TextWriter output,
        TextWriter error,
        CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (info, option) in parameterOptions)
        {
            var result = parsed.GetResult(option);
            if (result is null || result.Implicit)
            {
                continue;
            }

            values[info.Name] = option switch
            {
                Option<bool?> b => (parsed.GetValue(b) ?? true) ? "true" : "false",
                Option<string> s => parsed.GetValue(s) ?? "",
                _ => throw new InvalidOperationException(),
            };
        }

        var options = new RunOptions { MaxWorkers = parsed.GetValue(maxWorkers), MaxNumSplits = parsed.GetValue(maxSplits), Log = error };
        var scheduler = new LocalScheduler(flow, options);
        var result2 = await scheduler.RunAsync(values, cancellationToken).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return result2.Succeeded ? ExitCodes.Success : ExitCodes.RunFailed;
    }

    private static string ParameterHelp(ParameterInfo parameter) =>
        (parameter.Help ?? $"Parameter {parameter.Name}.") + (parameter.Required ? " (required)" : "");

    private static Command ShowCommand(FlowGraph graph, TextWriter output)
    {
        var command = new Command("show", "Show the flow's graph: its steps, transitions and decorators.");
        command.SetAction(_ =>
        {
            output.Write(GraphPrinter.Text(graph));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command CheckCommand(FlowDefinition flow, TextWriter output, TextWriter error)
    {
        var command = new Command("check", "Check the flow's graph and parameters without running it.");
        command.SetAction(_ =>
        {
            var problems = GraphValidator.Validate(flow.Graph);
            foreach (var problem in problems)
            {
                error.WriteLine($"error: {problem}");
            }

            if (problems.Count > 0)
            {
                return ExitCodes.FlowError;
            }

            var graph = flow.Graph;
            output.WriteLine($"Flow {graph.Name} is valid: {graph.Steps.Count} steps, {graph.Artifacts.Count(a => !a.IsParameter)} artifacts, {graph.Parameters.Count} parameters.");
            return ExitCodes.Success;
        });
        return command;
    }
}
