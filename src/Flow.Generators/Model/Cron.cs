using System;
using System.Globalization;

namespace Flow.Generators.Model;

/// <summary>Validates five-field cron expressions: minute hour day-of-month month day-of-week.</summary>
internal static class Cron
{
    private static readonly (string Name, int Min, int Max)[] Fields =
    {
        ("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12), ("day of week", 0, 7),
    };

    /// <summary>Null when valid; otherwise what is wrong.</summary>
    public static string? Validate(string expression)
    {
        var parts = expression.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 5)
        {
            return $"it has {parts.Length} fields; write five: minute hour day-of-month month day-of-week";
        }

        for (var i = 0; i < 5; i++)
        {
            var (name, min, max) = Fields[i];
            foreach (var item in parts[i].Split(','))
            {
                if (!ValidItem(item, min, max))
                {
                    return $"the {name} field '{parts[i]}' must be *, a number from {min} to {max}, a range a-b, a list, or a step such as */5";
                }
            }
        }

        return null;
    }

    private static bool ValidItem(string item, int min, int max)
    {
        var slash = item.IndexOf('/');
        if (slash >= 0)
        {
            if (!int.TryParse(item.Substring(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var step) || step < 1)
            {
                return false;
            }

            item = item.Substring(0, slash);
        }

        if (item == "*")
        {
            return true;
        }

        var dash = item.IndexOf('-');
        if (dash > 0)
        {
            return Number(item.Substring(0, dash), min, max, out var from) && Number(item.Substring(dash + 1), min, max, out var to) && from <= to;
        }

        return Number(item, min, max, out _);
    }

    private static bool Number(string text, int min, int max, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
}
