using System.Diagnostics;
using System.Text.RegularExpressions;
using Flow.Tests.Infrastructure;
using Flow.Tests.Reliability;
using NUnit.Framework;

namespace Flow.Tests.Slurm;

/// <summary>
/// Flows on a real single-node Slurm cluster started by the tests: every step with <c>--with slurm</c>, or only the
/// steps marked [Slurm]; foreach as one job array; [Resources] as the job's request; retries, cancellation from
/// outside, impossible requests, Ctrl-C and resume; the results those of a local run.
/// </summary>
[NonParallelizable]
public class SlurmRunTests : ReliabilityTest
{
    private static SlurmCluster Cluster => SlurmCluster.Shared;

    private Dictionary<string, string> OnCluster(params (string Name, string Value)[] variables)
    {
        var environment = new Dictionary<string, string>(Cluster.Environment, StringComparer.Ordinal);
        foreach (var (name, value) in variables)
        {
            environment[name] = value;
        }

        return environment;
    }

    private ProcessResult Sample(string sample, params string[] args) =>
        TestProcess.RunProgram(RepoPaths.SampleDll(sample), Work, OnCluster(), [.. args, "--datastore-root", Root]);

    /// <summary>The run's jobs that Slurm still has as pending or running.</summary>
    private IReadOnlyList<string> LiveJobs(string flow, string runId) => Cluster.JobsOf($"flow-{flow}-{runId}-");

    /// <summary>Asserts that every job of the run has ended, or does within a few seconds (a cancelled job is COMPLETING briefly).</summary>
    private void AssertNoJobLeft(string flow, string runId, string why)
    {
        var clock = Stopwatch.StartNew();
        while (LiveJobs(flow, runId).Count > 0 && clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            Thread.Sleep(200);
        }

        Assert.That(LiveJobs(flow, runId), Is.Empty, why);
    }

