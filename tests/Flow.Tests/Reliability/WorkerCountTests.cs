using System.Diagnostics;
using NUnit.Framework;

namespace Flow.Tests.Reliability;

/// <summary>
/// Worker processes start as tasks need them: a flow that never has two tasks ready at once gets one
/// worker, a wide foreach gets up to --max-workers and never more.
/// </summary>
public class WorkerCountTests : ReliabilityTest
{
    [Test]
    public void AFlowThatRunsOneTaskAtATimeStartsOneWorker()
    {
        // Start, one Work, Join, End: never two tasks at once, whatever the maximum.
        var (result, seen, most) = RunWatched(Env(("FLOW_TEST_ITEMS", "1"), ("FLOW_TEST_SLEEP_MS", "300"), ("FLOW_TEST_FAULT_INDEX", "-1")), "--max-workers", "4");
        Assert.That(result.Code, Is.EqualTo(0), result.ToString());
        Assert.That(result.Output, Does.Contain("total = 0"), result.ToString());
        Assert.That(seen, Is.EqualTo(1), $"worker processes started\n{result}");
        Assert.That(most, Is.EqualTo(1));
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
        Assert.That(most, Is.EqualTo(3), $"worker processes alive at once\n{result}");
        Assert.That(seen, Is.EqualTo(3), $"worker processes started\n{result}");
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

    /// <summary>Runs FaultFlow and watches /proc for its workers: how many there were in all, and the most alive at once.</summary>
    private (ProcessResult Result, int Seen, int Most) RunWatched(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var run = FlowProcess.Start(TestFlows, Work, environment, ["FaultFlow", "run", .. args, "--datastore-root", Root]);
        var seen = new HashSet<int>();
        var most = 0;
        var clock = Stopwatch.StartNew();
        while (!run.HasExited && clock.Elapsed < FlowProcess.Patience)
        {
            var alive = TaskCrashTests.WorkersOf(run.Id);
            seen.UnionWith(alive);
            most = Math.Max(most, alive.Count);
            Thread.Sleep(5);
        }

        return (run.WaitForExit(FlowProcess.Patience), seen.Count, most);
    }
}
