using System.Diagnostics;
using NUnit.Framework;

namespace Flow.Tests.Reliability;

/// <summary>
/// Worker processes start as tasks need them: a flow that never has two tasks ready at once needs one worker,
/// a wide foreach gets up to --max-workers and never more, and none outlives its run. The tests watch /proc
/// from outside, so they assert only what holds however loaded the machine is: upper bounds, and that the
/// workers are all gone in the end (a sample missed between two looks can only lower a count).
/// </summary>
public class WorkerCountTests : ReliabilityTest
{
    private static readonly TimeSpan Look = TimeSpan.FromMilliseconds(50);

    [Test]
    public void AFlowThatRunsOneTaskAtATimeNeedsOneWorkerAndAtMostTheOneStartedWhileItWasStarting()
    {
        // Start, one Work, Join, End: never two tasks at once, whatever the maximum. The first task waits for the
        // first worker; if that start takes longer than the task has waited (a loaded machine), one more starts,
        // and after that a free worker is always there when the next task comes.
        var (result, seen, most) = RunWatched(Env(("FLOW_TEST_ITEMS", "1"), ("FLOW_TEST_SLEEP_MS", "300"), ("FLOW_TEST_FAULT_INDEX", "-1")), "--max-workers", "4");
        Assert.That(result.Code, Is.EqualTo(0), result.ToString());
        Assert.That(result.Output, Does.Contain("total = 0"), result.ToString());
        Assert.That(seen, Is.InRange(1, 2), $"worker processes started\n{result}");
        Assert.That(most, Is.LessThanOrEqualTo(2), $"worker processes alive at once\n{result}");
    }

    [Test]
    public void AWideForeachUsesUpToMaxWorkersAndNoMore()
    {
        // Tasks that keep waiting get more workers once they have waited about as long as a start takes (at most a second).
        // Each task reserves a core: the run is told of three (DOTNET_PROCESSOR_COUNT), so three can run at once on any machine.
        var (result, seen, most) = RunWatched(
            Env(("FLOW_TEST_ITEMS", "40"), ("FLOW_TEST_SLEEP_MS", "300"), ("FLOW_TEST_FAULT_INDEX", "-1"), ("DOTNET_PROCESSOR_COUNT", "3")), "--max-workers", "3");
        Assert.That(result.Code, Is.EqualTo(0), result.ToString());
        Assert.That(result.Output, Does.Contain($"total = {Enumerable.Range(0, 40).Sum(i => i * i)}"), result.ToString());
        Assert.That(most, Is.LessThanOrEqualTo(3), $"worker processes alive at once\n{result}");
        Assert.That(seen, Is.LessThanOrEqualTo(3), $"worker processes started (none died, so none was replaced)\n{result}");
        Assert.That(seen, Is.GreaterThanOrEqualTo(2), $"tasks that waited seconds for a worker got another\n{result}");
    }

    [Test]
    public void AWorkerThatDiesIsReplacedWithinTheMaximum()
    {
        // Element 1's worker kills itself; the run fails there, but the other elements still run, on at most two workers.
        var (result, _, most) = RunWatched(Env(("FLOW_TEST_ITEMS", "6"), ("FLOW_TEST_SLEEP_MS", "200"), ("FLOW_TEST_FAULT", "kill")), "--max-workers", "2");
        Assert.That(result.Code, Is.EqualTo(1), result.ToString());
        Assert.That(result.Error, Does.Contain("was killed (exit code 137"), result.ToString());
        Assert.That(most, Is.LessThanOrEqualTo(2), $"worker processes alive at once\n{result}");
    }

    [Test]
    public void InProcessRunsStartNoWorker()
    {
        var (result, seen, _) = RunWatched(Env(("FLOW_TEST_ITEMS", "2"), ("FLOW_TEST_SLEEP_MS", "300"), ("FLOW_TEST_FAULT_INDEX", "-1")), "--isolation", "InProcess");
        Assert.That(result.Code, Is.EqualTo(0), result.ToString());
        Assert.That(seen, Is.EqualTo(0), result.ToString());
    }

    /// <summary>
    /// Runs FaultFlow and watches /proc for its workers: how many there were in all, and the most alive at once.
    /// Once the run has exited, its workers must all end (they are reaped in the background) within a generous time.
    /// </summary>
    private (ProcessResult Result, int Seen, int Most) RunWatched(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var run = TestProcess.StartProgram(TestFlows, Work, environment, ["FaultFlow", "run", .. args, "--datastore-root", Root]);
        var seen = new HashSet<int>();
        var most = 0;
        var clock = Stopwatch.StartNew();
        while (!run.HasExited && clock.Elapsed < TestProcess.Patience)
        {
            var alive = TaskCrashTests.WorkersOf(run.Id);
            seen.UnionWith(alive);
            most = Math.Max(most, alive.Count);
            Thread.Sleep(Look);
        }

        var result = run.WaitForExit(TestProcess.Patience);
        var gone = Stopwatch.StartNew();
        while (TaskCrashTests.WorkersOf(run.Id).Count > 0 && gone.Elapsed < TimeSpan.FromSeconds(60))
        {
            Thread.Sleep(Look);
        }

        Assert.That(TaskCrashTests.WorkersOf(run.Id), Is.Empty, $"worker processes still alive 60 s after their run ended\n{result}");
        return (result, seen.Count, most);
    }
}
