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
        Environment.SetEnvironmentVariable("FLOW_TEST_BREAK_ELEMENT", null);
        Directory.Delete(_root, recursive: true);
    }

    private LocalScheduler Scheduler() => new(
        FlowApp.DefinitionOf<FlakyJoinFlow>(),
        new RunOptions { MaxWorkers = 2, Log = TextWriter.Null, Output = TextWriter.Null, Datastore = FlowDatastore.Local(_root), User = "tester" });

    // All 20 elements start at once, so the failure of one stops none of the others.
    private LocalScheduler Wide(TextWriter? log = null) => new(
        FlowApp.DefinitionOf<WideFlow>(),
        new RunOptions { MaxWorkers = 32, Capacity = new MachineCapacity(32, 64_000, []), Log = log ?? TextWriter.Null, Output = TextWriter.Null, Datastore = FlowDatastore.Local(_root), User = "tester" });

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

    [Test]
    public async Task ResumeWithoutAStepRunsOnlyTheFailedForeachElementAndWhatFollowsIt()
    {
        var calm = await Wide().RunAsync();
        Assert.That(calm.Succeeded, Is.True, calm.Error?.ToString());

        Environment.SetEnvironmentVariable("FLOW_TEST_BREAK_ELEMENT", "7");
        var failed = await Wide().RunAsync();
        Assert.That(failed.FailedTask, Does.Contain("/Work/"));

        Environment.SetEnvironmentVariable("FLOW_TEST_BREAK_ELEMENT", null);
        var log = new StringWriter();
        var resumed = await Wide(log).ResumeAsync(failed.RunId);
        Assert.That(resumed.Succeeded, Is.True, resumed.Error?.ToString());
        Assert.That((resumed.TaskCount, resumed.ClonedCount), Is.EqualTo((23, 20)), "Start and 19 elements are cloned");
        Assert.That(log.ToString(), Does.Contain($"23 tasks (20 cloned from run {failed.RunId}, 3 ran)"));

        var tasks = await FlowDatastore.Local(_root).Metadata.ListTasksAsync("WideFlow", resumed.RunId);
        var ran = tasks.Where(t => t.ClonedFrom is null).Select(t => (t.Step, t.Index)).Order();
        Assert.That(ran, Is.EqualTo(new[] { ("End", 0), ("Join", 0), ("Work", 7) }));
        Assert.That(Hashes(resumed), Is.EqualTo(Hashes(calm)), "the results of a run nobody disturbed");
    }

    [Test]
    public async Task AResumedRunThatFailsAgainStillClonesWhatItCanSoThatTheNextResumeRunsOnlyTheFailure()
    {
        Environment.SetEnvironmentVariable("FLOW_TEST_BREAK_ELEMENT", "7");
        var failed = await Wide().RunAsync();
        Assert.That(failed.FailedTask, Does.Contain("/Work/"));

        // One worker: the resumed run reaches element 7, which fails again, before the elements after it.
        var oneWorker = new LocalScheduler(
            FlowApp.DefinitionOf<WideFlow>(),
            new RunOptions { MaxWorkers = 1, Log = TextWriter.Null, Output = TextWriter.Null, Datastore = FlowDatastore.Local(_root), User = "tester" });
        var again = await oneWorker.ResumeAsync(failed.RunId);
        Assert.That(again.Succeeded, Is.False);
        Assert.That(again.ClonedCount, Is.EqualTo(20), "Start and the 19 other elements are cloned even after element 7 failed");

        Environment.SetEnvironmentVariable("FLOW_TEST_BREAK_ELEMENT", null);
        var resumed = await Wide().ResumeAsync(again.RunId);
        Assert.That(resumed.Succeeded, Is.True, resumed.Error?.ToString());
        Assert.That((resumed.TaskCount, resumed.ClonedCount), Is.EqualTo((23, 20)), "only element 7, the join and the end run");
    }

    [Test]
    public async Task ResumeOfAStepStillRunsThatStepAndEverythingAfterIt()
    {
        Environment.SetEnvironmentVariable("FLOW_TEST_BREAK_ELEMENT", "7");
        var failed = await Wide().RunAsync();
        Environment.SetEnvironmentVariable("FLOW_TEST_BREAK_ELEMENT", null);

        var work = await Wide().ResumeAsync(failed.RunId, "Work");
        Assert.That((work.Succeeded, work.TaskCount, work.ClonedCount), Is.EqualTo((true, 23, 1)), "only Start is cloned");

        var join = await Wide().ResumeAsync(failed.RunId, "Join");
        Assert.That((join.Succeeded, join.TaskCount, join.ClonedCount), Is.EqualTo((true, 23, 20)), "the failed element runs, and the join after it");
        Assert.That(Hashes(join), Is.EqualTo(Hashes(work)));
    }

    private static Dictionary<string, string> Hashes(RunResult result) =>
        result.EndArtifacts.ToDictionary(a => a.Key, a => a.Value.Hash, StringComparer.Ordinal);
}

public partial class WideFlow : FlowSpec
{
    public List<int> Items { get; set; } = [];

    public int Square { get; set; }

    public List<int> Squares { get; set; } = [];

    [Step]
    [Foreach(nameof(Items))]
    public void Start()
    {
        Items = Enumerable.Range(0, 20).ToList();
        Next(Work);
    }

    [Step]
    public void Work(int item)
    {
        if (Environment.GetEnvironmentVariable("FLOW_TEST_BREAK_ELEMENT") == item.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException($"element {item} is broken");
        }

        Square = item * item;
        Next(Join);
    }

    [Step]
    public void Join(JoinInputs<WideFlow> inputs)
    {
        Squares = inputs.Select(i => i.Square).ToList();
        Next(End);
    }

    [Step]
    public void End()
    {
    }
}
