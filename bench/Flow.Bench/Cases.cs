using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Flow.Bench;

/// <summary>
/// The cases of PRODUCT.md's performance table. Each flow program is the Release build of a project in
/// bench/Flows, run as a user runs it: its own process, in a fresh working directory (so a fresh
/// <c>.flow</c> datastore), with its default isolation (reusable worker processes).
/// </summary>
public sealed partial class Cases(string repo, int reps, TextWriter log, IReadOnlyList<string> flowArguments, bool readyToRun)
{
    private const long ArtifactMib = 100;
    private const double FlatMemory = 1.5;
    private readonly string _scratch = Directory.CreateTempSubdirectory("flow-bench-").FullName;
    private readonly Dictionary<int, List<Measurement>> _foreach = new();

    // bench/profile.sh publishes the ReadyToRun builds; run.sh measures the plain Release builds a user gets from dotnet build.
    public string Program(string flow) => readyToRun
        ? Path.Combine(repo, "bench", "Flows", flow, "bin", "ReadyToRun", flow)
        : Path.Combine(repo, "bench", "Flows", flow, "bin", "Release", "net10.0", flow);

    public async Task<Row> BranchAsync()
    {
        var program = Program("BranchFlow");
        await RunInFreshDirectoryAsync(program, ["run"], TimeSpan.FromSeconds(60));
        var samples = await RepeatAsync("branch", () => RunInFreshDirectoryAsync(program, ["run"], TimeSpan.FromSeconds(60)), m => m.Stdout.Contains("out = 3", StringComparison.Ordinal));
        return Row("seed branch flow, 5 tasks", samples, new Target("2.62 s wall", "≤ 0.26 s", "≤ 0.15 s"), wall => wall <= 0.26);
    }

    public async Task<Row> ForeachAsync(int count, TimeSpan cap, string mustReach, double mustReachSeconds, string metaflow, string aimsFor)
    {
        var program = Program("ForeachFlow");
        if (_foreach.Count == 0)
        {
            await RunInFreshDirectoryAsync(program, ["run", "--count", "10"], TimeSpan.FromSeconds(60));
        }

        var expected = $"total = {SumOfSquares(count).ToString(CultureInfo.InvariantCulture)}";
        var samples = await RepeatAsync(
            $"foreach {count}",
            () => RunInFreshDirectoryAsync(program, ["run", "--count", count.ToString(CultureInfo.InvariantCulture)], cap),
            m => m.Stdout.Contains(expected, StringComparison.Ordinal));
        _foreach[count] = samples;
        var tasks = count + 3;
        var target = new Target(metaflow, mustReach, aimsFor);
        var name = $"foreach over {count:N0} items ({tasks:N0} tasks)";
        if (count < 10_000 || !_foreach.TryGetValue(1_000, out var thousand) || samples.Any(s => s.TimedOut))
        {
            return Row(name, samples, target, wall => wall <= mustReachSeconds);
        }

        // "Memory flat": ten times the items may cost at most FlatMemory times the peak RSS of 1,000.
        var growth = Report.Median(samples.Select(s => (double)s.PeakRssKb)) / Report.Median(thousand.Select(s => (double)s.PeakRssKb));
        return Row(name, samples, target, wall => wall <= mustReachSeconds && growth <= FlatMemory,
            $"peak RSS {Report.Number(growth, "0.000")}× that of 1,000 items (flat: ≤ {FlatMemory}×)");
    }

    public Row PerTaskOverhead()
    {
        var target = new Target("~0.6 CPU-s (Python import per task)", "≤ 10 ms CPU amortized", "≤ 1 ms");
        const string name = "per-task overhead (1,000-item foreach: total CPU / tasks)";
        if (!_foreach.TryGetValue(1_000, out var samples) || samples.Count == 0 || samples.Any(s => s.TimedOut || s.ExitCode != 0))
        {
            return new Row(name, "—", "—", "—", target, Verdict.Failed, "the 1,000-item foreach did not finish");
        }

        var perTask = Report.Median(samples.Select(s => s.Cpu)) / 1_003 * 1000;
        return new Row(name, "—", $"{Report.Number(perTask, "0.0")} ms per task", "—", target, perTask <= 10 ? Verdict.Pass : Verdict.Miss,
            $"{Report.Seconds(Report.Median(samples.Select(s => s.Cpu)))} CPU / 1,003 tasks");
    }

