using System.CommandLine;
using System.Text.RegularExpressions;
using Flow.Datastore;
using Flow.Deploy.Argo;
using Flow.Execution;

namespace Flow.Cli;

/// <summary>The <c>deploy</c> command, and the hidden <c>argo</c> commands that a deployed flow's containers run.</summary>
public static partial class FlowApp
{
    private sealed partial class Commands
    {
        // The settings a pod needs that are no secret: they go into the manifest as they are set here. Credentials never do.
        private static readonly string[] PassedSettings = ["AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"];

        private Command DeployCommand()
        {
            var command = new Command("deploy", "Deploy the flow to a production scheduler: Argo Workflows (writes its manifests) or Slurm (schedules its runs).");
            command.Subcommands.Add(DeployArgoCommand());
            command.Subcommands.Add(DeploySlurmCommand());
            return command;
        }

        private Command DeployArgoCommand()
        {
            var command = new Command("argo", "Write an Argo Workflows WorkflowTemplate for the flow (and a CronWorkflow if it has [Schedule]); see docs/deploy.md.");
            var image = new Option<string?>("--image") { Description = "The container image of this program (built with dotnet publish -t:PublishContainer); required." };
            var outputFolder = new Option<string?>("--output") { Description = "A folder to write the manifests to ('-' or none: standard output)." };
            var apply = new Option<bool>("--apply") { Description = "After writing the manifests to the --output folder, apply them with kubectl apply (to kubectl's current context)." };
            var kubectl = new Option<string?>("--kubectl") { Description = "The kubectl that --apply runs: a path, or a name looked up on PATH (default: kubectl)." };
            var secret = new Option<string?>("--secret") { Description = "A Kubernetes secret whose keys every container gets as environment variables (S3 credentials)." };
            var serviceAccount = new Option<string?>("--service-account") { Description = "The Kubernetes service account the pods run as." };
            var ns = new Option<string?>("--namespace") { Description = "The Kubernetes namespace of the resources." };
            var timezone = new Option<string?>("--timezone") { Description = "The time zone of the flow's [Schedule], an IANA name such as Europe/Paris (default: UTC)." };
            var (branch, production) = BranchOptions();
            var with = WithCardOption();
            var noCache = new Option<bool>("--no-cache") { Description = "The tasks of [Cache] steps always run, without looking for an earlier run's task to reuse." };
            foreach (var option in new Option[] { image, outputFolder, apply, kubectl, secret, serviceAccount, ns, timezone, branch, production, with, noCache })
            {
                command.Options.Add(option);
            }

            command.SetAction(async (parsed, cancellationToken) =>
            {
                var graph = flow.Graph;
                var withCard = WithCard(parsed.GetValue(with), "deploy argo");
                var imageName = parsed.GetValue(image) is { Length: > 0 } given
                    ? given
                    : throw new FlowException("deploy argo needs --image: the container image that holds this program (build it with dotnet publish -t:PublishContainer; see docs/deploy.md).");
                var folder = parsed.GetValue(outputFolder) is { } named && named != "-" ? named : null;
                string? kubectlPath = null;
                if (parsed.GetValue(apply))
                {
                    if (folder is null)
                    {
                        throw new FlowException("deploy argo --apply needs --output DIR: kubectl applies the files written there, not standard output. Give --output a folder, or leave out --apply and pipe the manifests to kubectl apply -f - yourself.");
                    }

                    var tool = parsed.GetValue(kubectl) is { Length: > 0 } toolGiven ? toolGiven : Kubectl.Default;
                    kubectlPath = Kubectl.Find(tool)
                        ?? throw new FlowException($"deploy argo --apply runs kubectl, and {(tool == Kubectl.Default ? "there is no kubectl on PATH" : $"there is no {tool}")}. Install kubectl (or name it with --kubectl PATH), or leave out --apply and apply the manifests yourself.");
                }
                else if (parsed.GetValue(kubectl) is not null)
                {
                    throw new FlowException("--kubectl names the kubectl that --apply runs; give --apply too, or leave out --kubectl.");
                }

                var config = DatastoreConfig.Resolve(parsed.GetValue(_kind), parsed.GetValue(_root));
                if (config.Kind != DatastoreKind.S3)
                {
                    throw new FlowException($"Flows on Argo need an S3 datastore, which every pod can reach; this one is the {config}. Give --datastore-root s3://BUCKET/PREFIX (or set FLOW_DATASTORE_ROOT).");
                }

                var zone = parsed.GetValue(timezone);
                if (zone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
                {
                    throw new FlowException($"'{zone}' is not a time zone this machine knows; give --timezone an IANA name, such as Europe/Paris.");
                }

                if (zone is not null && graph.Schedule is null)
                {
                    error.WriteLine($"warning: flow {graph.Name} has no [Schedule], so --timezone is not used.");
                }

                var deployed = Flow.Deploy.Deployments.Branch(parsed.GetValue(branch), parsed.GetValue(production), LocalScheduler.DefaultUser());
                var options = new ArgoOptions
                {
                    Branch = deployed,
                    ProductionToken = Flow.Deploy.Deployments.Token(graph, deployed),
                    Image = imageName,
                    DatastoreRoot = config.Root,
                    FlowArgument = flowArgument,
                    Secret = KubernetesName(parsed.GetValue(secret), "--secret", 253),
                    ServiceAccount = KubernetesName(parsed.GetValue(serviceAccount), "--service-account", 253),
                    Namespace = KubernetesName(parsed.GetValue(ns), "--namespace", 63),
                    Timezone = zone,
                    WithCard = withCard,
                    NoCache = parsed.GetValue(noCache),
                    Settings = PassedSettings
                        .Where(s => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(s)))
                        .ToDictionary(s => s, s => Environment.GetEnvironmentVariable(s)!, StringComparer.Ordinal),
                };
                var resources = ArgoManifest.Build(flow, options);
                if (folder is null)
                {
                    output.Write(string.Join("---\n", resources.Select(ArgoYaml.Write)));
                    return ExitCodes.Success;
                }

                var files = new List<string>();
                foreach (var resource in resources)
                {
                    var file = Path.Combine(folder, $"{resource.Name}.{KubernetesNames.Of(resource.Kind)}.yaml");
                    try
                    {
                        Directory.CreateDirectory(folder);
                        File.WriteAllText(file, ArgoYaml.Write(resource));
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        throw new FlowException($"Cannot write the {resource.Kind} to {Path.GetFullPath(file)}: {e.Message} Give --output a folder that can be written.", e);
                    }

                    output.WriteLine($"Wrote {resource.Kind} {resource.Name} to {file}");
                    files.Add(file);
                }

                if (kubectlPath is null)
                {
                    return ExitCodes.Success;
                }

                var applied = await Kubectl.ApplyAsync(kubectlPath, files, cancellationToken).ConfigureAwait(false);
                // kubectl's own output and errors pass through as it wrote them; a failure ends with its exit code.
                output.Write(applied.Output);
                error.Write(applied.Error);
                if (applied.ExitCode != 0)
                {
                    error.WriteLine($"error: {kubectlPath} apply failed with exit code {applied.ExitCode}{(applied.Error.Trim().Length > 0 ? " (its error is above)" : ", writing no error")}. The manifests are written in {Path.GetFullPath(folder)}: apply them once kubectl can reach the cluster, or deploy again with --apply.");
                    return applied.ExitCode;
                }

                return ExitCodes.Success;
            });
            return command;
        }

