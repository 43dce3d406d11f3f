using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Flow.Datastore;

namespace Flow.Cli;

/// <summary>The card command: view a task's card, list a run's cards.</summary>
public static partial class FlowApp
{
    private sealed partial class Commands
    {
        private Command CardCommand()
        {
            var command = new Command("card", "View a task's card (an HTML report), or list a run's cards.");
            command.Subcommands.Add(CardViewCommand());
            command.Subcommands.Add(CardListCommand());
            return command;
        }

        private Command CardViewCommand()
        {
            var command = new Command("view", "Write a task's card to an HTML file and print its path.");
            var path = new Argument<string>("path") { Description = "RUN/STEP/TASK." };
            var id = new Option<string>("--id") { Description = "The card's id.", DefaultValueFactory = _ => "default" };
            var file = new Option<string?>("--output") { Description = "The file to write (default: a file in the temp folder named after the task and the card)." };
            var open = new Option<bool>("--open") { Description = "Open the file with the system's opener (xdg-open, open or start)." };
            command.Arguments.Add(path);
            command.Options.Add(id);
            command.Options.Add(file);
            command.Options.Add(open);
            command.SetAction(async (parsed, cancellationToken) =>
            {
                var text = parsed.GetValue(path)!;
                var (runId, step, taskId) = ParsePath(text, requireStep: true);
                if (taskId is not { } task)
                {
                    throw new FlowException($"'{text}' names no task; write RUN/STEP/TASK (card list {runId}/{step} lists the step's cards).");
                }

                var cardId = parsed.GetValue(id)!;
                if (!DatastoreLayout.IsCardId(cardId))
                {
                    throw new FlowException($"'{cardId}' is not a card id; an id is 1 to 100 letters, digits, '_' and '-'.");
                }

                var run = await Client(parsed, null).Flow(flow.Graph.Name).GetAsync(runId, cancellationToken).ConfigureAwait(false);
                var view = (await Tasks(run, step!, task, cancellationToken).ConfigureAwait(false))[0];
                var html = await view.CardAsync(cardId, cancellationToken).ConfigureAwait(false);
                // By default in a new folder of the user's own: a predictable name in the shared temporary folder could be
                // taken first by another user of the machine.
                var target = Path.GetFullPath(parsed.GetValue(file) ?? Path.Combine(Directory.CreateTempSubdirectory("flow-card-").FullName, $"{flow.Graph.Name}-{runId}-{step}-{task}-{cardId}.html"));
                try
                {
                    await File.WriteAllTextAsync(target, html, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new FlowException($"Cannot write the card to {target}: {e.Message}", e);
                }

                output.WriteLine(target);
                if (parsed.GetValue(open))
                {
                    OpenFile(target);
                }

                return ExitCodes.Success;
            });
            return command;
        }

        private Command CardListCommand()
        {
            var command = new Command("list", "List the cards of a run, or of one step: task, attempt, id and size.");
            var path = new Argument<string>("path") { Description = "RUN or RUN/STEP." };
            command.Arguments.Add(path);
            command.SetAction(async (parsed, cancellationToken) =>
            {
                var text = parsed.GetValue(path)!;
                var (runId, step, taskId) = ParsePath(text, requireStep: false);
                if (taskId is not null)
                {
                    throw new FlowException($"'{text}' names a task; card list takes RUN or RUN/STEP (card view {text} shows the task's card).");
                }

                var client = Client(parsed, null);
                var run = await client.Flow(flow.Graph.Name).GetAsync(runId, cancellationToken).ConfigureAwait(false);
                var tasks = await run.TasksAsync(cancellationToken).ConfigureAwait(false);
                var cards = new List<(string Task, Flow.Cards.CardInfo Card)>();

                // Each run's cards are listed once (this run's, and those of runs that cloned tasks came from), not once a task.
                var listings = new Dictionary<string, Task<IReadOnlyList<Flow.Cards.CardInfo>>>(StringComparer.Ordinal);
                Task<IReadOnlyList<Flow.Cards.CardInfo>> List(string id) =>
                    listings.TryGetValue(id, out var listed) ? listed : listings[id] = client.Datastore.Metadata.ListCardsAsync(flow.Graph.Name, id, cancellationToken);
                foreach (var view in tasks.Where(t => step is null || t.Step == step))
                {
                    cards.AddRange((await view.CardsAsync(List).ConfigureAwait(false)).Select(c => (view.Pathspec, c)));
                }

                if (cards.Count == 0)
                {
                    output.WriteLine(step is null ? $"Run {runId} has no cards." : $"Step {step} of run {runId} has no cards.");
                    return ExitCodes.Success;
                }

                output.WriteLine($"{"TASK",-40} {"ATTEMPT",7} {"ID",-20} {"SIZE",10}");
                foreach (var (task, card) in cards)
                {
                    output.WriteLine($"{task,-40} {card.Attempt,7} {card.Id,-20} {card.Size.ToString(CultureInfo.InvariantCulture) + " B",10}");
                }

                return ExitCodes.Success;
            });
            return command;
        }

        // Only when asked (--open): the system's own opener, which starts the browser the user chose.
        private void OpenFile(string path)
        {
            var start = OperatingSystem.IsWindows() ? new ProcessStartInfo(path) { UseShellExecute = true }
                : new ProcessStartInfo(OperatingSystem.IsMacOS() ? "open" : "xdg-open", [path]) { UseShellExecute = false };
            try
            {
                using var process = Process.Start(start);
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                error.WriteLine($"warning: the card is written, but {start.FileName} could not open it: {e.Message}. Open {path} in a browser.");
            }
        }
    }
}
