using System.CommandLine;
using System.Globalization;
using Flow.Datastore;
using Flow.Deploy;
using Flow.Slurm;

namespace Flow.Cli;

/// <summary>The commands that put a flow in production on Slurm: deploy slurm (its schedule), trigger (one run now), and the schedule's own job.</summary>
public static partial class FlowApp
{
    private sealed partial class Commands
    {
        private Command DeploySlurmCommand()
        {
            var command = new Command("slurm", "Schedule the flow's production runs on Slurm: at each time of its [Schedule] a Slurm job starts a run, its steps on Slurm as with run --with slurm.");
            var (branch, production) = BranchOptions();
            var print = new Option<bool>("--print") { Description = "Print what would be submitted, and when, instead of submitting it." };
            var remove = new Option<bool>("--remove") { Description = "Remove the schedule of the flow's branch." };
            foreach (var option in new Option[] { branch, production, print, remove, _with })
            {
                command.Options.Add(option);
            }

            command.SetAction(async (parsed, cancellationToken) =>
            {
                var graph = flow.Graph;
                var name = Flow.Deploy.Deployments.Branch(parsed.GetValue(branch), parsed.GetValue(production), Flow.Execution.LocalScheduler.DefaultUser());
                if (parsed.GetValue(remove))
                {
                    var removed = await SlurmSchedule.CancelAsync(graph.Name, name, cancellationToken).ConfigureAwait(false);
                    error.WriteLine(removed > 0
                        ? $"Removed the schedule of flow {graph.Name} on branch {name}."
                        : $"Flow {graph.Name} has no schedule on branch {name}; nothing to remove.");
                    return ExitCodes.Success;
                }

                var cron = graph.Schedule ?? throw new FlowException($"Flow {graph.Name} has no [Schedule], so there is nothing to schedule; add [Schedule(Cron = \"0 3 * * *\")] to the flow, or start production runs with trigger.");
                var (store, settings) = SharedDatastore(parsed);
                var token = Flow.Deploy.Deployments.Token(graph, name);
                var now = DateTimeOffset.UtcNow;
                var submission = SlurmSchedule.Submission(graph.Name, name, cron, now, CurrentProgram(flowArgument), store, settings, SlurmWith(parsed), WithValues(parsed.GetValue(_with)).Card);
                var next = SlurmSchedule.Next(cron, now);
                if (parsed.GetValue(print))
                {
                    output.WriteLine($"next run: {next:yyyy-MM-dd HH:mm}Z");
                    output.WriteLine("sbatch " + string.Join(" ", submission.Select(a => a.Contains(' ', StringComparison.Ordinal) || a.Contains('\'', StringComparison.Ordinal) ? SlurmCommands.Quote(a) : a)));
                    return ExitCodes.Success;
                }

                Directory.CreateDirectory(SlurmLauncher.FolderRoot(store, settings));
                var replaced = await SlurmSchedule.CancelAsync(graph.Name, name, cancellationToken).ConfigureAwait(false);
                var job = await SlurmSchedule.SubmitAsync(submission, cancellationToken).ConfigureAwait(false);
                error.WriteLine($"Flow {graph.Name} is scheduled on Slurm on branch {name} ({cron}, UTC){(replaced > 0 ? ", replacing its earlier schedule" : "")}: the next run starts at {next:yyyy-MM-dd HH:mm}Z as job {job}, in namespace production:{token}.");
                output.WriteLine($"production:{token}");
                return ExitCodes.Success;
            });
            return command;
        }

        private Command ScheduleTickCommand()
        {
            var command = new Command("schedule-tick", "Run one scheduled production run, after scheduling the next one (the job deploy slurm submits; not for direct use).") { Hidden = true };
            var branch = new Option<string>("--branch") { Required = true };
            command.Options.Add(branch);
            command.Options.Add(_with);
            command.SetAction(async (parsed, cancellationToken) =>
            {
                var graph = flow.Graph;
                var name = Flow.Deploy.Deployments.CheckBranch(parsed.GetValue(branch)!);
                var cron = graph.Schedule ?? throw new FlowException($"Flow {graph.Name} has no [Schedule] any more; remove its schedule with deploy slurm --remove.");
                var (store, settings) = SharedDatastore(parsed);

                // The next time first: a run that fails, or takes long, does not stop the schedule.
                var card = WithValues(parsed.GetValue(_with)).Card;
                var job = await SlurmSchedule.SubmitAsync(SlurmSchedule.Submission(graph.Name, name, cron, DateTimeOffset.UtcNow, CurrentProgram(flowArgument), store, settings, SlurmWith(parsed), card), cancellationToken).ConfigureAwait(false);
                error.WriteLine($"The next scheduled run of {graph.Name} on branch {name} is job {job}.");
                return await ExecuteAsync(
                    RunCommandLine.Default with
                    {
                        With = SlurmWith(parsed) ?? "slurm",
                        WithCard = card,
                        ProductionToken = Flow.Deploy.Deployments.Token(graph, name),
                        Branch = name,
                        DatastoreKind = store.Kind == DatastoreKind.S3 ? "s3" : "local",
                        DatastoreRoot = store.Root,
                    },
                    cancellationToken).ConfigureAwait(false);
            });
            return command;
        }

