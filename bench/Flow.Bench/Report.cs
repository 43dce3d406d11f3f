using System.Globalization;

namespace Flow.Bench;

/// <summary>A row of PRODUCT.md's performance table: Metaflow's figure and Flow's two targets.</summary>
public sealed record Target(string Metaflow, string MustReach, string AimsFor);

/// <summary>PASS/MISS against "must reach"; TIMEOUT when the run hit its cap; FAILED when it did not give the right result.</summary>
public enum Verdict
{
    Pass,
    Miss,
    Timeout,
    Failed,
}

/// <summary>One printed row: the measured figures, the targets and the verdict.</summary>
public sealed record Row(string Case, string Wall, string Cpu, string PeakRss, Target Target, Verdict Verdict, string Note = "");

/// <summary>Formats figures and prints the table as Markdown.</summary>
public static class Report
{
    public static string Seconds(double seconds) => seconds.ToString(seconds < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + " s";

    public static string Seconds(TimeSpan time) => Seconds(time.TotalSeconds);

    public static string Mib(long kb) => (kb / 1024.0).ToString("0", CultureInfo.InvariantCulture) + " MiB";

    public static string Number(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    public static void Print(TextWriter output, IReadOnlyList<Row> rows)
    {
        output.WriteLine("| case | wall (median) | CPU user+sys | peak RSS | Metaflow | must reach | aims for | result | notes |");
        output.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            var verdict = row.Verdict switch
            {
                Verdict.Pass => "PASS",
                Verdict.Miss => "**MISS**",
                Verdict.Timeout => "**TIMEOUT**",
                _ => "**FAILED**",
            };
            output.WriteLine($"| {row.Case} | {row.Wall} | {row.Cpu} | {row.PeakRss} | {row.Target.Metaflow} | {row.Target.MustReach} | {row.Target.AimsFor} | {verdict} | {row.Note} |");
        }
    }
}
