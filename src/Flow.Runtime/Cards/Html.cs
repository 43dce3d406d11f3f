using System.Collections;
using System.Globalization;

namespace Flow.Cards;

/// <summary>HTML encoding for the cards' text.</summary>
internal static class Html
{
    public static string Encode(string? text) => System.Net.WebUtility.HtmlEncode(text ?? "");
}

/// <summary>How the cards write numbers and values: invariant culture, short.</summary>
internal static class Format
{
    public static string Number(double value) =>
        double.IsNaN(value) || double.IsInfinity(value) ? value.ToString(CultureInfo.InvariantCulture)
        : Math.Abs(value) >= 1e6 || (value != 0 && Math.Abs(value) < 1e-3) ? value.ToString("0.##e+0", CultureInfo.InvariantCulture)
        : value.ToString("0.####", CultureInfo.InvariantCulture);

    /// <summary>A value as one short line: strings quoted, collections as their first items and count.</summary>
    public static string Preview(object? value, int max = 80)
    {
        var text = value switch
        {
            null => "null",
            string s => "\"" + s + "\"",
            IDictionary d => $"{{{d.Count} entries}}",
            IEnumerable e => Items(e),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
        text = text.ReplaceLineEndings(" ");
        return text.Length > max ? text[..(max - 3)] + "..." : text;
    }

    /// <summary>A table cell: a value as text, without quotes.</summary>
    public static string Cell(object? value) => value switch
    {
        null => "",
        string s => s,
        double d => Number(d),
        float f => Number(f),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable e => Items(e),
        _ => value.ToString() ?? "",
    };

    private static string Items(IEnumerable items)
    {
        var list = items.Cast<object?>().Take(6).ToList();
        var count = items is ICollection c ? c.Count : list.Count;
        var shown = string.Join(", ", list.Take(5).Select(i => i is string s ? "\"" + s + "\"" : i is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : i?.ToString() ?? "null"));
        return $"[{shown}{(count > 5 ? ", ..." : "")}] ({count} items)";
    }
}
