using System.CommandLine;
using Flow.Datastore;
using Flow.Execution;
using Flow.Execution.Workers;
using Flow.Graph;

namespace Flow.Cli;

/// <summary>The commands of a flow program, built for System.CommandLine: run, resume, show, check, step, worker.</summary>
public static partial class FlowApp
{
    // Runs what a run or resume command line asks for; tests put one in its place that only keeps it.
    private delegate Task<int> Execution(RunCommandLine line, CancellationToken cancellationToken);

    private sealed partial class Commands(FlowDefinition flow, TextWriter output, TextWriter error, string? flowArgument, WorkerPool? workers, Execution? execute, FlowProgramCommand[]? added = null)
    {
        /// <summary>The names of Flow's own commands, which an added command cannot take.</summary>
        public static readonly IReadOnlySet<string> BuiltIn = new HashSet<string>(StringComparer.Ordinal)
        {
            "run", "resume", "show", "check", "runs", "logs", "dump", "tag", "card", "step", "tasks", "worker", "deploy", "trigger", "argo", "schedule-tick",
        };

        private readonly Option<string?> _root = new("--datastore-root")
        {
            Description = "The datastore's folder, or s3://BUCKET/PREFIX (default: FLOW_DATASTORE_ROOT, else the config file ~/.flowconfig/config.json, else .flow in the working directory).",
            Recursive = true,
        };

        private readonly Option<string?> _kind = CreateKindOption();

        private readonly Option<int> _maxWorkers = new("--max-workers")
        {
            Description = "How many tasks run at once.",
            DefaultValueFactory = _ => RunCommandLine.Default.MaxWorkers,
        };

        private readonly Option<int> _maxSplits = new("--max-num-splits")
        {
            Description = "The most children one foreach may have.",
            DefaultValueFactory = _ => RunCommandLine.Default.MaxNumSplits,
        };

        private readonly Option<int> _maxLoopIterations = new("--max-loop-iterations")
        {
            Description = "The most iterations one loop may run before the run fails (a loop is a step that goes back to itself).",
            DefaultValueFactory = _ => RunCommandLine.Default.MaxLoopIterations,
        };

        private readonly Option<bool> _noCache = new("--no-cache")
        {
            Description = "Run every task of [Cache] steps too, without looking for an earlier run's task to reuse.",
        };

        private readonly Option<TaskIsolation> _isolation = new("--isolation")
        {
            Description = "Where tasks run: Process (reusable worker processes; a crash or timeout fails only the task) or InProcess (threads of this process; also in-process).",
            HelpName = "Process|InProcess",
            DefaultValueFactory = _ => RunCommandLine.Default.Isolation,
            CustomParser = result =>
            {
                var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
                if (IsolationNamed(text) is { } isolation)
                {
                    return isolation;
                }

                result.AddError($"'{text}' is not an isolation for --isolation; use Process or InProcess (in-process).");
                return default;
            },
        };

        private readonly Option<string[]> _with = new("--with")
        {
            Description = "Give every step a decorator; repeat for several. slurm, or slurm:partition=NAME,account=NAME,qos=NAME,constraint=NAME: run every step on Slurm (see docs/slurm.md; without it, only steps marked [Slurm] go there). card: every task stores its default card (see docs/cards.md).",
            HelpName = "slurm[:key=value,...]|card",
            AllowMultipleArgumentsPerToken = false,
        };

        private readonly Option<string[]> _tags = new("--tag")
        {
            Description = "A tag for the new run; repeat for several.",
            AllowMultipleArgumentsPerToken = false,
        };