    public async Task<Row> ArtifactAsync()
    {
        var program = Program("ArtifactFlow");
        await RunInFreshDirectoryAsync(program, ["run", "--size-mib", "1"], TimeSpan.FromSeconds(60));
        var samples = await RepeatAsync(
            "artifact",
            () => RunInFreshDirectoryAsync(program, ["run"], TimeSpan.FromSeconds(120), sampleTree: true),
            m => m.Stdout.Contains("checksum = ", StringComparison.Ordinal));
        var size = ArtifactMib * 1024;
        var peak = Report.Median(samples.Select(s => (double)s.PeakRssKb));
        var tree = Report.Median(samples.Select(s => (double)(s.TreePeakRssKb ?? 0)));
        return Row("100 MiB artifact written then read (3 tasks)", samples, new Target("5.2 s, 444 MB peak RSS", "≤ 1 s, ≤ 1.5× artifact", "≤ 0.4 s, ≤ 1.2×"),
            wall => wall <= 1 && peak <= 1.5 * size,
            $"peak RSS {Report.Number(peak / size, "0.0")}× the artifact (largest process); all processes together {Report.Number(tree / size, "0.0")}×");
    }

    public async Task<Row> ResumeAsync()
    {
        var program = Program("ResumeFlow");
        await ResumeOnceAsync(program);
        var samples = await RepeatAsync("resume", () => ResumeOnceAsync(program), m => m.Stdout.Contains("out = 3", StringComparison.Ordinal));
        return Row("resume after a failed join (resume only)", samples, new Target("1.5 s", "≤ 0.3 s", "≤ 0.15 s"), wall => wall <= 0.3);
    }

    public async Task<Row> BuildAsync()
    {
        var build = Path.Combine(repo, "bench", "Build");
        var with = Path.Combine(build, "WithFlow", "WithFlow.csproj");
        var without = Path.Combine(build, "WithoutFlow", "WithoutFlow.csproj");
        var touched = Path.Combine(build, "Shared", "Features.cs");
        // The builds use the compiler server, as dotnet build does by default; it is shut down before and after
        // the case so that the warm-ups, not the timed builds, start it.
        await DotnetBuildServerShutdownAsync();

        // The warm-up builds the runtime project too; the timed builds leave it out (--no-dependencies),
        // as a package user has no runtime project to check and others' edits to src/ must not land in one side only.
        foreach (var project in new[] { with, without })
        {
            await DotnetBuildAsync(project);
        }

        // A touched file makes each warm-up compile (an untouched project is up to date and never reaches the server).
        for (var i = 0; i < 3; i++)
        {
            foreach (var project in new[] { with, without })
            {
                File.SetLastWriteTimeUtc(touched, DateTime.UtcNow);
                await DotnetBuildAsync(project, "--no-restore", "--no-dependencies");
            }
        }

        var withTimes = new List<double>();
        var withoutTimes = new List<double>();
        for (var i = 0; i < reps; i++)
        {
            File.SetLastWriteTimeUtc(touched, DateTime.UtcNow);
            withTimes.Add(await DotnetBuildAsync(with, "--no-restore", "--no-dependencies"));
            File.SetLastWriteTimeUtc(touched, DateTime.UtcNow);
            withoutTimes.Add(await DotnetBuildAsync(without, "--no-restore", "--no-dependencies"));
            log.WriteLine($"  build {i + 1}: with Flow {Report.Seconds(withTimes[^1])}, without {Report.Seconds(withoutTimes[^1])}");
        }

        await DotnetBuildServerShutdownAsync();
        var ratio = Report.Median(withTimes) / Report.Median(withoutTimes);
        return new Row(
            "generator build cost (incremental `dotnet build --no-dependencies`, one file touched, compiler server)",
            Report.Seconds(Report.Median(withTimes)),
            "— (build server)",
            "—",
            new Target("—", "≤ 1.05× without Flow", "body edits leave generator outputs cached"),
            ratio <= 1.05 ? Verdict.Pass : Verdict.Miss,
            $"{Report.Number(ratio, "0.00")}× (without generator and analyzer: {Report.Seconds(Report.Median(withoutTimes))})");
    }

    public void Clean()
    {
        Directory.Delete(_scratch, recursive: true);
    }

