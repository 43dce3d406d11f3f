using System.Diagnostics;
using System.Text;
using NUnit.Framework;

namespace Flow.Tests.Infrastructure;

/// <summary>
/// A program a test starts, with its stdout and stderr captured: a built flow program (a sample or the test flows),
/// the <c>dotnet</c> CLI, or a server. It gets the test process's environment without Flow's variables
/// (<c>FLOW_*</c>), plus only those the test gives, so a setting of the machine running the tests never leaks in.
/// </summary>
public sealed class TestProcess : IDisposable
{
    /// <summary>How long a program may take before a test gives up on it: generous, for a loaded machine.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Task _pumps;

    private TestProcess(string fileName, IReadOnlyList<string> args, string workingDirectory, IReadOnlyDictionary<string, string>? environment, Action<ProcessStartInfo>? configure)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("FLOW_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        configure?.Invoke(start);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        WorkingDirectory = workingDirectory;
        var program = Path.GetFileName(fileName) is "dotnet" or "dotnet.exe" ? "dotnet" : fileName;
        Command = $"{string.Join(' ', (environment ?? new Dictionary<string, string>()).Select(e => $"{e.Key}={e.Value}"))} {program} {string.Join(' ', args.Select(a => Path.IsPathRooted(a) && a.EndsWith(".dll", StringComparison.Ordinal) ? Path.GetFileName(a) : a))}".Trim();
        _process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start");
        _pumps = Task.WhenAll(PumpAsync(_process.StandardOutput, _output), PumpAsync(_process.StandardError, _error));
    }

    /// <summary>The <c>dotnet</c> executable: the one running these tests, else the first on PATH; null when there is none.</summary>
    public static string? DotNet { get; } = FindDotNet();

    /// <summary>The command line, with the environment the test gave, for messages.</summary>
    public string Command { get; }

    public string WorkingDirectory { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>What the program has written to stdout so far.</summary>
    public string Output => Text(_output);

    /// <summary>What the program has written to stderr so far.</summary>
    public string Error => Text(_error);

    /// <summary>Starts <paramref name="fileName"/> with <paramref name="args"/>; <paramref name="configure"/> may change its start (before the test's environment is applied).</summary>
    public static TestProcess Start(string fileName, IReadOnlyList<string> args, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null, Action<ProcessStartInfo>? configure = null) =>
        new(fileName, args, workingDirectory, environment, configure);

    /// <summary>Starts a built .NET program (<c>dotnet PROGRAM.dll ARGS</c>), as a user starts a flow program.</summary>
    public static TestProcess StartProgram(string dll, string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        Assert.That(File.Exists(dll), Is.True, $"{dll} is not built; build the solution first.");

        // A program started by a shell without job control in the background (`./test.sh &` in a script) inherits
        // SIGINT ignored, and so would every program started here: tests of Ctrl+C then see nothing happen. env gives
        // the program SIGINT's default back, and execs it (the process id stays the program's).
        return InterruptIgnored && File.Exists("/usr/bin/env")
            ? Start("/usr/bin/env", ["--default-signal=INT", DotNet ?? "dotnet", dll, .. args], workingDirectory, environment)
            : Start(DotNet ?? "dotnet", [dll, .. args], workingDirectory, environment);
    }

    /// <summary>Whether this process ignores SIGINT (bit 2 of the SigIgn mask in /proc/self/status), which its children inherit.</summary>
    private static bool InterruptIgnored { get; } =
        OperatingSystem.IsLinux()
        && File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal)) is { } line
        && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & 0x2) != 0;

    /// <summary>Runs a built .NET program to its end (see <see cref="StartProgram"/>), failing the test if it takes longer than <see cref="Patience"/>.</summary>
    public static ProcessResult RunProgram(string dll, string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        using var process = StartProgram(dll, workingDirectory, environment, args);
        return process.WaitForExit(Patience);
    }

    /// <summary>
    /// Runs the <c>dotnet</c> CLI as a user would, in <paramref name="workingDirectory"/>: the MSBuild variables that
    /// <c>dotnet test</c> sets for itself are left out (the child picks its own SDK), and no build node outlives it.
    /// </summary>
    public static ProcessResult RunDotNet(string workingDirectory, TimeSpan timeout, params string[] args)
    {
        using var process = Start(DotNet ?? "dotnet", args, workingDirectory, null, start =>
        {
            start.Environment.Remove("MSBuildExtensionsPath");
            start.Environment.Remove("MSBuildSDKsPath");
            start.Environment.Remove("MSBUILD_EXE_PATH");
            start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            start.Environment["DOTNET_NOLOGO"] = "1";
        });
        return process.WaitForExit(timeout);
    }

    /// <summary>Ignores the calling test when there is no <c>dotnet</c> CLI, except under CI, where it fails.</summary>
    public static void RequireDotNet()
    {
        if (DotNet is null)
        {
            Ci.Missing("No dotnet CLI found (DOTNET_HOST_PATH is unset and none is on PATH); the package tests need it to pack Flow and to build projects that use it.");
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds, failing with what the program printed if it does not in time or the program exits first.</summary>
    public void WaitUntil(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (_process.HasExited)
            {
                Assert.Fail($"The program exited before {what}.\n{Result()}");
            }

            if (deadline.Elapsed > (timeout ?? Patience))
            {
                Assert.Fail($"Not {what} after {deadline.Elapsed.TotalSeconds:0} s.\n{Result()}");
            }

            Thread.Sleep(20);
        }
    }

    /// <summary>Waits for the program to end and for all it printed; past <paramref name="timeout"/> it is killed with its children and the test fails.</summary>
    public ProcessResult WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            KillTree();
            Assert.Fail($"Did not finish in {timeout.TotalSeconds:0} s, so it was killed with its child processes.\n{Result()}");
        }

        _pumps.Wait(TimeSpan.FromSeconds(30));
        return Result();
    }

    /// <summary>SIGKILL to the program and every process it started, as when a machine's run is killed.</summary>
    public void KillTree()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(TimeSpan.FromSeconds(30));
    }

    /// <summary>SIGKILL to the program alone; the processes it started are left to notice.</summary>
    public void KillAlone()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit(TimeSpan.FromSeconds(30));
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            KillTree();
        }

        _process.Dispose();
    }

    private ProcessResult Result() => new(Command, WorkingDirectory, _process.HasExited ? _process.ExitCode : -1, Output, Error, _clock.Elapsed);

    private static string Text(StringBuilder builder)
    {
        lock (builder)
        {
            return builder.ToString();
        }
    }

    private static async Task PumpAsync(StreamReader source, StringBuilder target)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await source.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            lock (target)
            {
                target.Append(buffer, 0, read);
            }
        }
    }

    private static string? FindDotNet()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        var name = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        return (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
    }
}
