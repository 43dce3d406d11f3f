using System.Globalization;
using System.Text;

namespace Flow.Cards;

/// <summary>The kinds of <see cref="Chart"/>.</summary>
public enum ChartKind
{
    /// <summary>A line through the points, in order of x.</summary>
    Line,

    /// <summary>A bar per value.</summary>
    Bar,

    /// <summary>A dot per point.</summary>
    Scatter,

    /// <summary>How many values fall in each of <see cref="Chart.Bins"/> equal ranges.</summary>
    Histogram,
}

/// <summary>
/// A chart of numbers (line, bar, scatter or histogram), drawn as inline SVG with axes, ticks and labels. Values that are
/// not finite (NaN, infinity) are left out.
/// </summary>
public sealed class Chart : CardComponent
{
    private const double Width = 640, Height = 320, Left = 64, Right = 16, Top = 32, Bottom = 48;

    /// <summary>A chart of <paramref name="values"/>: for a line, bar or scatter chart the x of each is its index (from 0); a histogram counts them.</summary>
    public Chart(string title, IEnumerable<double> values, ChartKind kind = ChartKind.Line)
        : this(title, (values ?? throw new ArgumentNullException(nameof(values))).Select((v, i) => ((double)i, v)), kind)
    {
    }

    /// <summary>A line or scatter chart of (x, y) <paramref name="points"/> (bar and histogram charts take their y values).</summary>
    public Chart(string title, IEnumerable<(double X, double Y)> points, ChartKind kind = ChartKind.Scatter)
    {
        ArgumentNullException.ThrowIfNull(points);
        Title = title ?? "";
        Kind = kind;
        Points = points.ToArray();
    }

    /// <summary>The title above the chart.</summary>
    public string Title { get; }

    /// <summary>The kind of chart.</summary>
    public ChartKind Kind { get; }

    /// <summary>The points, as given.</summary>
    public IReadOnlyList<(double X, double Y)> Points { get; }

    /// <summary>The label of the x axis (default: none; a histogram's is "value").</summary>
    public string? XLabel { get; init; }

    /// <summary>The label of the y axis (default: none; a histogram's is "count").</summary>
    public string? YLabel { get; init; }

    /// <summary>For a bar chart: a label per bar, in order (default: the index).</summary>
    public IReadOnlyList<string>? Labels { get; init; }

    /// <summary>For a histogram: how many equal ranges the values are counted in (default 10, at least 1).</summary>
    public int Bins { get; init; } = 10;

    internal override void Render(StringBuilder svg)
    {
        var finite = Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
        if (Kind == ChartKind.Histogram)
        {
            RenderHistogram(svg, finite.Select(p => p.Y).ToList());
            return;
        }

        Open(svg);
        if (finite.Count == 0)
        {
            svg.Append(Text(Width / 2, Height / 2, "no data", "middle", "empty"));
            Close(svg);
            return;
        }

        if (Kind == ChartKind.Bar)
        {
            var values = finite.Select(p => p.Y).ToList();
            var (low, high) = Range(values.Append(0));
            var x = new Scale(-0.5, values.Count - 0.5, Left, Width - Right);
            var y = new Scale(low, high, Height - Bottom, Top);
            Axes(svg, x, y, xTicks: false);
            var width = Math.Max(1, (x.Map(1) - x.Map(0)) * 0.8);
            for (var i = 0; i < values.Count; i++)
            {
                var top = y.Map(Math.Max(0, values[i]));
                var bottom = y.Map(Math.Min(0, values[i]));
                svg.Append(Invariant($"<rect class=\"bar\" x=\"{x.Map(i) - (width / 2):0.##}\" y=\"{top:0.##}\" width=\"{width:0.##}\" height=\"{Math.Max(0.5, bottom - top):0.##}\"><title>{Html.Encode(LabelOf(i))}: {Format.Number(values[i])}</title></rect>"));
                if (values.Count <= 20)
                {
                    svg.Append(Text(x.Map(i), Height - Bottom + 16, LabelOf(i), "middle", "tick"));
                }
            }
        }
        else
        {
            var ordered = Kind == ChartKind.Line ? finite.OrderBy(p => p.X).ToList() : finite;
            var (xLow, xHigh) = Range(ordered.Select(p => p.X));
            var (yLow, yHigh) = Range(ordered.Select(p => p.Y));
            var x = new Scale(xLow, xHigh, Left, Width - Right);
            var y = new Scale(yLow, yHigh, Height - Bottom, Top);
            Axes(svg, x, y, xTicks: true);
            if (Kind == ChartKind.Line)
            {
                svg.Append("<polyline class=\"line\" fill=\"none\" points=\"")
                    .AppendJoin(' ', ordered.Select(p => Invariant($"{x.Map(p.X):0.##},{y.Map(p.Y):0.##}")))
                    .Append("\"/>");
            }
            else
            {
                foreach (var (px, py) in ordered)
                {
                    svg.Append(Invariant($"<circle class=\"dot\" cx=\"{x.Map(px):0.##}\" cy=\"{y.Map(py):0.##}\" r=\"3\"/>"));
                }
            }
        }

        Close(svg);
    }

