using System.Text;

namespace Flow.Cards;

/// <summary>
/// Something a step appends to a card (<c>Current.Card.Append(...)</c>): <see cref="Markdown"/>, <see cref="Table"/>,
/// <see cref="Image"/>, <see cref="Chart"/> or <see cref="ProgressBar"/>. A component renders itself as HTML when the card
/// is stored; one that fails to render leaves a note of its error on the card instead, and never fails the task.
/// </summary>
public abstract class CardComponent
{
    private protected CardComponent()
    {
    }

    /// <summary>Writes the component's HTML (self-contained: no script, nothing loaded from elsewhere).</summary>
    internal abstract void Render(StringBuilder html);
}
