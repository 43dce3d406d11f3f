using Flow.Cli;
using Flow.Datastore;
using Flow.Execution;
using NUnit.Framework;

namespace Flow.Tests.Runtime;

/// <summary>Loops run in the scheduler's process: each iteration a task of its own, with retries, catches, timeouts, a cap and resume.</summary>
[NonParallelizable]
public class LoopTests
{
    private string _root = "";

    [SetUp]
    public void CreateDatastore()
    {
        _root = Directory.CreateTempSubdirectory("flow-test-").FullName;
        LoopSwitches.Reset();
    }

    [TearDown]
    public void DeleteDatastore()
    {
        LoopSwitches.Reset();
        Directory.Delete(_root, recursive: true);
    }

    private FlowDatastore Store => FlowDatastore.Local(_root);

    private LocalScheduler Scheduler<TFlow>(int maxLoopIterations = 1_000, TextWriter? log = null)
        where TFlow : FlowSpec, IFlowDefinitionProvider<TFlow> =>
        new(FlowApp.DefinitionOf<TFlow>(), new RunOptions
        {
            MaxWorkers = 2,
            MaxLoopIterations = maxLoopIterations,
            Log = log ?? TextWriter.Null,
            Output = TextWriter.Null,
            Datastore = Store,
            Isolation = TaskIsolation.InProcess,
        });

    private async Task<List<TaskRecord>> TasksAsync(string flow, string runId, string step) =>
        (await Store.Metadata.ListTasksAsync(flow, runId, CancellationToken.None)).Where(t => t.Step == step).OrderBy(t => t.TaskId).ToList();

    [Test]
    public async Task EachIterationIsATaskThatStartsFromThePreviousOne()
    {
        var log = new StringWriter();
        var result = await Scheduler<CountingLoopFlow>(log: log).RunAsync();
        Assert.That(result.Succeeded, Is.True, result.Error?.ToString());
        Assert.That(result.Artifact<int>("Count"), Is.EqualTo(5));
        Assert.That(result.Artifact<List<string>>("Seen"), Is.EqualTo(new[] { "0.0", "1.0", "2.0", "3.0", "4.0" }));
        Assert.That(result.TaskCount, Is.EqualTo(7), "Start, five iterations, End");

        var loop = await TasksAsync("CountingLoopFlow", result.RunId, "Loop");
        Assert.That(loop.Select(t => t.Iteration), Is.EqualTo(new[] { 0, 1, 2, 3, 4 }));
        Assert.That(loop.Select(t => t.Position), Is.EqualTo(new[] { "Loop/", "Loop/#1", "Loop/#2", "Loop/#3", "Loop/#4" }));
        for (var i = 1; i < loop.Count; i++)
        {
            Assert.That(loop[i].Inputs, Is.EqualTo(new[] { loop[i - 1].Pathspec }), "an iteration's input is the previous iteration");
        }

        Assert.That(loop.Select(t => t.Next[0]), Is.EqualTo(new[] { "Loop", "Loop", "Loop", "Loop", "End" }));
        var end = await TasksAsync("CountingLoopFlow", result.RunId, "End");
        Assert.That(end.Single().Inputs, Is.EqualTo(new[] { loop[^1].Pathspec }), "the step after the loop starts from its last iteration");
        Assert.That(log.ToString(), Does.Contain($"[Loop/{loop[3].TaskId}] iteration 3 done"));
    }

    [Test]
    public async Task RetryAppliesToEachIteration()
    {
        LoopSwitches.FailAt = 2;
        LoopSwitches.FailOnce = true;
        var result = await Scheduler<CountingLoopFlow>().RunAsync();
        Assert.That(result.Succeeded, Is.True, result.Error?.ToString());
        Assert.That(result.Artifact<List<string>>("Seen"), Is.EqualTo(new[] { "0.0", "1.0", "2.1", "3.0", "4.0" }), "only iteration 2 needed its retry");
        var loop = await TasksAsync("CountingLoopFlow", result.RunId, "Loop");
        Assert.That(loop.Select(t => t.Attempt), Is.EqualTo(new[] { 0, 0, 1, 0, 0 }));
    }

    [Test]
    public async Task ACaughtIterationLeavesTheLoopByItsWayOut()
    {
        LoopSwitches.FailAt = 2;
        var result = await Scheduler<CaughtLoopFlow>().RunAsync();
        Assert.That(result.Succeeded, Is.True, result.Error?.ToString());
        Assert.That(result.Artifact<StepError?>("Failure")!.Message, Does.Contain("iteration 2 fails on purpose"));
        Assert.That(result.Artifact<int>("Count"), Is.EqualTo(2), "the caught iteration keeps the artifacts it started with");
        var loop = await TasksAsync("CaughtLoopFlow", result.RunId, "Loop");
        Assert.That(loop.Select(t => t.Iteration), Is.EqualTo(new[] { 0, 1, 2 }));
        Assert.That(loop[^1].Next, Is.EqualTo(new[] { "End" }));
    }

