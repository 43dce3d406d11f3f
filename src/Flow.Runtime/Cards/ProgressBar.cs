using System.Globalization;
using System.Text;

namespace Flow.Cards;

/// <summary>
/// A progress bar for a long task: <see cref="Update"/> it, then call <c>Current.Card.Refresh()</c> to store the card as
/// it is now, so that a viewer sees the progress while the task runs.
/// </summary>
public sealed class ProgressBar : CardComponent
{
    private double _value;

    /// <summary>Creates a bar that is full at <paramref name="max"/>, with an optional label.</summary>
    public ProgressBar(double max = 100, string? label = null)
    {
        if (!(max > 0) || double.IsInfinity(max))
        {
            throw new ArgumentOutOfRangeException(nameof(max), max, "The maximum of a progress bar must be a positive number.");
        }

        Max = max;
        Label = label;
    }

    /// <summary>The value at which the bar is full.</summary>
    public double Max { get; }

    /// <summary>The label shown before the bar.</summary>
    public string? Label { get; }

    /// <summary>The current value, between 0 and <see cref="Max"/>.</summary>
    public double Value => Volatile.Read(ref _value);

    /// <summary>Sets the current value (kept between 0 and <see cref="Max"/>).</summary>
    public void Update(double value) => Volatile.Write(ref _value, double.IsNaN(value) ? 0 : Math.Clamp(value, 0, Max));

    internal override void Render(StringBuilder html)
    {
        var value = Value;
        var percent = value / Max * 100;
        html.Append("<div class=\"progress\">");
        if (Label is not null)
        {
            html.Append("<span class=\"progress-label\">").Append(Html.Encode(Label)).Append("</span>");
        }

        html.Append(CultureInfo.InvariantCulture, $"<div class=\"progress-track\"><div class=\"progress-fill\" style=\"width:{percent:0.##}%\"></div></div>")
            .Append(CultureInfo.InvariantCulture, $"<span class=\"progress-value\">{Html.Encode(Format.Number(value))} / {Html.Encode(Format.Number(Max))} ({percent:0.#}%)</span></div>");
    }
}