        private Command TriggerCommand()
        {
            var command = new Command("trigger", "Start one production run now, as a Slurm job like the schedule's (deploy slurm); prints the job id and the run id.");
            var (branch, production) = BranchOptions();
            var wait = new Option<int>("--wait") { Description = "How many seconds to wait for the run to start and print its id (default 120; 0: do not wait).", DefaultValueFactory = _ => 120 };
            foreach (var option in new Option[] { branch, production, wait, _with })
            {
                command.Options.Add(option);
            }

            var parameterOptions = new List<Option<string>>();
            foreach (var parameter in flow.Graph.Parameters)
            {
                var option = new Option<string>("--" + parameter.OptionName) { Description = (parameter.Help ?? $"Parameter {parameter.Name}.") + " (for a backfill, a past value)", HelpName = parameter.Type };
                command.Options.Add(option);
                parameterOptions.Add(option);
            }

            command.SetAction(async (parsed, cancellationToken) =>
            {
                var graph = flow.Graph;
                var name = Deployments.Branch(parsed.GetValue(branch), parsed.GetValue(production), Flow.Execution.LocalScheduler.DefaultUser());
                var (store, settings) = SharedDatastore(parsed);
                var token = Deployments.Token(graph, name);
                var folder = SlurmLauncher.FolderRoot(store, settings);
                Directory.CreateDirectory(folder);
                var idFile = Path.Combine(folder, $"trigger-{graph.Name}-{Guid.NewGuid():N}.id");
                var parameters = parameterOptions.Where(o => parsed.GetResult(o) is { Implicit: false }).SelectMany(o => new[] { o.Name, parsed.GetValue(o) ?? "" });
                var card = WithValues(parsed.GetValue(_with)).Card ? (string[])["--with", "card"] : [];
                var run = SlurmCommands.CommandLine(CurrentProgram(flowArgument), ["run", "--with", SlurmWith(parsed) ?? "slurm", .. card, "--production-token", token, "--branch", name,
                    "--datastore", store.Kind == DatastoreKind.S3 ? "s3" : "local", "--datastore-root", store.Root, .. parameters, "--run-id-file", idFile]);
                List<string> sbatch = ["--parsable", $"--job-name=flow-{graph.Name}-{name}-trigger", $"--output={Path.Combine(folder, "trigger-%j.out")}", .. settings.RunJobOptions()];

                var submitted = await SlurmCommands.RunAsync("sbatch", [.. sbatch, "--wrap", run], cancellationToken).ConfigureAwait(false);
                if (submitted.ExitCode != 0)
                {
                    throw new FlowException($"Slurm refused the production run's job: {submitted.Message}");
                }

                var job = submitted.Output.Trim().Split(';')[0];
                output.WriteLine($"job {job}");
                error.WriteLine($"Submitted a production run of {graph.Name} on branch {name} as Slurm job {job}; its runs are in namespace production:{token}.");
                var clock = System.Diagnostics.Stopwatch.StartNew();
                while (clock.Elapsed.TotalSeconds < parsed.GetValue(wait))
                {
                    if (File.Exists(idFile) && (await File.ReadAllTextAsync(idFile, cancellationToken).ConfigureAwait(false)).Trim() is { Length: > 0 } runId)
                    {
                        File.Delete(idFile);
                        output.WriteLine($"run {runId}");
                        return ExitCodes.Success;
                    }

                    await Task.Delay(200, cancellationToken).ConfigureAwait(false);
                }

                error.WriteLine($"The run has not started yet; once it has, runs --namespace production:{token} lists it.");
                return ExitCodes.Success;
            });
            return command;
        }

        private static (Option<string?> Branch, Option<bool> Production) BranchOptions() =>
            (new Option<string?>("--branch") { Description = "Deploy a test branch, test.NAME, beside production (default: your own branch, user.NAME)." },
             new Option<bool>("--production") { Description = "Deploy the production branch, prod." });

        /// <summary>The datastore a deployment's runs use, which the cluster must reach: S3, or a local folder as an absolute path.</summary>
        private (DatastoreConfig Store, SlurmSettings Settings) SharedDatastore(ParseResult parsed)
        {
            var config = DatastoreConfig.Resolve(parsed.GetValue(_kind), parsed.GetValue(_root));
            var store = config.Kind == DatastoreKind.Local ? config with { Root = Path.GetFullPath(config.Root) } : config;
            if (store.Kind == DatastoreKind.Local)
            {
                error.WriteLine($"Production runs use the datastore at {store.Root}: it must be on a file system that the cluster's nodes share (or use S3).");
            }

            return (store, SlurmSettings.Resolve(SlurmWith(parsed)));
        }
    }
}