        public RootCommand Build(string? commandName = null)
        {
            var graph = flow.Graph;
            var root = new RootCommand($"Flow {graph.Name}: {graph.Steps.Count} steps. Run it with 'run'; see its graph with 'show'.");
            root.Options.Add(_root);
            root.Options.Add(_kind);
            var commands = new (string Name, Func<Command> Create)[]
            {
                ("run", RunCommand), ("resume", ResumeCommand), ("show", ShowCommand), ("check", CheckCommand), ("runs", RunsCommand),
                ("logs", LogsCommand), ("dump", DumpCommand), ("tag", TagCommand), ("card", CardCommand), ("step", StepCommand), ("tasks", TasksCommand), ("worker", WorkerCommand),
                ("deploy", DeployCommand), ("trigger", TriggerCommand), ("argo", ArgoCommand), ("schedule-tick", ScheduleTickCommand),
            };
            if (added is { Length: > 0 })
            {
                var context = new FlowCommandContext(output, error, ExistingDatastore);
                commands = [.. commands, .. added.Select(c => (c.Name, (Func<Command>)(() => c.Create(context))))];
            }

            // A command line that names its command gets only that one built (a run is started with every bit
            // of start-up saved); anything else (help, a typo to suggest against) gets them all.
            var named = commandName is null ? null : Array.Find(commands, c => string.Equals(c.Name, commandName, StringComparison.Ordinal)).Create;
            foreach (var (_, create) in named is null ? commands : [(commandName!, named)])
            {
                root.Subcommands.Add(create());
            }

            return root;
        }

        /// <summary>The datastore that a command reading past runs names, which must exist: a missing local folder is a mistake, not an empty datastore.</summary>
        private FlowDatastore ExistingDatastore(ParseResult parsed)
        {
            var config = DatastoreConfig.Resolve(parsed.GetValue(_kind), parsed.GetValue(_root));
            if (config.Kind == DatastoreKind.Local && !Directory.Exists(config.Root))
            {
                var full = Path.GetFullPath(config.Root);
                throw new FlowException(File.Exists(full)
                    ? $"The datastore at {full} is a file; give --datastore-root a folder."
                    : $"There is no datastore at {full}: the folder does not exist. Name an existing one with --datastore-root (or FLOW_DATASTORE_ROOT), or run the flow first.");
            }

            return FlowDatastore.FromConfiguration(config);
        }

        private static Option<string?> CreateKindOption()
        {
            var option = new Option<string?>("--datastore")
            {
                Description = "local or s3 (default: FLOW_DATASTORE, else what the root says: s3:// is S3).",
                Recursive = true,
            };
            option.AcceptOnlyFromAmong("local", "s3");
            return option;
        }

        // What a run or resume command line says, whether the parser read it or not (see Plain).
        private RunCommandLine Read(ParseResult parsed) => RunCommandLine.Default with
        {
            MaxWorkers = parsed.GetValue(_maxWorkers),
            MaxNumSplits = parsed.GetValue(_maxSplits),
            MaxLoopIterations = parsed.GetValue(_maxLoopIterations),
            With = SlurmWith(parsed),
            WithCard = WithValues(parsed.GetValue(_with)).Card,
            NoCache = parsed.GetValue(_noCache),
            Isolation = parsed.GetValue(_isolation),
            Tags = parsed.GetValue(_tags) ?? [],
            DatastoreKind = parsed.GetValue(_kind),
            DatastoreRoot = parsed.GetValue(_root),
        };

        /// <summary>The Slurm part of <c>--with</c> (<c>slurm[:key=value,...]</c>), or null.</summary>
        private string? SlurmWith(ParseResult parsed) => WithValues(parsed.GetValue(_with)).Slurm;

        /// <summary>What the <c>--with</c> options say: <c>card</c>, and a compute backend (anything else: Slurm's settings check it).</summary>
        internal static (string? Slurm, bool Card) WithValues(IReadOnlyList<string>? values)
        {
            string? slurm = null;
            var card = false;
            foreach (var value in values ?? [])
            {
                if (value == "card")
                {
                    card = true;
                }
                else if (slurm is null)
                {
                    slurm = value;
                }
                else
                {
                    throw new FlowException($"--with {slurm} and --with {value}: give the compute backend once, with all its settings (--with slurm:partition=NAME,account=NAME).");
                }
            }

            return (slurm, card);
        }

        private Task<int> ExecuteAsync(RunCommandLine line, CancellationToken cancellationToken) =>
            execute is null
                ? FlowApp.ExecuteAsync(flow, line, output, error, flowArgument, workers, cancellationToken)
                : execute(line, cancellationToken);