        private static string? KubernetesName(string? name, string option, int maxLength) =>
            name is null || (name.Length <= maxLength && Regex.IsMatch(name, "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", RegexOptions.CultureInvariant))
                ? name
                : throw new FlowException($"'{name}' is not a Kubernetes name for {option}: use at most {maxLength} lower-case letters, digits, '-' and '.', starting and ending with a letter or digit.");

        private Command ArgoCommand()
        {
            var command = new Command("argo", "What the containers of a flow deployed to Argo run (written by deploy argo; not for direct use).") { Hidden = true };
            command.Subcommands.Add(ArgoStartCommand());
            command.Subcommands.Add(ArgoStepCommand());
            command.Subcommands.Add(ArgoFinishCommand());
            return command;
        }

        private Command ArgoStartCommand()
        {
            var command = new Command("start", "Record a new run with its parameters, as 'run' does before its first task.");
            var runId = new Option<string>("--run-id") { Description = "The run's id.", Required = true };
            var token = new Option<string?>("--production-token") { Description = "The deployment's production token." };
            var branch = new Option<string?>("--branch") { Description = "The deployment's branch." };
            command.Options.Add(runId);
            command.Options.Add(token);
            command.Options.Add(branch);
            var parameters = flow.Graph.Parameters.Select(p => (Info: p, Option: new Option<string?>("--" + p.OptionName) { Description = p.Help })).ToList();
            foreach (var (_, option) in parameters)
            {
                command.Options.Add(option);
            }

            command.SetAction(async (parsed, cancellationToken) =>
            {
                var id = Ids.Check(parsed.GetValue(runId), "run id");
                var datastore = ExistingDatastore(parsed);
                // An empty value stands for a parameter whose default is null (Argo's arguments are text): not given.
                var defaults = flow.CreateInstance();
                var given = parameters
                    .Where(p => parsed.GetValue(p.Option) is { } value
                        && !(value.Length == 0 && flow.Artifacts.First(a => a.Name == p.Info.Name).GetBoxed(defaults) is null))
                    .ToDictionary(p => p.Info.Name, p => parsed.GetValue(p.Option)!, StringComparer.Ordinal);
                var refs = await Flow.Execution.Parameters.StoreAsync(flow, datastore, given, cancellationToken).ConfigureAwait(false);

                var production = parsed.GetValue(token) is { } tokenGiven ? Ids.Check(tokenGiven, "production token") : null;
                var deployed = parsed.GetValue(branch) is { } branchGiven ? Flow.Deploy.Deployments.CheckBranch(branchGiven) : null;
                var user = production is null ? LocalScheduler.DefaultUser() : "production";
                await datastore.Metadata.CreateRunAsync(
                    new RunRecord
                    {
                        Flow = flow.Graph.Name,
                        RunId = id,
                        User = user,
                        Status = RunStatus.Running,
                        SystemTags = LocalScheduler.SystemTags(flow.Graph, user, production is null ? null : (production, deployed ?? Flow.Deploy.Deployments.ProductionBranch)),
                        Parameters = refs,
                        StartedAt = DateTimeOffset.UtcNow,
                    },
                    cancellationToken).ConfigureAwait(false);
                error.WriteLine($"Run {flow.Graph.Name}/{id} started.");
                return ExitCodes.Success;
            });
            return command;
        }

