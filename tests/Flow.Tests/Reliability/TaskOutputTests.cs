using System.Diagnostics;
using NUnit.Framework;

namespace Flow.Tests.Reliability;

/// <summary>
/// A task's output goes through its worker's pipes while the task runs; the run ends without waiting for the
/// worker to exit, so every line of the last task must be through before the run says it is done.
/// </summary>
public class TaskOutputTests : ReliabilityTest
{
    // EchoFlow's End prints this many lines to stdout, and one in a hundred to stderr.
    private const int Lines = 20000;

    [Test]
    [Repeat(2)]
    public void EveryLineOfTheLastTaskIsPrintedBeforeTheRunEnds()
    {
        var result = RunFlow("EchoFlow", null, "run");
        Assert.That(result.Code, Is.EqualTo(0), result.ToString());

        var lines = result.Output.Split('\n');
        var echoed = lines.Where(l => l.StartsWith("[End/2] line ", StringComparison.Ordinal)).ToList();
        Assert.That(echoed, Is.EqualTo(Enumerable.Range(0, Lines).Select(i => $"[End/2] line {i}")), "every line, in order, with its prefix");
        Assert.That(result.Output, Does.Contain("[End/2] left open"), "the line the step left open");
        Assert.That(result.Output + result.Error, Does.Not.Contain("task-end"), "the end marks are not printed");
        Assert.That((result.Output + result.Error).IndexOf('\u001e', StringComparison.Ordinal), Is.EqualTo(-1), "the end marks are not printed");

        var errors = result.Error.Split('\n').ToList();
        Assert.That(errors.Count(l => l.StartsWith("[End/2] warning ", StringComparison.Ordinal)), Is.EqualTo(Lines / 100));
        var lastWarning = errors.FindLastIndex(l => l.StartsWith("[End/2] warning ", StringComparison.Ordinal));
        var done = errors.FindIndex(l => l.Contains("End/2] done", StringComparison.Ordinal) || l.Contains("succeeded", StringComparison.Ordinal));
        Assert.That(done, Is.GreaterThan(lastWarning), $"the task's stderr comes before it is reported done\n{result}");
    }

    [Test]
    public void AWorkerWithAStepsThreadStillRunningEndsWithTheRun()
    {
        var result = RunFlow("LingerFlow", null, "run");
        Assert.That(result.Code, Is.EqualTo(0), result.ToString());
        var match = System.Text.RegularExpressions.Regex.Match(result.Output, @"worker (\d+)");
        Assert.That(match.Success, Is.True, result.ToString());
        var pid = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(pid, Is.Not.EqualTo(Environment.ProcessId));

        var clock = Stopwatch.StartNew();
        while (IsWorker(pid) && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            Thread.Sleep(50);
        }

        Assert.That(IsWorker(pid), Is.False, $"worker {pid} is still running {clock.Elapsed.TotalSeconds:0.0} s after its run ended\n{result}");
    }

    // Whether the process is (still) a worker of the test flows: a reused process id is not.
    private static bool IsWorker(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited && (!OperatingSystem.IsLinux() || File.ReadAllText($"/proc/{pid}/cmdline").Contains("worker", StringComparison.Ordinal));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
