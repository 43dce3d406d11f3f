using System.Diagnostics;
using System.Globalization;

namespace Flow.Bench;

/// <summary>What one measured process (and every process it started) cost.</summary>
/// <param name="Wall">Wall time from start to exit of the whole process.</param>
/// <param name="UserCpu">User CPU of the process and of its children it waited for (its workers).</param>
/// <param name="SysCpu">System CPU, counted the same way.</param>
/// <param name="PeakRssKb">The largest peak resident set of any one process of the tree.</param>
/// <param name="TreePeakRssKb">The largest sum of the tree's resident sets seen by sampling, or null when not sampled.</param>
/// <param name="ExitCode">The exit code, or null when it was stopped at its time cap.</param>
/// <param name="Stdout">Its standard output.</param>
/// <param name="Stderr">Its standard error (Flow's progress lines).</param>
public sealed record Measurement(
    TimeSpan Wall, double UserCpu, double SysCpu, long PeakRssKb, long? TreePeakRssKb, int? ExitCode, string Stdout, string Stderr)
{
    public double Cpu => UserCpu + SysCpu;

    public bool TimedOut => ExitCode is null;
}

/// <summary>
/// Runs a program under <c>/usr/bin/time</c>, which reports user and system CPU and peak RSS over the
/// program and the worker processes it reaped; optionally samples the whole tree's RSS from /proc.
/// </summary>
public static class ProcessMeter
{
    public const string TimeProgram = "/usr/bin/time";

    private static readonly long PageSize = Environment.SystemPageSize;

    public static async Task<Measurement> RunAsync(
        string program,
        IEnumerable<string> arguments,
        string workingDirectory,
        TimeSpan cap,
        IReadOnlyDictionary<string, string>? environment = null,
        bool sampleTree = false)
    {
        var report = Path.Combine(Path.GetTempPath(), $"flow-bench-time-{Guid.NewGuid():N}.txt");
        var start = new ProcessStartInfo(TimeProgram)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-f", "%U %S %M", "-o", report, program }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {TimeProgram}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var stopSampling = new CancellationTokenSource();
        var sampler = sampleTree ? Task.Run(() => SampleTreeRss(process.Id, stopSampling.Token)) : Task.FromResult(0L);
        using var timeout = new CancellationTokenSource(cap);
        int? exitCode;
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            exitCode = process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            exitCode = null;
        }

        var wall = clock.Elapsed;
        stopSampling.Cancel();
        var treePeak = await sampler;
        var (user, sys, rss) = exitCode is null ? (0.0, 0.0, 0L) : ReadReport(report);
        File.Delete(report);
        return new Measurement(wall, user, sys, rss, sampleTree ? treePeak : null, exitCode, await stdout, await stderr);
    }

    private static (double User, double Sys, long RssKb) ReadReport(string path)
    {
        // time writes "Command exited with non-zero status N" first when the program failed.
        var line = File.ReadAllLines(path).Last(l => l.Length > 0);
        var parts = line.Split(' ');
        return (
            double.Parse(parts[0], CultureInfo.InvariantCulture),
            double.Parse(parts[1], CultureInfo.InvariantCulture),
            long.Parse(parts[2], CultureInfo.InvariantCulture));
    }

    // Sampling every 10 ms misses peaks shorter than that; the per-process peak from time does not.
    private static long SampleTreeRss(int root, CancellationToken stop)
    {
        long peak = 0;
        while (!stop.IsCancellationRequested)
        {
            long sum = 0;
            foreach (var pid in Descendants(root))
            {
                sum += RssKb(pid);
            }

            peak = Math.Max(peak, sum);
            Thread.Sleep(10);
        }

        return peak;
    }

    private static IEnumerable<int> Descendants(int root)
    {
        var pending = new Stack<int>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var pid = pending.Pop();
            string[] threads;
            try
            {
                threads = Directory.GetDirectories($"/proc/{pid}/task");
            }
            catch (IOException)
            {
                continue;
            }

            foreach (var thread in threads)
            {
                string children;
                try
                {
                    children = File.ReadAllText(Path.Combine(thread, "children"));
                }
                catch (IOException)
                {
                    continue;
                }

                foreach (var child in children.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    var id = int.Parse(child, CultureInfo.InvariantCulture);
                    pending.Push(id);
                    yield return id;
                }
            }
        }
    }

    private static long RssKb(int pid)
    {
        try
        {
            var fields = File.ReadAllText($"/proc/{pid}/statm").Split(' ');
            return long.Parse(fields[1], CultureInfo.InvariantCulture) * PageSize / 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