        private Command RunCommand()
        {
            var command = new Command("run", $"Run flow {flow.Graph.Name} from its start step.");
            command.Options.Add(_maxWorkers);
            command.Options.Add(_maxSplits);
            command.Options.Add(_maxLoopIterations);
            command.Options.Add(_isolation);
            command.Options.Add(_with);
            command.Options.Add(_tags);
            command.Options.Add(_noCache);
            var runIdFile = new Option<string?>("--run-id-file") { Description = "Write the new run's id to this file (for scripts)." };
            command.Options.Add(runIdFile);

            // Set by a deployment's scheduled job (see deploy slurm), not by users.
            var productionToken = new Option<string?>("--production-token") { Hidden = true };
            var branch = new Option<string?>("--branch") { Hidden = true };
            command.Options.Add(productionToken);
            command.Options.Add(branch);
            var parameterOptions = new List<(ParameterInfo Info, Option Option)>();
            foreach (var parameter in flow.Graph.Parameters)
            {
                var help = (parameter.Help ?? $"Parameter {parameter.Name}.") + (parameter.Required ? " (required)" : "");
                Option option = parameter.Type is "bool" or "bool?"
                    ? new Option<bool?>("--" + parameter.OptionName) { Description = help, Arity = ArgumentArity.ZeroOrOne }
                    : new Option<string>("--" + parameter.OptionName) { Description = help, HelpName = parameter.Type };
                command.Options.Add(option);
                parameterOptions.Add((parameter, option));
            }

            command.SetAction(async (parsed, cancellationToken) =>
            {
                var values = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var (info, option) in parameterOptions)
                {
                    if (parsed.GetResult(option) is { Implicit: false })
                    {
                        values[info.Name] = option switch
                        {
                            Option<bool?> b => (parsed.GetValue(b) ?? true) ? "true" : "false",
                            Option<string> s => parsed.GetValue(s) ?? "",
                            _ => throw new InvalidOperationException(),
                        };
                    }
                }

                return await ExecuteAsync(
                    Read(parsed) with
                    {
                        Parameters = values,
                        RunIdFile = parsed.GetValue(runIdFile),
                        ProductionToken = parsed.GetValue(productionToken) is { } token ? Ids.Check(token, "production token") : null,
                        Branch = parsed.GetValue(branch) is { } name ? Flow.Deploy.Deployments.CheckBranch(name) : null,
                    },
                    cancellationToken).ConfigureAwait(false);
            });
            return command;
        }

        private Command ResumeCommand()
        {
            var command = new Command("resume", "Run again from a step, cloning every finished task before it from the origin run; without a step, clone every task that succeeded and run only what failed or never ran.");
            var step = new Argument<string?>("step") { Arity = ArgumentArity.ZeroOrOne, Description = "The step to run again from." };
            var origin = new Option<string?>("--origin-run-id") { Description = "The run to resume (default: the latest run of this flow)." };
            command.Arguments.Add(step);
            command.Options.Add(origin);
            var runIdFile = new Option<string?>("--run-id-file") { Description = "Write the new run's id to this file (for scripts)." };
            command.Options.Add(runIdFile);
            command.Options.Add(_maxWorkers);
            command.Options.Add(_maxSplits);
            command.Options.Add(_maxLoopIterations);
            command.Options.Add(_isolation);
            command.Options.Add(_with);
            command.Options.Add(_tags);
            command.Options.Add(_noCache);
            command.SetAction((parsed, cancellationToken) => ExecuteAsync(
                Read(parsed) with { Resume = true, Step = parsed.GetValue(step), Origin = parsed.GetValue(origin), RunIdFile = parsed.GetValue(runIdFile) },
                cancellationToken));
            return command;
        }

        private Command ShowCommand()
        {
            var command = new Command("show", "Show the flow's graph: its steps, transitions and decorators.");
            var format = new Option<string>("--format") { Description = "text, dot (Graphviz) or mermaid.", DefaultValueFactory = _ => "text" };
            format.AcceptOnlyFromAmong("text", "dot", "mermaid");
            command.Options.Add(format);
            command.SetAction(parsed =>
            {
                output.Write(parsed.GetValue(format) switch
                {
                    "dot" => GraphPrinter.Dot(flow.Graph),
                    "mermaid" => GraphPrinter.Mermaid(flow.Graph),
                    _ => GraphPrinter.Text(flow.Graph),
                });
                return ExitCodes.Success;
            });
            return command;
        }

