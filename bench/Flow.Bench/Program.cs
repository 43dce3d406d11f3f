using System.Diagnostics;
using System.Globalization;
using Flow.Bench;

const string usage = """
    Usage: bench/run.sh [--reps N] [--only CASE,...] [--foreach-counts N,...] [--cap-10000 SECONDS]
                        [--flow-args "ARGS"] [--ready-to-run]
    Cases: branch, foreach, artifact, resume, build (default: all); foreach counts: 100,1000,10000.
    --flow-args adds options to every run and resume (e.g. "--isolation InProcess" or "--max-workers 1");
    --ready-to-run measures the ReadyToRun programs bench/profile.sh publishes instead of the Release builds.
    Prints PRODUCT.md's performance table with the figures measured here.
    """;

var reps = 3;
var only = new HashSet<string>(["branch", "foreach", "artifact", "resume", "build"], StringComparer.Ordinal);
var cap10000 = TimeSpan.FromSeconds(120);
var counts = new List<int> { 100, 1_000, 10_000 };
var flowArguments = new List<string>();
var readyToRun = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--reps" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var n) && n > 0:
            reps = n;
            i++;
            break;
        case "--only" when i + 1 < args.Length:
            only = new HashSet<string>(args[++i].Split(','), StringComparer.Ordinal);
            break;
        case "--cap-10000" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var seconds) && seconds > 0:
            cap10000 = TimeSpan.FromSeconds(seconds);
            i++;
            break;
        case "--foreach-counts" when i + 1 < args.Length && args[i + 1].Split(',').All(c => c is "100" or "1000" or "10000"):
            counts = args[++i].Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToList();
            break;
        case "--flow-args" when i + 1 < args.Length:
            flowArguments = [.. args[++i].Split(' ', StringSplitOptions.RemoveEmptyEntries)];
            break;
        case "--ready-to-run":
            readyToRun = true;
            break;
        default:
            Console.Error.WriteLine(usage);
            return args[i] is "-h" or "--help" ? 0 : 2;
    }
}

if (!File.Exists(ProcessMeter.TimeProgram))
{
    Console.Error.WriteLine($"{ProcessMeter.TimeProgram} is missing; install it (apt-get install -y time) or run bench/run.sh, which does.");
    return 2;
}

var repo = FindRepository(AppContext.BaseDirectory);
var log = Console.Error;
var clock = Stopwatch.StartNew();
Console.WriteLine($"# Flow benchmarks, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
Console.WriteLine();
Console.WriteLine($"- machine: {Environment.ProcessorCount} cores ({CpuModel()}), {MemoryGib()} GiB memory, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");
var dirty = Capture("git", "-C", repo, "status", "--porcelain", "--", "src") is { Length: > 0 } changes && changes != "unknown" ? " with uncommitted changes in src/" : "";
Console.WriteLine($"- .NET: runtime {Environment.Version}, SDK {Capture("dotnet", "--version")}; commit {Capture("git", "-C", repo, "rev-parse", "--short", "HEAD")}{dirty}");
Console.WriteLine($"- load average at start: {LoadAverage()}");
Console.WriteLine($"- each case: one untimed warm-up run, then the median of {reps} runs, each in a fresh working directory");
Console.WriteLine($"- CPU: {ProcessMeter.CpuAccounting}; peak RSS: the largest of any one process (VmHWM, sampled, and what time reports)");
Console.WriteLine($"- programs: {(readyToRun ? "ReadyToRun publish (bench/profile.sh)" : "Release build (dotnet build -c Release)")}; extra flow options: {(flowArguments.Count == 0 ? "none" : string.Join(' ', flowArguments))}");
Console.WriteLine();

var cases = new Cases(repo, reps, log, flowArguments, readyToRun);
var rows = new List<Row>();
try
{
    if (only.Contains("branch"))
    {
        log.WriteLine("seed branch flow");
        rows.Add(await cases.BranchAsync());
    }

    if (only.Contains("foreach"))
    {
        log.WriteLine("foreach");
        if (counts.Contains(100))
        {
            rows.Add(await cases.ForeachAsync(100, TimeSpan.FromSeconds(60), "≤ 1.4 s", 1.4, "28.3 s", "≤ 0.5 s"));
        }

        if (counts.Contains(1_000))
        {
            rows.Add(await cases.ForeachAsync(1_000, TimeSpan.FromSeconds(90), "≤ 8 s", 8, "326 s, 643 CPU-s", "≤ 2 s"));
        }

        if (counts.Contains(10_000))
        {
            rows.Add(await cases.ForeachAsync(10_000, cap10000, "≤ 60 s, memory flat", 60, "(not attempted: hours)", "≤ 15 s"));
        }
    }

    if (only.Contains("artifact"))
    {
        log.WriteLine("100 MiB artifact");
        rows.Add(await cases.ArtifactAsync());
    }

    if (only.Contains("resume"))
    {
        log.WriteLine("resume after a failed join");
        rows.Add(await cases.ResumeAsync());
    }

    if (only.Contains("foreach") && counts.Contains(1_000))
    {
        rows.Add(cases.PerTaskOverhead());
    }

    if (only.Contains("build"))
    {
        log.WriteLine("generator build cost");
        rows.Add(await cases.BuildAsync());
    }
}
finally
{
    cases.Clean();
}

Report.Print(Console.Out, rows);
Console.WriteLine();
Console.WriteLine($"- load average at end: {LoadAverage()}; the benchmark took {Report.Seconds(clock.Elapsed)}");
return rows.Any(r => r.Verdict is Verdict.Failed) ? 1 : 0;

static string FindRepository(string from)
{
    for (var directory = new DirectoryInfo(from); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "bench", "Bench.slnx")))
        {
            return directory.FullName;
        }
    }

    throw new InvalidOperationException($"No repository with bench/Bench.slnx above {from}.");
}

static string Capture(string program, params string[] arguments)
{
    var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
    foreach (var argument in arguments)
    {
        start.ArgumentList.Add(argument);
    }

    try
    {
        using var process = Process.Start(start)!;
        var text = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return process.ExitCode == 0 ? text : "unknown";
    }
    catch (System.ComponentModel.Win32Exception)
    {
        return "unknown";
    }
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

static string CpuModel() =>
    File.Exists("/proc/cpuinfo")
        ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU"
        : "unknown CPU";

static string MemoryGib()
{
    var line = File.Exists("/proc/meminfo") ? File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)) : null;
    var kb = line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    return (kb / 1024.0 / 1024.0).ToString("0", CultureInfo.InvariantCulture);
}
