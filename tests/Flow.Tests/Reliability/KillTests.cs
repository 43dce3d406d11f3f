using NUnit.Framework;

namespace Flow.Tests.Reliability;

/// <summary>
/// kill -9 of a whole run, or of a task while it writes a large artifact: nothing is left torn, and
/// <c>resume</c> finishes the run with the results of a run nobody disturbed.
/// </summary>
public class KillTests : ReliabilityTest
{
    [Test]
    public async Task AfterTheWholeRunIsKilledMidWayResumeGivesTheUndisturbedResults()
    {
        var calm = new StoredData(Path.Combine(Work, "calm"));
        var baseline = FlowProcess.Run(TestFlows, Work, Env(("FLOW_TEST_ITEMS", "8")), "FaultFlow", "run", "--datastore-root", calm.Root);
        Assert.That(baseline.Code, Is.EqualTo(0), baseline.ToString());

        string runId;
        using (var run = FlowProcess.Start(TestFlows, Work, Env(("FLOW_TEST_ITEMS", "8"), ("FLOW_TEST_SLEEP_MS", "1000")), "FaultFlow", "run", "--datastore-root", Root))
        {
            run.WaitUntil(() => Stored.RunIds("FaultFlow") is [_] && Stored.TaskJsons("FaultFlow", Stored.RunIds("FaultFlow")[0]).Count >= 3, "three tasks finished");
            run.KillTree();
            runId = Stored.RunIds("FaultFlow").Single();
            Assert.That(run.Output, Does.Not.Contain("total ="), "the run was killed before its end");
        }

        Assert.That(Stored.RunJson("FaultFlow", runId).GetProperty("status").GetString(), Is.EqualTo("Running"), "a killed run is left as running");
        Assert.That(Stored.TaskJsons("FaultFlow", runId), Has.Count.LessThan(11), "the run was killed before all its tasks finished");
        Stored.AssertEveryRecordIsWhole("FaultFlow");
        Stored.AssertEveryBlobMatchesItsName();

        var resumed = RunFlow("FaultFlow", Env(("FLOW_TEST_ITEMS", "8")), "resume", "--origin-run-id", runId);
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
    public async Task ATaskKilledWhileWritingALargeArtifactLeavesNoTornBlobAndResumeFinishesTheRun()
    {
        var calm = new StoredData(Path.Combine(Work, "calm"));
        var baseline = FlowProcess.Run(TestFlows, Work, null, "BigFlow", "run", "--datastore-root", calm.Root);
        Assert.That(baseline.Code, Is.EqualTo(0), baseline.ToString());

        var marker = Path.Combine(Work, "killed");
        var killing = Env(("FLOW_TEST_KILL_MARKER", marker), ("FLOW_TEST_BLOBS", Stored.BlobFolder));
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
