using System.Text.RegularExpressions;

namespace Flow.Datastore;

/// <summary>Checks the names and ids that become parts of paths and keys, so that none can escape its folder.</summary>
public static partial class Ids
{
    /// <summary>Throws a <see cref="FlowException"/> unless <paramref name="value"/> is a plain name: letters, digits, '_', '-', '.', not starting with '.'.</summary>
    public static string Check(string? value, string what)
    {
        if (!IsValid(value))
        {
            throw new FlowException($"'{value}' is not a valid {what}: use letters, digits, '_', '-' and '.', not starting with '.'.");
        }

        return value;
    }

    /// <summary>Whether <paramref name="value"/> is a plain name that <see cref="Check"/> accepts.</summary>
    public static bool IsValid([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? value) => !string.IsNullOrEmpty(value) && value.Length <= 200 && Safe().IsMatch(value);

    [GeneratedRegex("^[A-Za-z0-9_-][A-Za-z0-9_.-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex Safe();
}
