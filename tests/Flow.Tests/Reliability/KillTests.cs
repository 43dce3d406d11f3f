using NUnit.Framework;

namespace Flow.Tests.Reliability;

/// <summary>
/// kill -9 of a whole run, or of a task while it writes a large artifact: nothing is left torn, and
/// <c>resume</c> finishes the run with the results of a run nobody disturbed.
/// </summary>
public class KillTests : ReliabilityTest
{
    private static readonly Dictionary<string, string> Eight = Env(("FLOW_TEST_ITEMS", "8"));

    private static readonly Dictionary<string, string> EightSlowly = Env(("FLOW_TEST_ITEMS", "8"), ("FLOW_TEST_SLEEP_MS", "500"));

    // FaultFlow with 8 items has 11 tasks: Start, 8 Work, Join, End. The kill lands after Start only, early in the foreach, late in it.
    [TestCase(1)]
    [TestCase(3)]
    [TestCase(6)]
    public async Task AfterTheWholeRunIsKilledMidWayResumeGivesTheUndisturbedResults(int finished)
    {
        var calm = new StoredData(Path.Combine(Work, "calm"));
        var baseline = TestProcess.RunProgram(TestFlows, Work, Eight, "FaultFlow", "run", "--datastore-root", calm.Root);
        Assert.That(baseline.Code, Is.EqualTo(0), baseline.ToString());

        var runId = KillWhenFinished(finished, "run");
        var resumed = RunFlow("FaultFlow", Eight, "resume", "--origin-run-id", runId);
        Assert.That(resumed.Code, Is.EqualTo(0), resumed.ToString());
        Assert.That(resumed.Error, Does.Contain($"cloned from run {runId}"), resumed.ToString());
        Assert.That(resumed.Output, Does.Contain("total = 140"), resumed.ToString());
        Assert.That(
            await Stored.EndArtifactKeysAsync("FaultFlow", RunIdStarted(resumed)),
            Is.EqualTo(await calm.EndArtifactKeysAsync("FaultFlow", RunIdStarted(baseline))),
            "the resumed run's end artifacts must be those of the undisturbed run");
        Assert.That(await Stored.ArtifactAsync<int>("FaultFlow", RunIdStarted(resumed), "End", "Total"), Is.EqualTo(140));
    }

    [Test]
    public async Task AResumeThatIsKilledCanItselfBeResumed()
    {
        var calm = new StoredData(Path.Combine(Work, "calm"));
        var baseline = TestProcess.RunProgram(TestFlows, Work, Eight, "FaultFlow", "run", "--datastore-root", calm.Root);
        Assert.That(baseline.Code, Is.EqualTo(0), baseline.ToString());

        var first = KillWhenFinished(3, "run");
        var second = KillWhenFinished(6, "resume", "--origin-run-id", first);
        var third = RunFlow("FaultFlow", Eight, "resume", "--origin-run-id", second);
        Assert.That(third.Code, Is.EqualTo(0), third.ToString());
        Assert.That(third.Output, Does.Contain("total = 140"), third.ToString());
        Assert.That(
            await Stored.EndArtifactKeysAsync("FaultFlow", RunIdStarted(third)),
            Is.EqualTo(await calm.EndArtifactKeysAsync("FaultFlow", RunIdStarted(baseline))));
        foreach (var task in Stored.TaskJsons("FaultFlow", RunIdStarted(third)).Values.Where(t => t.TryGetProperty("clonedFrom", out _)))
        {
            Assert.That(task.GetProperty("clonedFrom").GetString(), Does.StartWith(first + "/").Or.StartWith(second + "/"), "a clone names the task that ran");
        }
    }

    /// <summary>Starts FaultFlow with <paramref name="args"/>, kills its process tree once <paramref name="finished"/> tasks of the new run are recorded, and checks that nothing was left torn.</summary>
    private string KillWhenFinished(int finished, params string[] args)
    {
        var before = Stored.RunIds("FaultFlow");
        string? runId = null;
        using (var run = TestProcess.StartProgram(TestFlows, Work, EightSlowly, ["FaultFlow", .. args, "--datastore-root", Root]))
        {
            run.WaitUntil(
                () => (runId ??= Stored.RunIds("FaultFlow").Except(before).SingleOrDefault()) is { } id && Stored.TaskJsons("FaultFlow", id).Count >= finished,
                $"{finished} tasks finished");
            run.KillTree();
            Assert.That(run.Output, Does.Not.Contain("total ="), $"the run was killed before its end.\n{run.Error}");
        }

        Assert.That(Stored.RunJson("FaultFlow", runId!).GetProperty("status").GetString(), Is.EqualTo("Running"), "a killed run is left as running");
        Assert.That(Stored.TaskJsons("FaultFlow", runId!), Has.Count.LessThan(11), "the run was killed before all its tasks finished");
        Stored.AssertEveryRecordIsWhole("FaultFlow");
        Stored.AssertEveryBlobMatchesItsName();
        return runId!;
    }

    [Test]
    public async Task ATaskKilledWhileWritingALargeArtifactLeavesNoTornBlobAndResumeFinishesTheRun()
    {
        var calm = new StoredData(Path.Combine(Work, "calm"));
        var big = Env(("FLOW_TEST_BIG_MB", "32"));
        var baseline = TestProcess.RunProgram(TestFlows, Work, big, "BigFlow", "run", "--datastore-root", calm.Root);
        Assert.That(baseline.Code, Is.EqualTo(0), baseline.ToString());

        var marker = Path.Combine(Work, "killed");
        var killing = Env(("FLOW_TEST_BIG_MB", "32"), ("FLOW_TEST_KILL_MARKER", marker), ("FLOW_TEST_BLOBS", Stored.BlobFolder));
        var killed = RunFlow("BigFlow", killing, "run");
        var runId = RunIdStarted(killed);
        Assert.That(File.Exists(marker), Is.True, $"the kill was never armed.\n{killed}");
        Assert.That(killed.Code, Is.EqualTo(1), killed.ToString());
        Assert.That(killed.Error, Does.Contain($"failed in task {runId}/Write/").And.Contain("was killed (exit code 137"), killed.ToString());
        Assert.That(Stored.AssertEveryBlobMatchesItsName(), Is.Not.Empty, "the kill should have left the temporary file of the interrupted write");

        var resumed = RunFlow("BigFlow", killing, "resume", "--origin-run-id", runId);
        Assert.That(resumed.Code, Is.EqualTo(0), resumed.ToString());
        Assert.That(resumed.Error, Does.Contain($"cloned from run {runId}"), resumed.ToString());
        Assert.That(resumed.Output, Does.Not.Contain("mismatch"), resumed.ToString());
        Assert.That(
            await Stored.EndArtifactKeysAsync("BigFlow", RunIdStarted(resumed)),
            Is.EqualTo(await calm.EndArtifactKeysAsync("BigFlow", RunIdStarted(baseline))),
            "the resumed run's end artifacts must be those of the undisturbed run");
        Stored.AssertEveryBlobMatchesItsName();
        Stored.AssertEveryRecordIsWhole("BigFlow");
    }
}
