namespace Flow.Datastore;

/// <summary>Checks the names and ids that become parts of paths and keys, so that none can escape its folder.</summary>
public static class Ids
{
    /// <summary>Throws a <see cref="FlowException"/> unless <paramref name="value"/> is a plain name: 1 to 200 letters, digits, '_', '-', '.', not starting with '.'.</summary>
    public static string Check(string? value, string what)
    {
        if (!IsValid(value))
        {
            throw new FlowException($"'{value}' is not a valid {what}: use 1 to 200 letters, digits, '_', '-' and '.', not starting with '.'.");
        }

        return value;
    }

    /// <summary>Whether <paramref name="value"/> is a plain name that <see cref="Check"/> accepts.</summary>
    public static bool IsValid([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 200 || value[0] == '.')
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Random lower-case hex for names that must not collide (run ids, temporary files): not a secret, so the
    /// process's seeded generator serves, without starting the cryptographic library for it.
    /// </summary>
    internal static string RandomHex(int bytes)
    {
        Span<byte> random = stackalloc byte[bytes];
        Random.Shared.NextBytes(random);
        return Convert.ToHexStringLower(random);
    }
}
