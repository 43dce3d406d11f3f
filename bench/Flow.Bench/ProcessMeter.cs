using System.Diagnostics;
using System.Globalization;

namespace Flow.Bench;

/// <summary>What one measured process (and every process it started) cost.</summary>
/// <param name="Wall">Wall time from start to exit of the whole process.</param>
/// <param name="UserCpu">User CPU of the process and of every process it started (see <see cref="ProcessMeter.CpuAccounting"/>).</param>
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
/// program and the child processes it waited for. A flow's scheduler does not wait for its workers to exit
/// (they end by themselves after the run), so the program also runs in a CPU-accounting control group when
/// the machine allows (Linux, a writable cpuacct or cgroup v2 hierarchy): the CPU of every process it
/// started, however long it lives, is counted. Each process's peak RSS (VmHWM) is sampled from /proc, and
/// optionally the whole tree's RSS.
/// </summary>
public static class ProcessMeter
{
    public const string TimeProgram = "/usr/bin/time";

    private static readonly long PageSize = Environment.SystemPageSize;

    /// <summary>How CPU is counted on this machine, for the report.</summary>
    public static string CpuAccounting => CpuGroup.Probe() is { } root
        ? $"CPU of every process of a run, workers included, from the control group {root}"
        : "CPU of the scheduler and the workers it waited for (no writable cpuacct control group here: workers that end after the scheduler are not counted)";

    public static async Task<Measurement> RunAsync(
        string program,
        IEnumerable<string> arguments,
        string workingDirectory,
        TimeSpan cap,
        IReadOnlyDictionary<string, string>? environment = null,
        bool sampleTree = false)
    {
        var report = Path.Combine(Path.GetTempPath(), $"flow-bench-time-{Guid.NewGuid():N}.txt");
        using var group = CpuGroup.TryCreate();
        var start = new ProcessStartInfo(group is null ? TimeProgram : "/bin/sh")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // In a group, the shell joins it and then becomes time, so that the whole tree is inside from its start.
        var prefix = group is null ? [] : new[] { "-c", "echo $$ > \"$0\" && exec \"$@\"", group.ProcsFile, TimeProgram };
        foreach (var argument in prefix.Concat(["-f", "%U %S %M", "-o", report, program]).Concat(arguments))
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
        var sampler = Task.Run(() => Sample(process.Id, group, sampleTree, stopSampling.Token));
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
            group?.KillAll();
            await process.WaitForExitAsync();
            exitCode = null;
        }

        var wall = clock.Elapsed;

        // Workers end by themselves once the scheduler is gone: their CPU counts, so the group is waited for (briefly).
        group?.WaitUntilEmpty(TimeSpan.FromSeconds(10));
        stopSampling.Cancel();
        var (treePeak, processPeak) = await sampler;
        var (user, sys, rss) = exitCode is null ? (0.0, 0.0, 0L) : ReadReport(report);
        if (group?.Cpu() is { } cpu)
        {
            (user, sys) = cpu;
        }

        File.Delete(report);
        return new Measurement(wall, user, sys, Math.Max(rss, processPeak), sampleTree ? treePeak : null, exitCode, await stdout, await stderr);
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

    // Every 10 ms: the largest peak RSS (VmHWM, a high-water mark, so no peak is missed while the process lives)
    // of any one process, and the sum of current RSS over the tree (which misses peaks shorter than 10 ms).
    private static (long TreePeakKb, long ProcessPeakKb) Sample(int root, CpuGroup? group, bool sampleTree, CancellationToken stop)
    {
        long treePeak = 0;
        long processPeak = 0;
        while (!stop.IsCancellationRequested)
        {
            long sum = 0;
            foreach (var pid in group?.Processes() ?? Descendants(root))
            {
                if (sampleTree)
                {
                    sum += RssKb(pid);
                }

                processPeak = Math.Max(processPeak, PeakRssKb(pid));
            }

            treePeak = Math.Max(treePeak, sum);
            Thread.Sleep(10);
        }

        return (treePeak, processPeak);
    }

