using System.Collections;
using System.CommandLine;
using System.Globalization;
using Flow.Client;
using Flow.Datastore;

namespace Flow.Cli;

/// <summary>The commands that look at past runs: runs, logs, dump, tag.</summary>
public static partial class FlowApp
{
    private sealed partial class Commands
    {
        private FlowClient Client(ParseResult parsed, string? @namespace) => new(ExistingDatastore(parsed)) { Namespace = @namespace };

        private Command RunsCommand()
        {
            var command = new Command("runs", "List recent runs, newest first: id, status, user, duration, tags.");
            var all = new Option<bool>("--all") { Description = "Show every user's runs (the global namespace)." };
            var ns = new Option<string?>("--namespace") { Description = "Show the runs of this namespace (default: user:<you>)." };
            var tag = new Option<string?>("--tag") { Description = "Only runs with this tag." };
            var limit = new Option<int>("--limit") { Description = "At most this many runs.", DefaultValueFactory = _ => 20 };
            foreach (var option in new Option[] { all, ns, tag, limit })
            {
                command.Options.Add(option);
            }

            command.SetAction(async (parsed, cancellationToken) =>
            {
                var client = Client(parsed, parsed.GetValue(all) ? null : parsed.GetValue(ns) ?? FlowClient.DefaultNamespace);
                var runs = await client.Flow(flow.Graph.Name).ListAsync(cancellationToken).ConfigureAwait(false);
                if (parsed.GetValue(tag) is { } wanted)
                {
                    runs = runs.Where(r => r.Tags.Contains(wanted) || r.SystemTags.Contains(wanted)).ToList();
                }

                foreach (var run in runs.Take(Math.Max(0, parsed.GetValue(limit))))
                {
                    var duration = run.Duration is { } d ? d.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s" : "-";
                    output.WriteLine($"{run.Id}  {run.Status,-9}  {run.User}  {run.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z  {duration,9}  {string.Join(",", run.Tags)}{await FailedAtAsync(run, cancellationToken).ConfigureAwait(false)}");
                }

                if (runs.Count == 0)
                {
                    error.WriteLine($"No runs of {flow.Graph.Name} in namespace '{client.Namespace ?? "(global)"}' in {client.Datastore.Description}.");
                }

                return ExitCodes.Success;
            });
            return command;
        }

        // Where a failed run stopped: its failed task, and for a loop's task the iteration.
        private async Task<string> FailedAtAsync(Run run, CancellationToken cancellationToken)
        {
            if (run.Status != RunStatus.Failed || run.FailedTask?.Split('/') is not [_, var step, var id]
                || !long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var taskId))
            {
                return "";
            }

            var task = flow.Graph.TryGetStep(step, out var node) && node.IsLoop
                ? (await run.TasksAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(t => t.Step == step && t.Id == taskId)
                : null;
            return $"  failed at {step}/{taskId}{(task is null ? "" : IterationOf(task))}";
        }

        private Command LogsCommand()
        {
            var command = new Command("logs", "Print the output of a task, or of every task of a step.");
            var path = new Argument<string>("path") { Description = "RUN/STEP or RUN/STEP/TASK." };
            var stderr = new Option<bool>("--stderr") { Description = "Print standard error instead of standard output." };
            command.Arguments.Add(path);
            command.Options.Add(stderr);
            command.SetAction(async (parsed, cancellationToken) =>
            {
                var (runId, step, taskId) = ParsePath(parsed.GetValue(path)!, requireStep: true);
                var run = await Client(parsed, null).Flow(flow.Graph.Name).GetAsync(runId, cancellationToken).ConfigureAwait(false);
                var tasks = await Tasks(run, step!, taskId, cancellationToken).ConfigureAwait(false);
                foreach (var task in tasks)
                {
                    if (tasks.Count > 1)
                    {
                        output.WriteLine($"--- {task.Pathspec}{IterationOf(task)} ---");
                    }

                    output.Write(parsed.GetValue(stderr)
                        ? await task.StderrAsync(cancellationToken).ConfigureAwait(false)
                        : await task.StdoutAsync(cancellationToken).ConfigureAwait(false));
                }

                return ExitCodes.Success;
            });
            return command;
        }

        private Command DumpCommand()
        {
            var command = new Command("dump", "Show artifacts: names, types, sizes and short values (RUN: its steps and final artifacts).");
            var path = new Argument<string>("path") { Description = "RUN, RUN/STEP or RUN/STEP/TASK." };
            command.Arguments.Add(path);
            command.SetAction(async (parsed, cancellationToken) =>
            {
                var (runId, step, taskId) = ParsePath(parsed.GetValue(path)!, requireStep: false);
                var run = await Client(parsed, null).Flow(flow.Graph.Name).GetAsync(runId, cancellationToken).ConfigureAwait(false);
                if (step is null)
                {
                    output.WriteLine($"Run {flow.Graph.Name}/{run.Id}: {run.Status}, by {run.User}, tags: {string.Join(", ", run.SystemTags.Concat(run.Tags))}");
                    foreach (var group in (await run.TasksAsync(cancellationToken).ConfigureAwait(false)).GroupBy(t => t.Step))
                    {
                        var loop = flow.Graph.TryGetStep(group.Key, out var node) && node.IsLoop;
                        output.WriteLine($"  {group.Key}: {group.Count()} task(s), {group.Count(t => t.Status == RunStatus.Succeeded)} succeeded{(loop ? Loops(group.ToList()) : "")}");
                    }

                    if (await run.EndTaskAsync(cancellationToken).ConfigureAwait(false) is { } end)
                    {
                        await DumpTaskAsync(end, cancellationToken).ConfigureAwait(false);
                    }

                    return ExitCodes.Success;
                }

                foreach (var task in await Tasks(run, step, taskId, cancellationToken).ConfigureAwait(false))
                {
                    await DumpTaskAsync(task, cancellationToken).ConfigureAwait(false);
                }

                return ExitCodes.Success;
            });
            return command;
        }

