namespace Bench.Build;

/// <summary>Ordinary code beside the flows, so the project is not only flows.</summary>
public static class Features
{
    public static double[] Normalize(IReadOnlyList<double> values)
    {
        var max = values.Count == 0 ? 1 : values.Max();
        return values.Select(v => v / (max == 0 ? 1 : max)).ToArray();
    }

    public static Dictionary<string, int> Histogram(IEnumerable<string> words) =>
        words.GroupBy(w => w, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
}