        private Command CheckCommand()
        {
            var command = new Command("check", "Check the flow's graph and parameters without running it; say which steps go to Slurm, and with which request.");
            command.Options.Add(_with);
            command.SetAction(parsed =>
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
                var with = SlurmWith(parsed);
                if (with is not null || graph.Steps.Any(s => s.Slurm is not null))
                {
                    var settings = Slurm.SlurmSettings.Resolve(with);
                    foreach (var step in graph.Steps.Where(s => settings.AllSteps || s.Slurm is not null))
                    {
                        var request = Slurm.SlurmLauncher.Request(step, step.Timeout, settings);
                        output.WriteLine($"  {step.Name} runs on Slurm{(graph.Steps.Any(p => p.Transition == TransitionKind.Foreach && p.Next.Contains(step.Name)) ? ", a foreach's tasks as one job array" : "")}: sbatch {(request.Count == 0 ? "(the cluster's defaults)" : string.Join(" ", request))}");
                    }

                    foreach (var step in graph.Steps.Where(s => !settings.AllSteps && s.Slurm is null))
                    {
                        output.WriteLine($"  {step.Name} runs here");
                    }
                }

                return ExitCodes.Success;
            });
            return command;
        }

        private Command StepCommand()
        {
            var command = new Command("step", "Run one task of one step of an existing run, from its inputs in the datastore (how cluster backends launch tasks).");
            var step = new Argument<string>("step") { Description = "The step to run." };
            var runId = new Option<string>("--run-id") { Description = "The run the task belongs to.", Required = true };
            var taskId = new Option<long>("--task-id") { Description = "The task's id.", Required = true };
            var attempt = new Option<int>("--attempt") { Description = "The attempt (0 for the first)." };
            var inputs = new Option<string[]>("--input") { Description = "A parent task, RUN/STEP/TASK; repeat for each input of a join." };
            var foreachIndex = new Option<int?>("--foreach-index") { Description = "For the child of a foreach: the element to run." };
            var index = new Option<int>("--index") { Description = "The innermost foreach index (default: the foreach index)." };
            var position = new Option<string?>("--position") { Description = "The task's position in the graph, for resume (default: STEP/)." };
            var iteration = new Option<int>("--iteration") { Description = "For a loop step: the pass through the loop (0 for the first); its --input is the previous pass's task." };
            var with = WithCardOption();
            command.Arguments.Add(step);
            foreach (var option in new Option[] { runId, taskId, attempt, inputs, foreachIndex, index, position, iteration, with, _noCache })
            {
                command.Options.Add(option);
            }

            command.SetAction(async (parsed, cancellationToken) =>
            {
                var name = flow.Graph[Ids.Check(parsed.GetValue(step), "step name")].Name;
                var withCard = WithCard(parsed.GetValue(with), "step");
                var request = new TaskRequest
                {
                    RunId = Ids.Check(parsed.GetValue(runId), "run id"),
                    Step = name,
                    TaskId = NotNegative(parsed.GetValue(taskId), "--task-id"),
                    Attempt = NotNegative(parsed.GetValue(attempt), "--attempt"),
                    Iteration = NotNegative(parsed.GetValue(iteration), "--iteration"),
                    Position = parsed.GetValue(position) ?? (parsed.GetValue(iteration) is > 0 and var k ? $"{name}/#{k.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : name + "/"),
                    Inputs = parsed.GetValue(inputs) ?? [],
                    ForeachIndex = parsed.GetValue(foreachIndex) is { } element ? NotNegative(element, "--foreach-index") : null,
                    Index = NotNegative(parsed.GetResult(index) is { Implicit: false } ? parsed.GetValue(index) : parsed.GetValue(foreachIndex) ?? 0, "--index"),
                    Environment = flow.Graph[name].Environment.ToDictionary(e => e.Name, e => e.Value, StringComparer.Ordinal),
                    WithCard = withCard,
                };
                var datastore = ExistingDatastore(parsed);
                var (cached, key) = await StepCache.LookUpAsync(flow.Graph, datastore, request, parsed.GetValue(_noCache), error, cancellationToken).ConfigureAwait(false);
                if (cached is not null)
                {
                    error.WriteLine($"Task {cached.Pathspec} cached from {cached.ClonedFrom}.");
                    return ExitCodes.Success;
                }

                return await RunTaskAsync(new TaskExecutor(flow, datastore), request with { CacheKey = key }, cancellationToken).ConfigureAwait(false);
            });
            return command;
        }

        /// <summary>The <c>--with</c> of a command that runs tasks outside the scheduler (step, argo step, deploy argo): only <c>card</c>.</summary>
        private static Option<string[]> WithCardOption() => new("--with")
        {
            Description = "card: every task stores its default card, as if each step had [Card] (see docs/cards.md).",
            HelpName = "card",
            AllowMultipleArgumentsPerToken = false,
        };

        /// <summary>Whether <c>--with card</c> was given to <paramref name="command"/>, which takes no other <c>--with</c>.</summary>
        private static bool WithCard(IReadOnlyList<string>? values, string command)
        {
            foreach (var value in values ?? [])
            {
                if (value != "card")
                {
                    throw new FlowException($"{command} takes only --with card (every task stores its default card), not --with {value}.");
                }
            }

            return values is { Count: > 0 };
        }

        /// <summary>Runs one task as the step and tasks commands do, says how it ended, and gives its exit code.</summary>
        private async Task<int> RunTaskAsync(TaskExecutor executor, TaskRequest request, CancellationToken cancellationToken)
        {
            TaskRecord record;
            try
            {
                record = await executor.RunAsync(request, null, cancellationToken).ConfigureAwait(false);
            }
            catch (TaskNotStoredException e)
            {
                // The task ran: a datastore that fails now fails the task, it is not bad input (exit code 2).
                error.WriteLine($"error: {e.Message}");
                error.WriteLine($"Task {e.Record.Pathspec} failed, and its failure is not recorded; once the datastore is fixed, run the task again.");
                return ExitCodes.RunFailed;
            }

            error.WriteLine(record.Status == RunStatus.Succeeded
                ? $"Task {record.Pathspec} succeeded."
                : $"Task {record.Pathspec} failed: {record.Error}");
            return record.Status == RunStatus.Succeeded ? ExitCodes.Success : ExitCodes.RunFailed;
        }

        private static T NotNegative<T>(T value, string option)
            where T : System.Numerics.INumber<T> =>
            T.IsNegative(value) ? throw new FlowException($"{option} must be 0 or more, got {value}.") : value;

        private Command TasksCommand()
        {
            var command = new Command("tasks", "Run tasks of an existing run, one after another, from a file of task requests (how the Slurm backend runs a job's tasks; not for direct use).") { Hidden = true };
            var file = new Option<string>("--file") { Description = "A file of task requests, one JSON object a line.", Required = true };
            var first = new Option<int>("--first") { Description = "The first line to run, from 0." };
            var count = new Option<int>("--count") { Description = "How many lines to run (default 1).", DefaultValueFactory = _ => 1 };
            command.Options.Add(file);
            command.Options.Add(first);
            command.Options.Add(count);
            command.SetAction(async (parsed, cancellationToken) =>
            {
                var from = NotNegative(parsed.GetValue(first), "--first");
                List<string> lines;
                try
                {
                    lines = File.ReadLines(parsed.GetValue(file)!).Skip(from).Take(NotNegative(parsed.GetValue(count), "--count")).ToList();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new FlowException($"Cannot read the task requests in {parsed.GetValue(file)}: {e.Message}", e);
                }

                var requests = lines.Select((l, i) => RecordJson.Deserialize<TaskRequest>(System.Text.Encoding.UTF8.GetBytes(l), $"task request {from + i} of {parsed.GetValue(file)}")).ToList();
                var executor = new TaskExecutor(flow, ExistingDatastore(parsed));
                var code = ExitCodes.Success;
                foreach (var request in requests)
                {
                    _ = flow.Graph[Ids.Check(request.Step, "step name")];
                    if (await RunTaskAsync(executor, request, cancellationToken).ConfigureAwait(false) != ExitCodes.Success)
                    {
                        code = ExitCodes.RunFailed;
                    }
                }

                return code;
            });
            return command;
        }

        private Command WorkerCommand()
        {
            var command = new Command("worker", "Serve tasks to a running scheduler (started by 'run'; not for direct use).") { Hidden = true };
            var socket = new Option<string>("--socket") { Required = true };
            command.Options.Add(socket);
            command.SetAction((parsed, cancellationToken) => WorkerLoop.RunAsync(flow, parsed.GetValue(socket)!, cancellationToken));
            return command;
        }
    }
}