    private static long PeakRssKb(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
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

    /// <summary>A control group of its own for one measured run, for its CPU (cgroup v1 cpuacct, or cgroup v2).</summary>
    private sealed class CpuGroup : IDisposable
    {
        private static readonly string[] Roots = ["/sys/fs/cgroup/cpuacct", "/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup"];
        private readonly string _path;
        private readonly bool _v2;

        private CpuGroup(string path, bool v2)
        {
            _path = path;
            _v2 = v2;
        }

        public string ProcsFile => Path.Combine(_path, "cgroup.procs");

        /// <summary>The hierarchy a group can be made in, if any.</summary>
        public static string? Probe()
        {
            using var group = TryCreate();
            return group is null ? null : Path.GetDirectoryName(group._path);
        }

        public static CpuGroup? TryCreate()
        {
            if (!OperatingSystem.IsLinux())
            {
                return null;
            }

            foreach (var root in Roots)
            {
                var v2 = File.Exists(Path.Combine(root, "cgroup.controllers"));
                if (!(v2 ? File.Exists(Path.Combine(root, "cpu.stat")) || root == "/sys/fs/cgroup" : File.Exists(Path.Combine(root, "cpuacct.usage"))))
                {
                    continue;
                }

                var path = Path.Combine(root, $"flow-bench-{Guid.NewGuid():N}");
                try
                {
                    Directory.CreateDirectory(path);
                    if (File.Exists(Path.Combine(path, v2 ? "cpu.stat" : "cpuacct.usage")))
                    {
                        return new CpuGroup(path, v2);
                    }

                    Directory.Delete(path);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                }
            }

            return null;
        }

        public IEnumerable<int> Processes()
        {
            string[] lines;
            try
            {
                lines = File.ReadAllLines(ProcsFile);
            }
            catch (IOException)
            {
                return [];
            }

            return lines.Where(l => l.Length > 0).Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToList();
        }

        public void WaitUntilEmpty(TimeSpan patience)
        {
            var clock = Stopwatch.StartNew();
            while (Processes().Any() && clock.Elapsed < patience)
            {
                Thread.Sleep(5);
            }
        }

        public void KillAll()
        {
            foreach (var pid in Processes())
            {
                try
                {
                    Process.GetProcessById(pid).Kill();
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                }
            }
        }

        /// <summary>User and system CPU seconds of every process that ran in the group.</summary>
        public (double User, double Sys)? Cpu()
        {
            try
            {
                if (_v2)
                {
                    var stat = File.ReadAllLines(Path.Combine(_path, "cpu.stat")).Select(l => l.Split(' ')).ToDictionary(p => p[0], p => double.Parse(p[1], CultureInfo.InvariantCulture));
                    return (stat["user_usec"] / 1e6, stat["system_usec"] / 1e6);
                }

                var user = Path.Combine(_path, "cpuacct.usage_user");
                if (File.Exists(user))
                {
                    return (double.Parse(File.ReadAllText(user), CultureInfo.InvariantCulture) / 1e9, double.Parse(File.ReadAllText(Path.Combine(_path, "cpuacct.usage_sys")), CultureInfo.InvariantCulture) / 1e9);
                }

                // Older kernels: only the total in nanoseconds, and the split in clock ticks.
                var total = double.Parse(File.ReadAllText(Path.Combine(_path, "cpuacct.usage")), CultureInfo.InvariantCulture) / 1e9;
                var ticks = File.ReadAllLines(Path.Combine(_path, "cpuacct.stat")).Select(l => l.Split(' ')).ToDictionary(p => p[0], p => double.Parse(p[1], CultureInfo.InvariantCulture));
                var share = ticks["user"] + ticks["system"] is > 0 and var all ? ticks["user"] / all : 1;
                return (total * share, total * (1 - share));
            }
            catch (Exception e) when (e is IOException or FormatException or KeyNotFoundException)
            {
                return null;
            }
        }

        public void Dispose()
        {
            try
            {
                Directory.Delete(_path);
            }
            catch (IOException)
            {
                // Still has a process (one that did not end in time): the group is left for the machine to clean up.
            }
        }
    }
}
