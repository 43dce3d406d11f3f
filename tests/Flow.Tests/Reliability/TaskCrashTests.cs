using NUnit.Framework;

namespace Flow.Tests.Reliability;

/// <summary>A task's process dies or hangs: only that task fails, and the scheduler lives to say so.</summary>
public class TaskCrashTests : ReliabilityTest
{
    // FaultFlow runs Work over 0..3; element 1 is task 3 (Start is task 1).
    private const int Total = 0 + 1 + 4 + 9;

    [TestCase("kill", "was killed (exit code 137")]
    [TestCase("stackoverflow", "aborted (exit code 134")]
    [TestCase("failfast", "aborted (exit code 134")]
    public void ATaskWhoseProcessDiesFailsAloneAndTheRunCanBeResumed(string fault, string reason)
    {
        var crashed = RunFlow("FaultFlow", Env(("FLOW_TEST_FAULT", fault)), "run");
        var runId = RunIdStarted(crashed);
        Assert.That(crashed.Code, Is.EqualTo(1), crashed.ToString());
        Assert.That(crashed.Error, Does.Contain($"run {runId} failed in task {runId}/Work/3: ").And.Contain($"Task {runId}/Work/3 did not finish: it {reason}"), crashed.ToString());
        Assert.That(crashed.Error, Does.Contain($"resume --origin-run-id {runId}"), crashed.ToString());
        Assert.That(crashed.Output, Does.Not.Contain("total ="), crashed.ToString());
        Assert.That(Stored.RunJson("FaultFlow", runId).GetProperty("status").GetString(), Is.EqualTo("Failed"), crashed.ToString());
        AssertRecordedFailure("FaultFlow", runId, "Work.3", reason);

        // Every task that succeeded (Start and the crashed task's siblings that ran) is cloned; the rest of the 7 run.
        var succeeded = Stored.TaskJsons("FaultFlow", runId).Values.Count(t => t.GetProperty("status").GetString() == "Succeeded");
        var resumed = RunFlow("FaultFlow", null, "resume", "--origin-run-id", runId);
        Assert.That(resumed.Code, Is.EqualTo(0), resumed.ToString());
        Assert.That(resumed.Output, Does.Contain($"total = {Total}"), resumed.ToString());
        Assert.That(succeeded, Is.GreaterThanOrEqualTo(2), "Start, and element 0 beside the crashed element 1");
        Assert.That(resumed.Error, Does.Contain($"7 tasks ({succeeded} cloned from run {runId}, {7 - succeeded} ran)"), resumed.ToString());
        Stored.AssertEveryRecordIsWhole("FaultFlow");
    }

    [TestCase("kill")]
    [TestCase("stackoverflow")]
    [TestCase("throw")]
    public void RetryRecoversATaskThatCrashesOnce(string fault)
    {
        var result = RunFlow("FlakyFlow", Env(("FLOW_TEST_FAULT", fault), ("FLOW_TEST_FAULT_ATTEMPTS", "1")), "run");
        Assert.That(result.Code, Is.EqualTo(0), result.ToString());
        Assert.That(result.Output, Does.Contain("total = 5, retried = 1"), result.ToString());
        Assert.That(result.Error, Does.Contain("retrying"), result.ToString());
    }

    [Test]
    public void ATaskThatCrashesOnEveryAttemptFailsAfterItsRetries()
    {
        var result = RunFlow("FlakyFlow", Env(("FLOW_TEST_FAULT", "kill")), "run");
        Assert.That(result.Code, Is.EqualTo(1), result.ToString());
        var runId = RunIdStarted(result);
        Assert.That(result.Error, Does.Contain($"failed in task {runId}/Work/3: ").And.Contain("killed"), result.ToString());
        Assert.That(result.Error.Split('\n').Count(l => l.Contains("retrying", StringComparison.Ordinal)), Is.EqualTo(2), result.ToString());
    }

