using System.Diagnostics;
using System.Text;
using Flow.Tests.Infrastructure;
using NUnit.Framework;

namespace Flow.Tests.Reliability;

/// <summary>What a flow program printed and how it exited; its text is the whole story, for assertion messages.</summary>
public sealed record ProcessResult(string Command, int Code, string Output, string Error, TimeSpan Elapsed)
{
    public override string ToString() =>
        $"{Command}\nexit code {Code} after {Elapsed.TotalSeconds:0.0} s\n--- stdout ---\n{Output}\n--- stderr ---\n{Error}";
}

/// <summary>
/// A built flow program (a sample or the test flows) started as a user starts it, with its own
/// environment: Flow's variables of the test process are not passed on, only those the test gives.
/// </summary>
public sealed class FlowProcess : IDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Task _pumps;

    private FlowProcess(string dll, string workingDirectory, IReadOnlyDictionary<string, string>? environment, string[] args)
    {
        Assert.That(File.Exists(dll), Is.True, $"{dll} is not built; build the solution first.");
        var start = new ProcessStartInfo("dotnet")
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

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        Command = $"{string.Join(' ', (environment ?? new Dictionary<string, string>()).Select(e => $"{e.Key}={e.Value}"))} dotnet {Path.GetFileName(dll)} {string.Join(' ', args)}".Trim();
        _process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        _pumps = Task.WhenAll(PumpAsync(_process.StandardOutput, _output), PumpAsync(_process.StandardError, _error));
    }

    public string Command { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public string Error
    {
        get
        {
            lock (_error)
            {
                return _error.ToString();
            }
        }
    }

    /// <summary>The test flows program: several flows, the first argument names one.</summary>
    public static string TestFlowsDll => Path.Combine(RepoPaths.Root, "tests", "Flow.TestFlows", "bin", RepoPaths.Configuration, "net10.0", "Flow.TestFlows.dll");

    public static FlowProcess Start(string dll, string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        new(dll, workingDirectory, environment, args);

    public static ProcessResult Run(string dll, string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        using var process = Start(dll, workingDirectory, environment, args);
        return process.WaitForExit(Patience);
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

    public ProcessResult WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            KillTree();
            Assert.Fail($"Did not finish in {timeout.TotalSeconds:0} s, so it was killed.\n{Result()}");
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

    private ProcessResult Result() => new(Command, _process.HasExited ? _process.ExitCode : -1, Output, Error, _clock.Elapsed);

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
}