    private void RenderHistogram(StringBuilder svg, List<double> values)
    {
        Open(svg);
        if (values.Count == 0)
        {
            svg.Append(Text(Width / 2, Height / 2, "no data", "middle", "empty"));
            Close(svg);
            return;
        }

        var bins = Math.Max(1, Bins);
        var (low, high) = Range(values);

        var counts = new int[bins];
        foreach (var value in values)
        {
            counts[Math.Min(bins - 1, (int)((value - low) / (high - low) * bins))]++;
        }

        var x = new Scale(low, high, Left, Width - Right);
        var y = new Scale(0, counts.Max(), Height - Bottom, Top);
        Axes(svg, x, y, xTicks: true, xLabel: XLabel ?? "value", yLabel: YLabel ?? "count");
        var step = (high - low) / bins;
        for (var i = 0; i < bins; i++)
        {
            var left = x.Map(low + (i * step));
            var right = x.Map(low + ((i + 1) * step));
            var top = y.Map(counts[i]);
            svg.Append(Invariant($"<rect class=\"bar\" x=\"{left + 0.5:0.##}\" y=\"{top:0.##}\" width=\"{Math.Max(0.5, right - left - 1):0.##}\" height=\"{y.Map(0) - top:0.##}\"><title>{Format.Number(low + (i * step))} to {Format.Number(low + ((i + 1) * step))}: {counts[i]}</title></rect>"));
        }

        Close(svg);
    }

    private string LabelOf(int index) => Labels is { } labels && index < labels.Count ? labels[index] : index.ToString(CultureInfo.InvariantCulture);

    private void Open(StringBuilder svg) =>
        svg.Append(Invariant($"<figure class=\"chart\"><svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart-{Kind.ToString().ToLowerInvariant()}\" viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" role=\"img\" aria-label=\"{Html.Encode(Title)}\">"))
            .Append(Text(Width / 2, 20, Title, "middle", "title"));

    private static void Close(StringBuilder svg) => svg.Append("</svg></figure>");

    private void Axes(StringBuilder svg, Scale x, Scale y, bool xTicks, string? xLabel = null, string? yLabel = null)
    {
        svg.Append(Invariant($"<line class=\"axis\" x1=\"{Left}\" y1=\"{Height - Bottom}\" x2=\"{Width - Right}\" y2=\"{Height - Bottom}\"/>"))
            .Append(Invariant($"<line class=\"axis\" x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Height - Bottom}\"/>"));
        foreach (var tick in Ticks(y.Low, y.High))
        {
            var at = y.Map(tick);
            svg.Append(Invariant($"<line class=\"grid\" x1=\"{Left}\" y1=\"{at:0.##}\" x2=\"{Width - Right}\" y2=\"{at:0.##}\"/>"))
                .Append(Text(Left - 6, at + 4, Format.Number(tick), "end", "tick"));
        }

        if (xTicks)
        {
            foreach (var tick in Ticks(x.Low, x.High))
            {
                svg.Append(Text(x.Map(tick), Height - Bottom + 16, Format.Number(tick), "middle", "tick"));
            }
        }

        if ((xLabel ?? XLabel) is { } xl)
        {
            svg.Append(Text((Left + Width - Right) / 2, Height - 8, xl, "middle", "label"));
        }

        if ((yLabel ?? YLabel) is { } yl)
        {
            svg.Append(Invariant($"<text class=\"label\" text-anchor=\"middle\" transform=\"translate(14 {(Top + Height - Bottom) / 2:0.##}) rotate(-90)\">{Html.Encode(yl)}</text>"));
        }
    }

    private static string Text(double x, double y, string text, string anchor, string cls) =>
        Invariant($"<text class=\"{cls}\" x=\"{x:0.##}\" y=\"{y:0.##}\" text-anchor=\"{anchor}\">{Html.Encode(text)}</text>");

    private static (double Low, double High) Range(IEnumerable<double> values)
    {
        var list = values.ToList();
        var (low, high) = (list.Min(), list.Max());

        // Values equal but for rounding (0.1 + 0.2 and 0.3) give a range too narrow to divide into ticks: widen it, as
        // for equal values, around their middle.
        var spread = Math.Max(Math.Abs(low), Math.Abs(high)) * 1e-9;
        if (high - low <= spread)
        {
            var middle = low + ((high - low) / 2);
            var half = Math.Max(1, spread);
            return (middle - half, middle + half);
        }

        return (low, high);
    }

    // About five round ticks between low and high: steps of 1, 2 or 5 times a power of ten.
    private static IEnumerable<double> Ticks(double low, double high)
    {
        var raw = (high - low) / 5;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1, 2, 5, 10 }.Select(m => m * magnitude).First(s => s >= raw);
        var first = Math.Ceiling(low / step) * step;

        // Each tick from its index, not by adding steps up: an addition that rounds back to the same value would
        // never end. About five ticks; never more than twelve.
        for (var i = 0; i <= 12; i++)
        {
            var tick = first + (i * step);
            if (tick > high + (step * 1e-9))
            {
                yield break;
            }

            yield return Math.Abs(tick) < step * 1e-9 ? 0 : tick;
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private readonly record struct Scale(double Low, double High, double From, double To)
    {
        public double Map(double value) => From + ((value - Low) / (High - Low) * (To - From));
    }
}