    [Test]
    public void TimeoutStopsATaskInATightCpuLoopSoonAfterItsLimit()
    {
        using var run = TestProcess.StartProgram(TestFlows, Work, null, "HangFlow", "run", "--datastore-root", Root);
        run.WaitUntil(() => run.Output.Contains("spinning", StringComparison.Ordinal), "the step started spinning");
        var spinning = System.Diagnostics.Stopwatch.StartNew();
        var result = run.WaitForExit(TestProcess.Patience);
        var stoppedAfter = spinning.Elapsed;

        Assert.That(result.Code, Is.EqualTo(1), result.ToString());
        var runId = RunIdStarted(result);
        Assert.That(result.Error, Does.Contain($"failed in task {runId}/Spin/2: ").And.Contain("timeout of 3 s"), result.ToString());
        AssertRecordedFailure("HangFlow", runId, "Spin.2", "timeout of 3 s");
        Assert.That(stoppedAfter, Is.GreaterThan(TimeSpan.FromSeconds(2)).And.LessThan(TimeSpan.FromSeconds(3 + 5)), result.ToString());
        Assert.That(ProcessesUsing(Root, run.Id), Is.Empty, "the spinning worker must be gone");
    }

    [Test]
    public void RetryRunsAgainATaskThatTimedOut()
    {
        var result = RunFlow("StuckOnceFlow", null, "run");
        Assert.That(result.Code, Is.EqualTo(0), result.ToString());
        Assert.That(result.Output, Does.Contain("attempts = 2"), result.ToString());
        Assert.That(result.Error, Does.Contain("timeout of 2 s").And.Contain("retrying"), result.ToString());
    }

    [Test]
    public void AWorkerLeftBehindByAKilledSchedulerStopsItsTask()
    {
        using var run = TestProcess.StartProgram(TestFlows, Work, Env(("FLOW_TEST_FAULT", "hang")), "FaultFlow", "run", "--datastore-root", Root);
        run.WaitUntil(() => Stored.RunIds("FaultFlow") is [var runId] && Stored.TaskJsons("FaultFlow", runId).Count >= 4, "every task but the hung one finished");
        Assert.That(WorkersOf(run.Id), Is.Not.Empty, "the worker running the hung task");
        run.KillAlone();

        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (ProcessesUsing(Root, run.Id).Count > 0 && deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            Thread.Sleep(100);
        }

        var left = ProcessesUsing(Root, run.Id);
        foreach (var pid in left)
        {
            System.Diagnostics.Process.GetProcessById(pid).Kill();
        }

        Assert.That(left, Is.Empty, $"workers still running 30 s after their scheduler was killed.\n{run.Output}\n{run.Error}");
    }

    /// <summary>A task whose process died could not record itself: its failure is recorded for it, and the run names it.</summary>
    private void AssertRecordedFailure(string flow, string runId, string task, string reason)
    {
        var tasks = Stored.TaskJsons(flow, runId);
        Assert.That(tasks.ContainsKey(task), Is.True, $"the failed task {task} has no record; there are {string.Join(", ", tasks.Keys)}");
        Assert.That(tasks[task].GetProperty("status").GetString(), Is.EqualTo("Failed"));
        Assert.That(tasks[task].GetProperty("error").ToString(), Does.Contain(reason));
        Assert.That(Stored.RunJson(flow, runId).GetProperty("failedTask").GetString(), Is.EqualTo($"{runId}/{task.Replace('.', '/')}"));
    }

    /// <summary>The processes of a run: those whose command line names its datastore (the scheduler) and the workers of scheduler <paramref name="scheduler"/>.</summary>
    internal static IReadOnlyList<int> ProcessesUsing(string root, int scheduler) =>
        Processes(commandLine => commandLine.Contains(root, StringComparison.Ordinal) || IsWorkerOf(commandLine, scheduler));

    /// <summary>The worker processes of scheduler <paramref name="scheduler"/>: their socket's path names its process id.</summary>
    internal static IReadOnlyList<int> WorkersOf(int scheduler) => Processes(commandLine => IsWorkerOf(commandLine, scheduler));

    private static bool IsWorkerOf(string commandLine, int scheduler) =>
        commandLine.Contains($" worker --socket {Path.Combine(Path.GetTempPath(), $"flow-{scheduler}-")}", StringComparison.Ordinal);

    private static List<int> Processes(Func<string, bool> match)
    {
        Assert.That(OperatingSystem.IsLinux(), Is.True, "finding a run's worker processes reads /proc, which needs Linux");
        var found = new List<int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (match(commandLine) && !File.ReadAllText(Path.Combine(dir, "stat")).Contains(") Z ", StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found;
    }
}