    /// <summary>Every job of the run that the controller knows, by id, with its state.</summary>
    private Dictionary<string, string> Jobs(string flow, string runId)
    {
        var result = Cluster.Run("squeue", "-h", "-r", "-t", "all", "-o", "%i|%T|%j");
        return result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Trim().Split('|'))
            .Where(f => f.Length == 3 && f[2].StartsWith($"flow-{flow}-{runId}-", StringComparison.Ordinal))
            .ToDictionary(f => f[0], f => f[1]);
    }

    [Test]
    public async Task TheBranchSampleOnSlurmGivesTheLocalResultsWithEveryStepAJob()
    {
        var local = TestProcess.RunProgram(RepoPaths.SampleDll("BranchFlow"), Work, null, "run", "--datastore-root", Path.Combine(Work, "local"));
        Assert.That(local.Code, Is.EqualTo(0), local.ToString());

        var result = Sample("BranchFlow", "run", "--with", "slurm");
        Assert.That(result.Code, Is.EqualTo(0), result.ToString());
        Assert.That(result.Output, Does.Contain("[End/5] out = 3"), "a task's output is printed as a local task's is");
        Assert.That(result.Error, Does.Contain($"must be on a file system that the cluster's nodes share"), result.ToString());
        var runId = RunIdStarted(result);
        var jobs = Jobs("BranchFlow", runId);
        Assert.That(jobs, Has.Count.EqualTo(5), "one job per task");
        Assert.That(jobs.Values, Is.All.EqualTo("COMPLETED"));
        Assert.That(
            await Stored.EndArtifactKeysAsync("BranchFlow", runId),
            Is.EqualTo(await new StoredData(Path.Combine(Work, "local")).EndArtifactKeysAsync("BranchFlow", RunIdStarted(local))));
        Assert.That(Directory.Exists(Path.Combine(Root, ".slurm", $"BranchFlow-{runId}")), Is.False, "the run's job scripts and Slurm output are removed at its end");

        var logs = Sample("BranchFlow", "logs", $"{runId}/End");
        Assert.That(logs.Output, Does.Contain("out = 3"), "logs reads a task that ran on Slurm as it reads a local one");
    }

    [Test]
    public void AForeachOf200IsOneJobArray()
    {
        var result = RunFlow("FaultFlow", OnCluster(("FLOW_TEST_ITEMS", "200")), "run", "--with", "slurm");
        Assert.That(result.Code, Is.EqualTo(0), result.ToString());
        Assert.That(result.Output, Does.Contain("total = 2646700"), result.ToString());
        var runId = RunIdStarted(result);
        var submitted = Regex.Match(result.Error, @"\[Work\] 200 tasks submitted to Slurm as job array (\d+): (\d+) array tasks of up to (\d+), at most 2 at once");
        Assert.That(submitted.Success, Is.True, result.ToString());
        var (arrayId, arrayTasks, perTask) = (submitted.Groups[1].Value, int.Parse(submitted.Groups[2].Value), int.Parse(submitted.Groups[3].Value));
        Assert.That(arrayTasks * perTask, Is.GreaterThanOrEqualTo(200).And.LessThan(200 + perTask));
        var array = Cluster.ShowJobs(arrayId);
        Assert.That(array, Has.Count.EqualTo(arrayTasks));
        Assert.That(array.Select(j => j["ArrayJobId"]).Distinct(), Is.EqualTo(new[] { arrayId }));
        Assert.That(array.Select(j => j["JobState"]).Distinct(), Is.EqualTo(new[] { "COMPLETED" }));
        Assert.That(Jobs("FaultFlow", runId).Keys.Select(k => k.Split('_')[0]).Distinct().Count(), Is.EqualTo(4), "Start, one array, Join, End: four sbatch calls");
        Assert.That(Stored.TaskJsons("FaultFlow", runId).Values.Count(t => t.GetProperty("step").GetString() == "Work"), Is.EqualTo(200), "every task has its own record");
    }

    [Test]
    public void OnlyTheStepsMarkedSlurmGoToTheClusterWithTheirRequestAndANestedForeach()
    {
        var result = RunFlow("SlurmFlow", OnCluster(), "run");
        Assert.That(result.Code, Is.EqualTo(0), result.ToString());
        Assert.That(result.Output, Does.Contain("sum = 123, start ran here, heavy ran in a Slurm job with 2 CPUs, end ran here"), result.ToString());
        var heavy = Regex.Match(result.Error, @"\[Heavy/2\] submitted to Slurm as job (\d+)");
        Assert.That(heavy.Success, Is.True, result.ToString());
        var job = Cluster.ShowJob(heavy.Groups[1].Value);
        Assert.That(job["NumCPUs"], Is.EqualTo("2"));
        Assert.That(job["TRES"], Does.Contain("mem=1500M"));
        Assert.That(job.GetValueOrDefault("TresPerNode") ?? job.GetValueOrDefault("TresPerJob") ?? "", Does.Contain("gpu:1"));
        Assert.That(Regex.Matches(result.Error, @"\[Cell\] 2 tasks submitted to Slurm as job array"), Has.Count.EqualTo(3), "each row's cells are one array");

        var all = RunFlow("SlurmFlow", OnCluster(), "run", "--with", "slurm");
        Assert.That(all.Code, Is.EqualTo(0), all.ToString());
        Assert.That(all.Output, Does.Contain("sum = 123, start ran in a Slurm job, heavy ran in a Slurm job with 2 CPUs, end ran in a Slurm job"), all.ToString());
    }

    [Test]
    public void AFailedTaskIsRetriedOnSlurmWithItsAttemptNumber()
    {
        var result = RunFlow("FlakyFlow", OnCluster(("FLOW_TEST_FAULT", "throw"), ("FLOW_TEST_FAULT_ATTEMPTS", "1")), "run", "--with", "slurm");
        Assert.That(result.Code, Is.EqualTo(0), result.ToString());
        Assert.That(result.Output, Does.Contain("total = 5, retried = 1"), result.ToString());
        Assert.That(result.Error, Does.Contain("System.InvalidOperationException: Task 1 fails on purpose.; retrying"), result.ToString());
        var runId = RunIdStarted(result);
        var work = Stored.TaskJsons("FlakyFlow", runId).Values.Where(t => t.GetProperty("step").GetString() == "Work").ToList();
        Assert.That(work.Select(t => t.GetProperty("attempt").GetInt32()).Order(), Is.EqualTo(new[] { 0, 0, 1 }));
    }

    [Test]
    public void AJobCancelledFromOutsideFailsItsTaskAsCancelledAndResumeFinishesTheRun()
    {
        ProcessResult result;
        string? runId = null;
        using (var run = TestProcess.StartProgram(TestFlows, Work, OnCluster(("FLOW_TEST_SLEEP_MS", "60000")), ["SlurmFlow", "run", "--datastore-root", Root]))
        {
            run.WaitUntil(() => (runId ??= Stored.RunIds("SlurmFlow").SingleOrDefault()) is { } id && Jobs("SlurmFlow", id).ContainsValue("RUNNING"), "Heavy's job to run");
            var job = Jobs("SlurmFlow", runId!).Single(j => j.Value == "RUNNING").Key;
            Assert.That(Cluster.Run("scancel", job).Code, Is.EqualTo(0));
            result = run.WaitForExit(TestProcess.Patience);
        }

        Assert.That(result.Code, Is.EqualTo(1), result.ToString());
        Assert.That(result.Error, Does.Match(@"Slurm job \d+ of step Heavy ended CANCELLED"), result.ToString());

        var resumed = RunFlow("SlurmFlow", OnCluster(), "resume");
        Assert.That(resumed.Code, Is.EqualTo(0), resumed.ToString());
        Assert.That(resumed.Output, Does.Contain("sum = 123"), resumed.ToString());
        Assert.That(resumed.Error, Does.Contain($"cloned from run {runId}"), resumed.ToString());
    }

    [Test]
    public void TheResourcesSampleRunsOnANodeLargeEnoughWithItsRequests()
    {
        using var large = SlurmCluster.StartLarge(cpus: 16, memoryMb: 256_000);
        var result = TestProcess.RunProgram(RepoPaths.SampleDll("ResourcesFlow"), Work, new Dictionary<string, string>(large.Environment), "run", "--with", "slurm", "--datastore-root", Root);
        Assert.That(result.Code, Is.EqualTo(0), result.ToString() + large.Logs());
        Assert.That(result.Output, Does.Contain("train sees").And.Contain("load sees"), result.ToString());
        var train = Regex.Match(result.Error, @"\[Train/\d+\] submitted to Slurm as job (\d+)");
        var load = Regex.Match(result.Error, @"\[Load/\d+\] submitted to Slurm as job (\d+)");
        Assert.That(train.Success && load.Success, Is.True, result.ToString());
        Assert.That(large.ShowJob(train.Groups[1].Value)["NumCPUs"], Is.EqualTo("16"));
        Assert.That(large.ShowJob(load.Groups[1].Value)["TRES"], Does.Contain("mem=200000M"));
        Assert.That(result.Error, Does.Not.Contain("warning: step"), "on Slurm the requests are the cluster's, never capped to this machine");
    }

    [Test]
    public void ARequestNoNodeCanMeetFailsTheRunAtOnceWithSlurmsReason()
    {
        var clock = Stopwatch.StartNew();
        var result = Sample("ResourcesFlow", "run", "--with", "slurm");
        Assert.That(result.Code, Is.EqualTo(1), result.ToString());
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(60)), "it fails, not pends");
        Assert.That(result.Error, Does.Contain("Slurm refused the job for step").Or.Contain("can never start"), result.ToString());
        AssertNoJobLeft("ResourcesFlow", RunIdStarted(result), "nothing of the run is left pending");
    }

    [TestCase("INT", 130)]
    [TestCase("TERM", 143)]
    public void StoppingTheRunCancelsItsJobsAndResumeGoesOnFromThere(string signal, int code)
    {
        ProcessResult result;
        string? runId = null;
        using (var run = TestProcess.StartProgram(TestFlows, Work, OnCluster(("FLOW_TEST_SLEEP_MS", "60000")), ["SlurmFlow", "run", "--with", "slurm", "--datastore-root", Root]))
        {
            run.WaitUntil(() => (runId ??= Stored.RunIds("SlurmFlow").SingleOrDefault()) is { } id && Jobs("SlurmFlow", id).ContainsValue("RUNNING"), "a job to run");
            using (var kill = Process.Start("kill", ["-" + signal, run.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                kill.WaitForExit();
            }

            result = run.WaitForExit(TestProcess.Patience);
        }

        Assert.That(result.Code, Is.EqualTo(code), result.ToString());
        Assert.That(result.Error, Does.Match(@"Cancelled 1 Slurm job\(s\) of the run: \d+\."), result.ToString());
        AssertNoJobLeft("SlurmFlow", runId!, "no job of the run is left behind");

        var resumed = RunFlow("SlurmFlow", OnCluster(), "resume", "--with", "slurm");
        Assert.That(resumed.Code, Is.EqualTo(0), resumed.ToString());
        Assert.That(resumed.Output, Does.Contain("sum = 123"), resumed.ToString());
    }

    [Test]
    public void AfterRunIsKilledTheRunningJobFinishesAndResumeReusesItsTask()
    {
        string? runId = null;
        string job;
        using (var run = TestProcess.StartProgram(TestFlows, Work, OnCluster(("FLOW_TEST_SLEEP_MS", "4000")), ["SlurmFlow", "run", "--datastore-root", Root]))
        {
            run.WaitUntil(() => (runId ??= Stored.RunIds("SlurmFlow").SingleOrDefault()) is { } id && Jobs("SlurmFlow", id).ContainsValue("RUNNING"), "Heavy's job to run");
            job = Jobs("SlurmFlow", runId!).Single(j => j.Value == "RUNNING").Key;
            run.KillTree();
        }

        Assert.That(Cluster.WaitForEnd(job)["JobState"], Is.EqualTo("COMPLETED"), "the job outlives the run that submitted it");
        var heavy = Stored.TaskJsons("SlurmFlow", runId!).Single(t => t.Key.StartsWith("Heavy.", StringComparison.Ordinal)).Value;
        Assert.That(heavy.GetProperty("status").GetString(), Is.EqualTo("Succeeded"), "and records its task");

        var resumed = RunFlow("SlurmFlow", OnCluster(), "resume", "--origin-run-id", runId!);
        Assert.That(resumed.Code, Is.EqualTo(0), resumed.ToString());
        Assert.That(resumed.Output, Does.Contain("sum = 123"), resumed.ToString());
        Assert.That(resumed.Error, Does.Not.Contain("[Heavy/2] submitted"), "Heavy is cloned, not run again");
        var clone = Stored.TaskJsons("SlurmFlow", RunIdStarted(resumed)).Single(t => t.Key.StartsWith("Heavy.", StringComparison.Ordinal)).Value;
        Assert.That(clone.GetProperty("clonedFrom").GetString(), Does.StartWith(runId + "/Heavy/"));
    }

    [Test]
    public void ATaskOnSlurmIsStoppedAtItsTimeoutAndItsJobCancelled()
    {
        var result = RunFlow("HangFlow", OnCluster(), "run", "--with", "slurm");
        Assert.That(result.Code, Is.EqualTo(1), result.ToString());
        Assert.That(result.Error, Does.Contain("Step Spin ran longer than its timeout of 3 s and was stopped."), result.ToString());
        var runId = RunIdStarted(result);
        var spin = Regex.Match(result.Error, @"\[Spin/2\] submitted to Slurm as job (\d+)");
        Assert.That(spin.Success, Is.True, result.ToString());
        Assert.That(Cluster.ShowJob(spin.Groups[1].Value)["TimeLimit"], Is.EqualTo("00:02:00"), "the job's own limit is the timeout in minutes, rounded up, plus one");
        AssertNoJobLeft("HangFlow", runId, "the job is cancelled at the timeout");
    }

    [Test]
    public void LoopsRunOnSlurmEachIterationAJobAndARetriedIterationIsSubmittedAgain()
    {
        // The retry of iteration 2 is the only task of the run then: nothing else makes the scheduler submit it.
        var result = RunFlow("LoopFlow", OnCluster(("FLOW_TEST_LOOP_FAIL", "2"), ("FLOW_TEST_LOOP_FAIL_ONCE", "1")), "run", "--with", "slurm");
        Assert.That(result.Code, Is.EqualTo(0), result.ToString());
        Assert.That(result.Output, Does.Contain("rounds = 5, iterations = [0,1,2,3,4], height = 30, other = -1, steps = [1,2,3]"), result.ToString());
        Assert.That(Regex.Matches(result.Error, @"\[Count/\d+\] submitted to Slurm as job"), Has.Count.EqualTo(6), "five iterations and one retry");
        Assert.That(result.Error, Does.Contain("Iteration 2 fails on purpose.; retrying"), result.ToString());
    }

    [Test]
    public void CheckSaysWhichStepsGoToSlurmWithWhichRequest()
    {
        var result = RunFlow("SlurmFlow", OnCluster(), "check");
        Assert.That(result.Code, Is.EqualTo(0), result.ToString());
        Assert.That(result.Output, Does.Contain("Heavy runs on Slurm: sbatch --cpus-per-task=2 --mem=1500 --gres=gpu:1"));
        Assert.That(result.Output, Does.Contain("Cell runs on Slurm, a foreach's tasks as one job array"));
        Assert.That(result.Output, Does.Contain("Start runs here"));

        var partition = RunFlow("SlurmFlow", OnCluster(("FLOW_SLURM_PARTITION", "other")), "check", "--with", "slurm:qos=normal");
        Assert.That(partition.Output, Does.Contain("Start runs on Slurm: sbatch --partition=other --qos=normal"), partition.ToString());

        var wrong = RunFlow("SlurmFlow", OnCluster(), "run", "--with", "kubernetes");
        Assert.That(wrong.Code, Is.EqualTo(2), wrong.ToString());
        Assert.That(wrong.Error, Does.Contain("'kubernetes' is not a compute backend"), wrong.ToString());
    }
}