        private Command ArgoStepCommand()
        {
            var command = new Command("step", "Run one task: the step at a path and iteration, its task id and inputs derived from them (see docs/deploy.md).");
            var step = new Argument<string>("step") { Description = "The step to run." };
            var runId = new Option<string>("--run-id") { Description = "The run the task belongs to.", Required = true };
            var path = new Option<string>("--path") { Description = "The branch taken at each enclosing split, outermost first, joined by '.' ('.' for none).", DefaultValueFactory = _ => "." };
            var iteration = new Option<int>("--iteration") { Description = "For a loop step: the pass through the loop (0 for the first)." };
            var attempt = new Option<int>("--attempt") { Description = "The attempt (0 for the first)." };
            var maxLoopIterations = new Option<int>("--max-loop-iterations") { Description = "The most iterations one loop may run.", DefaultValueFactory = _ => RunCommandLine.Default.MaxLoopIterations };
            var outputs = new Option<string?>("--outputs") { Description = "A folder for Argo's output parameters: next (the steps chosen), foreach (the elements' indices, as JSON) and iteration (the next one)." };
            var with = WithCardOption();
            command.Arguments.Add(step);
            foreach (var option in new Option[] { runId, path, iteration, attempt, maxLoopIterations, outputs, with, _noCache })
            {
                command.Options.Add(option);
            }

            command.SetAction(async (parsed, cancellationToken) =>
            {
                var node = flow.Graph[Ids.Check(parsed.GetValue(step), "step name")];
                var id = Ids.Check(parsed.GetValue(runId), "run id");
                var withCard = WithCard(parsed.GetValue(with), "argo step");
                var plan = new ArgoTaskPlan(flow.Graph);
                var at = ArgoTaskPlan.ParsePath(parsed.GetValue(path) ?? ".");
                var pass = NotNegative(parsed.GetValue(iteration), "--iteration");
                if (pass >= parsed.GetValue(maxLoopIterations))
                {
                    throw new FlowException($"Step {node.Name} has run {pass} iterations, as many as --max-loop-iterations allows ({parsed.GetValue(maxLoopIterations)}), and chose to go round again. Check the condition that ends the loop.");
                }

                var datastore = ExistingDatastore(parsed);
                var (inputs, foreachIndex) = await plan.InputsAsync(datastore.Metadata, id, node, at, pass, cancellationToken).ConfigureAwait(false);
                var position = ArgoTaskPlan.Position(node.Name, at, pass);
                if (await datastore.Metadata.GetTaskAsync(flow.Graph.Name, id, node.Name, ArgoTaskPlan.TaskId(position), cancellationToken).ConfigureAwait(false) is { } taken
                    && !string.Equals(taken.Position, position, StringComparison.Ordinal))
                {
                    throw new FlowException($"Task {taken.Pathspec} is the task at {taken.Position}, and the task at {position} hashes to the same id; run {id} cannot go on with both.");
                }

                var request = new TaskRequest
                {
                    RunId = id,
                    Step = node.Name,
                    TaskId = ArgoTaskPlan.TaskId(position),
                    Attempt = NotNegative(parsed.GetValue(attempt), "--attempt"),
                    Iteration = pass,
                    Position = position,
                    Inputs = inputs,
                    ForeachIndex = foreachIndex,
                    Index = plan.Index(node.Name, at),
                    Environment = node.Environment.ToDictionary(e => e.Name, e => e.Value, StringComparer.Ordinal),
                    WithCard = withCard,
                };
                var (cached, key) = await StepCache.LookUpAsync(flow.Graph, datastore, request, parsed.GetValue(_noCache), error, cancellationToken).ConfigureAwait(false);
                TaskRecord record;
                try
                {
                    record = cached ?? await new TaskExecutor(flow, datastore).RunAsync(request with { CacheKey = key }, null, cancellationToken).ConfigureAwait(false);
                }
                catch (TaskNotStoredException e)
                {
                    error.WriteLine($"error: {e.Message}");
                    error.WriteLine($"Task {e.Record.Pathspec} failed, and its failure is not recorded; once the datastore is fixed, run the task again.");
                    return ExitCodes.RunFailed;
                }

                if (parsed.GetValue(outputs) is { } folder)
                {
                    Directory.CreateDirectory(folder);
                    await File.WriteAllTextAsync(Path.Combine(folder, "next"), string.Join(",", record.Next), cancellationToken).ConfigureAwait(false);
                    await File.WriteAllTextAsync(Path.Combine(folder, "foreach"), "[" + string.Join(",", Enumerable.Range(0, record.ForeachElements?.Count ?? 0)) + "]", cancellationToken).ConfigureAwait(false);
                    await File.WriteAllTextAsync(Path.Combine(folder, "iteration"), (pass + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
                }

                error.WriteLine(cached is not null ? $"Task {record.Pathspec} cached from {record.ClonedFrom}."
                    : record.Status == RunStatus.Succeeded ? $"Task {record.Pathspec} succeeded." : $"Task {record.Pathspec} failed: {record.Error}");
                return record.Status == RunStatus.Succeeded ? ExitCodes.Success : ExitCodes.RunFailed;
            });
            return command;
        }

        private Command ArgoFinishCommand()
        {
            var command = new Command("finish", "Record how a run ended: Argo's workflow status (Succeeded, or anything else for Failed).");
            var runId = new Option<string>("--run-id") { Description = "The run.", Required = true };
            var status = new Option<string>("--status") { Description = "The workflow's status, as Argo gives it ({{workflow.status}}).", Required = true };
            command.Options.Add(runId);
            command.Options.Add(status);
            command.SetAction(async (parsed, cancellationToken) =>
            {
                var id = Ids.Check(parsed.GetValue(runId), "run id");
                var datastore = ExistingDatastore(parsed);
                var run = await datastore.Metadata.GetRunAsync(flow.Graph.Name, id, cancellationToken).ConfigureAwait(false)
                    ?? throw new FlowException($"Run {flow.Graph.Name}/{id} is not in the datastore at {datastore.Description}: the workflow stopped before it recorded the run (see the log of its create-run task).");
                var succeeded = string.Equals(parsed.GetValue(status), "Succeeded", StringComparison.Ordinal);
                var failed = succeeded
                    ? null
                    : (await datastore.Metadata.ListTasksAsync(flow.Graph.Name, id, cancellationToken).ConfigureAwait(false))
                        .Where(t => t.Status == RunStatus.Failed).OrderBy(t => t.FinishedAt).FirstOrDefault()?.Pathspec;
                await datastore.Metadata.UpdateRunAsync(
                    run with { Status = succeeded ? RunStatus.Succeeded : RunStatus.Failed, FinishedAt = DateTimeOffset.UtcNow, FailedTask = failed },
                    cancellationToken).ConfigureAwait(false);
                error.WriteLine($"Run {flow.Graph.Name}/{id} {(succeeded ? "succeeded" : "failed")}.");
                return ExitCodes.Success;
            });
            return command;
        }
    }
}
