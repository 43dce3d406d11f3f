using Flow.Cli;
using Flow.Datastore;
using Flow.Execution;
using NUnit.Framework;

namespace Flow.Tests.Runtime;

[NonParallelizable]
public class ResumeTests
{
    private string _root = "";

    [SetUp]
    public void CreateDatastore() => _root = Directory.CreateTempSubdirectory("flow-test-").FullName;

    [TearDown]
    public void Cleanup()
    {
        Environment.SetEnvironmentVariable("FLOW_TEST_BREAK_JOIN", null);
        Directory.Delete(_root, recursive: true);
    }

    private LocalScheduler Scheduler() => new(
        FlowApp.DefinitionOf<FlakyJoinFlow>(),
        new RunOptions { MaxWorkers = 2, Log = TextWriter.Null, Output = TextWriter.Null, Datastore = FlowDatastore.Local(_root), User = "tester" });

    [Test]
    public async Task ResumeClonesTheFinishedTasksAndRunsTheRest()
    {
        Environment.SetEnvironmentVariable("FLOW_TEST_BREAK_JOIN", "1");
        var failed = await Scheduler().RunAsync();
        Assert.That(failed.Succeeded, Is.False);
        Assert.That(failed.FailedTask, Does.Contain("/Join/"));

        Environment.SetEnvironmentVariable("FLOW_TEST_BREAK_JOIN", null);
        var resumed = await Scheduler().ResumeAsync(step: "Join");
        Assert.That(resumed.Succeeded, Is.True, resumed.Error?.ToString());
        Assert.That(resumed.Artifact<int>("Out"), Is.EqualTo(3));
        Assert.That(resumed.ClonedCount, Is.EqualTo(3), "Start, A and B are cloned");

        var store = FlowDatastore.Local(_root);
        var run = await store.Metadata.GetRunAsync("FlakyJoinFlow", resumed.RunId);
        Assert.That(run!.OriginRunId, Is.EqualTo(failed.RunId));
        var tasks = await store.Metadata.ListTasksAsync("FlakyJoinFlow", resumed.RunId);
        Assert.That(tasks.Where(t => t.ClonedFrom is not null).Select(t => t.Step).Order(), Is.EqualTo(new[] { "A", "B", "Start" }));
        var origin = await store.Metadata.ListTasksAsync("FlakyJoinFlow", failed.RunId);
        Assert.That(tasks.Single(t => t.Step == "A").Artifacts["X"].Key, Is.EqualTo(origin.Single(t => t.Step == "A").Artifacts["X"].Key), "cloned by reference");
    }

    [Test]
    public async Task ResumeWithoutAStepStartsFromTheFailedSteps()
    {
        Environment.SetEnvironmentVariable("FLOW_TEST_BREAK_JOIN", "1");
        await Scheduler().RunAsync();
        Environment.SetEnvironmentVariable("FLOW_TEST_BREAK_JOIN", null);
        var resumed = await Scheduler().ResumeAsync();
        Assert.That(resumed.Succeeded, Is.True, resumed.Error?.ToString());
        Assert.That(resumed.ClonedCount, Is.EqualTo(3));
    }

    [Test]
    public async Task ResumeFromAnEarlierStepRunsItAndEverythingAfter()
    {
        var first = await Scheduler().RunAsync();
        var resumed = await Scheduler().ResumeAsync(first.RunId, "A");
        Assert.That(resumed.Succeeded, Is.True);
        Assert.That(resumed.ClonedCount, Is.EqualTo(2), "Start and B");
    }

    [TestCase("Nope", "has no step 'Nope'")]
    [TestCase("Start", "start a new run")]
    public async Task ResumeFromAnInvalidStepIsAClearError(string step, string message)
    {
        var first = await Scheduler().RunAsync();
        var e = Assert.ThrowsAsync<FlowException>(() => Scheduler().ResumeAsync(first.RunId, step));
        Assert.That(e!.Message, Does.Contain(message));
    }

    [TestCase("../..", "not a valid run id")]
    [TestCase("123-none", "is not in the datastore")]
    public void ResumeOfAnUnknownOrPathLikeRunIsAClearError(string origin, string message)
    {
        var e = Assert.ThrowsAsync<FlowException>(() => Scheduler().ResumeAsync(origin));
        Assert.That(e!.Message, Does.Contain(message));
    }
}
