using System.Text;

namespace Flow.Deploy.Argo;

/// <summary>
/// Kubernetes names (RFC 1123 labels: lower-case letters, digits and '-', starting and ending with a letter or digit,
/// at most 63 characters) made from flow and step names, and kept apart when two would meet.
/// </summary>
internal sealed class KubernetesNames
{
    public const int MaxLength = 63;

    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);

    /// <summary>The label for <paramref name="name"/>: lower-cased, other characters as '-', and when shortened, a hash of the whole name at the end.</summary>
    public static string Of(string name)
    {
        var text = new StringBuilder(name.Length);
        foreach (var c in name.ToLowerInvariant())
        {
            var keep = char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c);
            if (keep || (text.Length > 0 && text[^1] != '-'))
            {
                text.Append(keep ? c : '-');
            }
        }

        var label = text.ToString().Trim('-');
        if (label.Length == 0)
        {
            label = "x";
        }

        return label.Length <= MaxLength ? label : $"{label[..(MaxLength - 9)].TrimEnd('-')}-{Hash(name)}";
    }

    /// <summary>Eight hex digits of the name's SHA-256: what tells apart two names that shorten or lower-case alike.</summary>
    public static string Hash(string name) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..8];

    /// <summary>The label for <paramref name="name"/>, with a hash of it added if an earlier name took that label already.</summary>
    public string Unique(string name)
    {
        var label = Of(name);
        if (!_taken.Add(label))
        {
            label = $"{(label.Length > MaxLength - 9 ? label[..(MaxLength - 9)].TrimEnd('-') : label)}-{Hash(name)}";
            if (!_taken.Add(label))
            {
                throw new FlowException($"Two names of the flow, one of them '{name}', make the same Kubernetes name '{label}'; rename one.");
            }
        }

        return label;
    }

    /// <summary>Marks labels as taken, so that no name is given them.</summary>
    public void Reserve(params string[] labels)
    {
        foreach (var label in labels)
        {
            _taken.Add(label);
        }
    }
}
