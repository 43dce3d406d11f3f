using System.Globalization;

namespace Flow.Execution;

/// <summary>Parses a parameter's command-line text into its declared type.</summary>
internal static class ParameterParser
{
    /// <summary>Parses <paramref name="text"/>; a <see cref="FormatException"/> says what was expected.</summary>
    public static T Parse<T>(string text)
    {
        var type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        try
        {
            return (T)ParseAs(type, text);
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            throw new FormatException($"expects {Describe(type)}, got '{text}'", e);
        }
    }

    private static object ParseAs(Type type, string text)
    {
        var inv = CultureInfo.InvariantCulture;
        if (type == typeof(string))
        {
            return text;
        }

        if (type == typeof(bool))
        {
            return text.ToLowerInvariant() switch
            {
                "true" or "yes" or "1" or "on" => true,
                "false" or "no" or "0" or "off" => false,
                _ => throw new FormatException(),
            };
        }

        if (type.IsEnum)
        {
            if (int.TryParse(text, NumberStyles.Integer, inv, out _) || !Enum.TryParse(type, text, ignoreCase: true, out var value))
            {
                throw new FormatException();
            }

            return value!;
        }

        return type switch
        {
            _ when type == typeof(int) => int.Parse(text, NumberStyles.Integer, inv),
            _ when type == typeof(long) => long.Parse(text, NumberStyles.Integer, inv),
            _ when type == typeof(short) => short.Parse(text, NumberStyles.Integer, inv),
            _ when type == typeof(byte) => byte.Parse(text, NumberStyles.Integer, inv),
            _ when type == typeof(uint) => uint.Parse(text, NumberStyles.Integer, inv),
            _ when type == typeof(ulong) => ulong.Parse(text, NumberStyles.Integer, inv),
            _ when type == typeof(double) => double.Parse(text, NumberStyles.Float, inv),
            _ when type == typeof(float) => float.Parse(text, NumberStyles.Float, inv),
            _ when type == typeof(decimal) => decimal.Parse(text, NumberStyles.Number, inv),
            _ when type == typeof(char) => text.Length == 1 ? text[0] : throw new FormatException(),
            _ when type == typeof(Guid) => Guid.Parse(text),
            _ when type == typeof(DateTime) => DateTime.Parse(text, inv, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
            _ when type == typeof(DateTimeOffset) => DateTimeOffset.Parse(text, inv, DateTimeStyles.AssumeUniversal),
            _ when type == typeof(TimeSpan) => TimeSpan.Parse(text, inv),
            _ => throw new FlowException($"Parameters of type {type.Name} cannot be set from the command line."),
        };
    }

    private static string Describe(Type type) => type switch
    {
        _ when type == typeof(bool) => "true or false",
        _ when type.IsEnum => "one of " + string.Join(", ", Enum.GetNames(type)),
        _ when type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(byte) || type == typeof(uint) || type == typeof(ulong) => $"a whole number ({type.Name})",
        _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => $"a number ({type.Name})",
        _ => $"a {type.Name}",
    };
}