    [Test]
    public async Task TheTimeoutAppliesToEachIteration()
    {
        LoopSwitches.SlowAt = 1;
        var result = await Scheduler<TimedLoopFlow>().RunAsync();
        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.Error!.Message, Does.Contain("timeout of 1 s"));
        var loop = await TasksAsync("TimedLoopFlow", result.RunId, "Loop");
        Assert.That(loop.Select(t => (t.Iteration, t.Status)), Is.EqualTo(new[] { (0, RunStatus.Succeeded), (1, RunStatus.Failed) }));
    }

    [Test]
    public async Task ALoopThatNeverLeavesFailsAtTheCapNamingTheStepAndTheCount()
    {
        LoopSwitches.Forever = true;
        var result = await Scheduler<CountingLoopFlow>(maxLoopIterations: 4).RunAsync();
        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.Error!.Message, Does.Contain("Step Loop ran 4 iterations").And.Contain("--max-loop-iterations"));
        Assert.That(result.FailedTask, Does.EndWith("/Loop/5"));
        var loop = await TasksAsync("CountingLoopFlow", result.RunId, "Loop");
        Assert.That(loop, Has.Count.EqualTo(4), "no iteration starts past the cap");
        Assert.That(await TasksAsync("CountingLoopFlow", result.RunId, "End"), Is.Empty);
    }

    [Test]
    public void TheCapMustBePositive()
    {
        var e = Assert.Throws<FlowException>(() => Scheduler<CountingLoopFlow>(maxLoopIterations: 0));
        Assert.That(e!.Message, Does.Contain("--max-loop-iterations must be at least 1"));
    }

    [Test]
    public async Task ResumeAfterAFailureInIterationKClonesTheIterationsBeforeItAndGoesOnFromK()
    {
        LoopSwitches.FailAt = 3;
        var failed = await Scheduler<CountingLoopFlow>().RunAsync();
        Assert.That(failed.Succeeded, Is.False);
        Assert.That(failed.Error!.Message, Does.Contain("iteration 3 fails on purpose"));

        LoopSwitches.Reset();
        var resumed = await Scheduler<CountingLoopFlow>().ResumeAsync(failed.RunId);
        Assert.That(resumed.Succeeded, Is.True, resumed.Error?.ToString());
        Assert.That(resumed.ClonedCount, Is.EqualTo(4), "Start and iterations 0, 1 and 2");
        Assert.That(resumed.Artifact<int>("Count"), Is.EqualTo(5));
        Assert.That(resumed.Artifact<List<string>>("Seen"), Is.EqualTo(new[] { "0.0", "1.0", "2.0", "3.0", "4.0" }));
        var loop = await TasksAsync("CountingLoopFlow", resumed.RunId, "Loop");
        Assert.That(loop.Select(t => (t.Iteration, t.ClonedFrom is not null)), Is.EqualTo(new[] { (0, true), (1, true), (2, true), (3, false), (4, false) }));
    }

    [Test]
    public async Task ALoopStoppedAtTheCapGoesOnWhenResumedWithAHigherCap()
    {
        LoopSwitches.Forever = true;
        var capped = await Scheduler<CountingLoopFlow>(maxLoopIterations: 3).RunAsync();
        Assert.That(capped.Succeeded, Is.False);

        LoopSwitches.Reset();
        var resumed = await Scheduler<CountingLoopFlow>(maxLoopIterations: 10).ResumeAsync(capped.RunId);
        Assert.That(resumed.Succeeded, Is.True, resumed.Error?.ToString());
        Assert.That(resumed.ClonedCount, Is.EqualTo(4), "Start and the three iterations that ran");
        Assert.That(resumed.Artifact<int>("Count"), Is.EqualTo(5));
    }

    [Test]
    public async Task EachForeachElementLoopsOnItsOwnWithItsItemInsideABranchAndTheJoinsSeeTheLastIterations()
    {
        var result = await Scheduler<ForeachLoopFlow>().RunAsync();
        Assert.That(result.Succeeded, Is.True, result.Error?.ToString());
        Assert.That(result.Artifact<List<string>>("Traces"), Is.EqualTo(new[] { "3:0 3:1 3:2", "1:0", "2:0 2:1" }));
        Assert.That(result.Artifact<int>("Other"), Is.EqualTo(7));
        var work = await TasksAsync("ForeachLoopFlow", result.RunId, "Work");
        Assert.That(work, Has.Count.EqualTo(6));
        Assert.That(work.Where(t => t.Iteration > 0).Select(t => t.Position).Order(), Is.EqualTo(new[] { "Work/0.0#1", "Work/0.0#2", "Work/0.2#1" }));
        Assert.That(work.Where(t => t.Iteration == 0).All(t => t.Item is not null), Is.True, "a looping foreach child keeps its item for the next iteration");
    }

    [Test]
    public async Task ResumeInsideAForeachClonesEveryElementsIterationsThatSucceeded()
    {
        var first = await Scheduler<ForeachLoopFlow>().RunAsync();
        Assert.That(first.Succeeded, Is.True, first.Error?.ToString());
        var resumed = await Scheduler<ForeachLoopFlow>().ResumeAsync(first.RunId, "Gather");
        Assert.That(resumed.Succeeded, Is.True, resumed.Error?.ToString());
        Assert.That(resumed.ClonedCount, Is.EqualTo(1 + 1 + 6 + 1), "Start, Spread, every Work iteration, Side");
        Assert.That(resumed.Artifact<List<string>>("Traces"), Is.EqualTo(new[] { "3:0 3:1 3:2", "1:0", "2:0 2:1" }));
    }
}