    private string FreshDirectory(string name) =>
        Directory.CreateDirectory(Path.Combine(_scratch, $"{name}-{Guid.NewGuid():N}")).FullName;

    private static long SumOfSquares(long n) => (n - 1) * n * (2 * n - 1) / 6;

    private async Task<Measurement> ResumeOnceAsync(string program)
    {
        var directory = FreshDirectory("resume");
        try
        {
            var failed = await ProcessMeter.RunAsync(program, ["run", .. flowArguments], directory, TimeSpan.FromSeconds(60), new Dictionary<string, string> { ["FLOW_BENCH_FAIL_JOIN"] = "1" });
            var runId = RunStarted().Match(failed.Stderr);
            if (failed.ExitCode != 1 || !runId.Success)
            {
                throw new InvalidOperationException($"The run meant to fail at its join exited with {failed.ExitCode}:\n{failed.Stderr}");
            }

            return await ProcessMeter.RunAsync(program, ["resume", "Join", "--origin-run-id", runId.Groups[1].Value, .. flowArguments], directory, TimeSpan.FromSeconds(60));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private async Task<Measurement> RunInFreshDirectoryAsync(string program, string[] arguments, TimeSpan cap, bool sampleTree = false)
    {
        if (!File.Exists(program))
        {
            throw new InvalidOperationException($"{program} is missing; bench/run.sh builds the Release programs, bench/profile.sh the ReadyToRun ones.");
        }

        var directory = FreshDirectory("run");
        try
        {
            return await ProcessMeter.RunAsync(program, [.. arguments, .. flowArguments], directory, cap, sampleTree: sampleTree);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private async Task<List<Measurement>> RepeatAsync(string name, Func<Task<Measurement>> measure, Func<Measurement, bool> correct)
    {
        var samples = new List<Measurement>();
        for (var i = 0; i < reps; i++)
        {
            var sample = await measure();
            samples.Add(sample);
            var status = sample.TimedOut ? "TIMEOUT" : sample.ExitCode == 0 && correct(sample) ? "ok" : $"FAILED (exit {sample.ExitCode})";
            var tree = sample.TreePeakRssKb is { } t ? $", all processes {Report.Mib(t)}" : "";
            log.WriteLine($"  {name} {i + 1}: {Report.Seconds(sample.Wall)} wall, {Report.Seconds(sample.Cpu)} CPU ({Report.Seconds(sample.UserCpu)} user), peak RSS {Report.Mib(sample.PeakRssKb)}{tree}: {status}");
            if (status != "ok")
            {
                if (!sample.TimedOut)
                {
                    log.WriteLine(sample.Stderr);
                }

                break;
            }
        }

        return samples;
    }

    private static Row Row(string name, List<Measurement> samples, Target target, Func<double, bool> passes, string note = "")
    {
        if (samples.Any(s => s.TimedOut))
        {
            return new Row(name, $"TIMEOUT (> {Report.Seconds(samples.First(s => s.TimedOut).Wall)})", "—", "—", target, Verdict.Timeout, note);
        }

        if (samples.Any(s => s.ExitCode != 0))
        {
            return new Row(name, "—", "—", "—", target, Verdict.Failed, note);
        }

        var wall = Report.Median(samples.Select(s => s.Wall.TotalSeconds));
        return new Row(
            name,
            Report.Seconds(wall),
            Report.Seconds(Report.Median(samples.Select(s => s.Cpu))),
            Report.Mib((long)Report.Median(samples.Select(s => (double)s.PeakRssKb))),
            target,
            passes(wall) ? Verdict.Pass : Verdict.Miss,
            note);
    }

    private static Task DotnetBuildServerShutdownAsync() => DotnetAsync(["build-server", "shutdown"]);

    private static Task<double> DotnetBuildAsync(string project, params string[] options) =>
        DotnetAsync(new[] { "build", project, "-c", "Release", "-nologo", "-v:q" }.Concat(options));

    private static async Task<double> DotnetAsync(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The compiler server, on by default for dotnet build, even where the environment turns it off.
        start.Environment["UseSharedCompilation"] = "true";

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Cannot start dotnet.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var elapsed = clock.Elapsed.TotalSeconds;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet {string.Join(' ', arguments)} failed:\n{await output}{await error}");
        }

        return elapsed;
    }

    [GeneratedRegex(@"run (\S+) started")]
    private static partial Regex RunStarted();
}