        private Command TagCommand()
        {
            var command = new Command("tag", "Add, remove, replace or list a run's tags.");
            var run = new Argument<string>("run") { Description = "The run's id." };
            var tags = new Argument<string[]>("tags") { Description = "Tags.", Arity = ArgumentArity.OneOrMore };
            var add = new Command("add", "Add tags to a run.") { run, tags };
            add.SetAction((parsed, cancellationToken) => ChangeAsync(parsed, run, r => r.AddTagsAsync(parsed.GetValue(tags)!, cancellationToken), cancellationToken));
            var remove = new Command("remove", "Remove tags from a run (system tags cannot be removed).") { run, tags };
            remove.SetAction((parsed, cancellationToken) => ChangeAsync(parsed, run, r => r.RemoveTagsAsync(parsed.GetValue(tags)!, cancellationToken), cancellationToken));
            var old = new Argument<string>("old") { Description = "The tag to replace." };
            var replacement = new Argument<string>("new") { Description = "Its replacement." };
            var replace = new Command("replace", "Replace one tag of a run with another.") { run, old, replacement };
            replace.SetAction((parsed, cancellationToken) => ChangeAsync(parsed, run, r => r.ReplaceTagAsync(parsed.GetValue(old)!, parsed.GetValue(replacement)!, cancellationToken), cancellationToken));
            var list = new Command("list", "List a run's tags (system tags first).") { run };
            list.SetAction((parsed, cancellationToken) => ChangeAsync(parsed, run, _ => Task.CompletedTask, cancellationToken));
            command.Subcommands.Add(add);
            command.Subcommands.Add(remove);
            command.Subcommands.Add(replace);
            command.Subcommands.Add(list);
            return command;
        }

        private async Task<int> ChangeAsync(ParseResult parsed, Argument<string> runArgument, Func<Run, Task> change, CancellationToken cancellationToken)
        {
            var runs = Client(parsed, null).Flow(flow.Graph.Name);
            var run = await runs.GetAsync(parsed.GetValue(runArgument)!, cancellationToken).ConfigureAwait(false);
            await change(run).ConfigureAwait(false);
            run = await runs.GetAsync(run.Id, cancellationToken).ConfigureAwait(false);
            foreach (var tag in run.SystemTags)
            {
                output.WriteLine($"{tag}  (system)");
            }

            foreach (var tag in run.Tags)
            {
                output.WriteLine(tag);
            }

            return ExitCodes.Success;
        }

        private async Task DumpTaskAsync(TaskView task, CancellationToken cancellationToken)
        {
            output.WriteLine($"Task {task.Pathspec}{IterationOf(task)}: {task.Status}{(task.ClonedFrom is { } c ? $" (cloned from {c})" : "")}");
            foreach (var (name, reference) in task.Artifacts.OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                var accessor = flow.Artifacts.FirstOrDefault(a => a.Name == name);
                var value = accessor is null
                    ? "?"
                    : Preview(accessor.ReadBoxed(await task.ValueAsync(name, cancellationToken).ConfigureAwait(false), $"artifact {name} of task {task.Pathspec}"));
                output.WriteLine($"  {name,-16} {reference.Type,-28} {reference.Size,9} B  {value}");
            }
        }

        // A loop step's tasks: how many loops (one per foreach element the step is in) and how long they ran.
        private static string Loops(List<TaskView> tasks)
        {
            var loops = tasks.Count(t => t.Iteration == 0);
            var longest = tasks.Max(t => t.Iteration) + 1;
            return loops <= 1
                ? $", {longest} iteration{(longest == 1 ? "" : "s")}"
                : $", {loops} loops, the longest {longest} iteration{(longest == 1 ? "" : "s")}";
        }

        // A loop's tasks say which pass through the loop each is.
        private string IterationOf(TaskView task) =>
            flow.Graph.TryGetStep(task.Step, out var node) && node.IsLoop ? $" (iteration {task.Iteration})" : "";

        private static async Task<IReadOnlyList<TaskView>> Tasks(Run run, string step, long? taskId, CancellationToken cancellationToken)
        {
            var tasks = await run.StepAsync(step, cancellationToken).ConfigureAwait(false);
            if (taskId is { } id)
            {
                tasks = tasks.Where(t => t.Id == id).ToList();
                if (tasks.Count == 0)
                {
                    throw new FlowException($"Run {run.Id} has no task {step}/{id}.");
                }
            }
            else if (tasks.Count == 0)
            {
                throw new FlowException($"Run {run.Id} has no tasks of step {step}.");
            }

            return tasks;
        }

        private (string Run, string? Step, long? Task) ParsePath(string path, bool requireStep)
        {
            var parts = path.Split('/');
            if (parts.Length > 3 || (requireStep && parts.Length < 2))
            {
                throw new FlowException($"'{path}' is not a valid path; write {(requireStep ? "" : "RUN, ")}RUN/STEP or RUN/STEP/TASK.");
            }

            var run = Ids.Check(parts[0], "run id");
            var step = parts.Length > 1 ? flow.Graph[Ids.Check(parts[1], "step name")].Name : null;
            long? task = null;
            if (parts.Length > 2)
            {
                task = long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                    ? id
                    : throw new FlowException($"'{parts[2]}' is not a task id; task ids are numbers.");
            }

            return (run, step, task);
        }

        private static string Preview(object? value) => Cards.Format.Preview(value, 60);
    }
}
