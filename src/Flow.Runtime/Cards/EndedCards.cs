using System.Text;
using Flow.Datastore;

namespace Flow.Cards;

/// <summary>
/// A card stored while its task ran (<c>Current.Card.Refresh()</c>) says "Running" in its header. When an attempt ends
/// outside its step (its timeout passed, its process died, Slurm ended it), whoever records the failure also rewrites
/// the headers of the cards that attempt stored, from the failed record, so that no card says a task still runs after
/// it ended. What the cards' components showed stays as it was last stored.
/// </summary>
internal static class EndedCards
{
    /// <summary>Rewrites the headers of <paramref name="ended"/>'s cards; false if the datastore failed (the record stands either way).</summary>
    public static async Task<bool> MarkAsync(IMetadataStore metadata, TaskRecord ended, CancellationToken cancellationToken)
    {
        try
        {
            var cards = (await metadata.ListCardsAsync(ended.Flow, ended.RunId, cancellationToken).ConfigureAwait(false))
                .Where(c => c.TaskId == ended.TaskId && c.Attempt == ended.Attempt && string.Equals(c.Step, ended.Step, StringComparison.Ordinal))
                .ToList();
            if (cards.Count == 0
                || await metadata.GetRunAsync(ended.Flow, ended.RunId, cancellationToken).ConfigureAwait(false) is not { } run)
            {
                return true;
            }

            foreach (var card in cards)
            {
                var html = await metadata.GetCardAsync(ended.Flow, ended.RunId, ended.Step, ended.TaskId, ended.Attempt, card.Id, cancellationToken).ConfigureAwait(false);
                if (html is not null && CardPage.WithHeader(Encoding.UTF8.GetString(html), run, ended, card.Id) is { } updated)
                {
                    await metadata.PutCardAsync(ended.Flow, ended.RunId, ended.Step, ended.TaskId, ended.Attempt, card.Id, Encoding.UTF8.GetBytes(updated), cancellationToken).ConfigureAwait(false);
                }
            }

            return true;
        }
        catch (Exception e) when (Execution.TaskExecutor.IsStoreFailure(e) && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
