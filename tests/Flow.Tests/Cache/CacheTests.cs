using Flow.Cli;
using Flow.Client;
using Flow.Datastore;
using Flow.Execution;
using NUnit.Framework;

namespace Flow.Tests.Cache;

/// <summary>[Cache] steps at run time: what a second run clones, and what makes a task run again.</summary>
[NonParallelizable]
public class CacheTests
{
    private static readonly string[] Variables = ["FLOW_TEST_CACHE_SHARDS", "FLOW_TEST_CACHE_PREFIX", "FLOW_TEST_CACHE_OTHER"];
    private string _root = "";

    [SetUp]
    public void CreateDatastore() => _root = Directory.CreateTempSubdirectory("flow-test-").FullName;

    [TearDown]
    public void Cleanup()
    {
        foreach (var variable in Variables)
        {
            Environment.SetEnvironmentVariable(variable, null);
        }

        Directory.Delete(_root, recursive: true);
    }

    private FlowDatastore Store => FlowDatastore.Local(_root);

    private async Task<RunResult> RunAsync(TextWriter? log = null, string user = "tester", bool noCache = false, Dictionary<string, string>? parameters = null)
    {
        var result = await new LocalScheduler(
            FlowApp.DefinitionOf<ShardFlow>(),
            new RunOptions { MaxWorkers = 2, Log = log ?? TextWriter.Null, Output = TextWriter.Null, Datastore = Store, User = user, NoCache = noCache })
            .RunAsync(parameters);
        Assert.That(result.Succeeded, Is.True, result.Error?.ToString());
        return result;
    }

    // The steps whose tasks ran (were not cloned) in the run, one entry per task, in name order.
    private async Task<string[]> RanAsync(RunResult run) =>
        [.. (await Store.Metadata.ListTasksAsync("ShardFlow", run.RunId)).Where(t => t.ClonedFrom is null).Select(t => t.Step).Order(StringComparer.Ordinal)];

    [Test]
    public async Task ASecondRunWithNothingChangedClonesEveryCachedTask()
    {
        var first = await RunAsync();
        Assert.That(first.CachedCount, Is.Zero);
        var log = new StringWriter();
        var second = await RunAsync(log);

        Assert.That(second.CachedCount, Is.EqualTo(4), "three shards and the summary");
        Assert.That(await RanAsync(second), Is.EqualTo(new[] { "End", "Join", "Start" }));
        Assert.That(log.ToString(), Does.Contain($"cached from {first.RunId}/Featurize/"));
        Assert.That(log.ToString(), Does.Contain($"cached from {first.RunId}/Summarize/"));
        Assert.That(log.ToString(), Does.Contain("succeeded: 7 tasks (4 cached, 3 ran)"));
        Assert.That(second.Artifact<string>("Summary"), Is.EqualTo("p-A-1,p-B-1,p-C-1"));

        // A third run finds the second's clones first, and clones the original task's data.
        var third = await RunAsync();
        var tasks = await Store.Metadata.ListTasksAsync("ShardFlow", third.RunId);
        Assert.That(tasks.Where(t => t.Step == "Featurize").Select(t => t.ClonedFrom), Is.All.StartsWith(first.RunId + "/Featurize/"));
    }

    [Test]
    public async Task ACachedTasksArtifactsReadBackIdenticalThroughTheClient()
    {
        var first = await RunAsync();
        var second = await RunAsync();
        var client = new FlowClient(Store) { Namespace = "user:tester" };
        var before = await (await client.Flow("ShardFlow").GetAsync(first.RunId)).StepAsync("Featurize");
        var after = await (await client.Flow("ShardFlow").GetAsync(second.RunId)).StepAsync("Featurize");
        Assert.That(after, Has.Count.EqualTo(3));
        for (var i = 0; i < 3; i++)
        {
            Assert.That(after[i].ClonedFrom, Is.EqualTo(before[i].Pathspec));
            Assert.That(after[i].CacheKey, Is.EqualTo(before[i].CacheKey).And.Not.Null);
            Assert.That(await after[i].ArtifactAsync<string>("Featured"), Is.EqualTo(await before[i].ArtifactAsync<string>("Featured")));
            Assert.That(after[i].Artifacts["Featured"].Key, Is.EqualTo(before[i].Artifacts["Featured"].Key), "by reference");
        }
    }

    [Test]
    public async Task AChangedArtifactThatTheStepReadsRunsItAgain()
    {
        await RunAsync();
        Environment.SetEnvironmentVariable("FLOW_TEST_CACHE_PREFIX", "q");
        var second = await RunAsync();
        Assert.That(second.CachedCount, Is.Zero, "every shard reads Prefix, and so every summary changes");
        Assert.That(second.Artifact<string>("Summary"), Is.EqualTo("q-A-1,q-B-1,q-C-1"));
    }

    [Test]
    public async Task AChangedArtifactThatTheStepDoesNotReadLeavesItCachedAndGoesOnChanged()
    {
        await RunAsync();
        Environment.SetEnvironmentVariable("FLOW_TEST_CACHE_OTHER", "changed");
        var second = await RunAsync();
        Assert.That(second.CachedCount, Is.EqualTo(4));
        var tasks = await Store.Metadata.ListTasksAsync("ShardFlow", second.RunId);
        var start = tasks.Single(t => t.Step == "Start");
        Assert.That(tasks.Where(t => t.Step is "Featurize" or "Summarize").Select(t => t.Artifacts["Other"].Key), Is.All.EqualTo(start.Artifacts["Other"].Key),
            "what a cached task cannot touch goes on from this run's inputs, not the original's");
        Assert.That(second.Artifact<string>("Other"), Is.EqualTo("changed"));
    }

    [Test]
    public async Task AChangedParameterThatTheStepReadsRunsItAgain()
    {
        await RunAsync();
        var second = await RunAsync(parameters: new() { ["Scale"] = "2" });
        Assert.That(await RanAsync(second), Is.EqualTo(new[] { "End", "Featurize", "Featurize", "Featurize", "Join", "Start", "Summarize" }));
        Assert.That(second.Artifact<string>("Summary"), Is.EqualTo("p-A-2,p-B-2,p-C-2"));
    }

    [Test]
    public async Task AChangedParameterThatTheStepDoesNotReadLeavesItCached()
    {
        await RunAsync();
        var second = await RunAsync(parameters: new() { ["Unused"] = "7" });
        Assert.That(second.CachedCount, Is.EqualTo(4));
    }

    [Test]
    public async Task OneChangedElementOfAForeachRunsExactlyOneChild()
    {
        await RunAsync();
        Environment.SetEnvironmentVariable("FLOW_TEST_CACHE_SHARDS", "a,x,c");
        var second = await RunAsync();
        Assert.That(await RanAsync(second), Is.EqualTo(new[] { "End", "Featurize", "Join", "Start", "Summarize" }), "the summary reads the changed features");
        Assert.That(second.CachedCount, Is.EqualTo(2));
        Assert.That(second.Artifact<string>("Summary"), Is.EqualTo("p-A-1,p-X-1,p-C-1"));
    }

    [Test]
    public async Task AnotherUsersRunsDoNotShareTheCache()
    {
        await RunAsync(user: "alice");
        var bob = await RunAsync(user: "bob");
        Assert.That(bob.CachedCount, Is.Zero);
        var alice = await RunAsync(user: "alice");
        Assert.That(alice.CachedCount, Is.EqualTo(4));
    }

    [Test]
    public async Task NoCacheRunsEverythingAndStillRecordsTheKeys()
    {
        await RunAsync();
        var log = new StringWriter();
        var second = await RunAsync(log, noCache: true);
        Assert.That(second.CachedCount, Is.Zero);
        Assert.That(log.ToString(), Does.Not.Contain("cached"));
        var tasks = await Store.Metadata.ListTasksAsync("ShardFlow", second.RunId);
        Assert.That(tasks.Where(t => t.Step == "Featurize").Select(t => t.CacheKey), Is.All.Not.Null);
        Assert.That(tasks.Where(t => t.Step is "Start" or "Join" or "End").Select(t => t.CacheKey), Is.All.Null, "only [Cache] steps have keys");

        var third = await RunAsync();
        Assert.That(third.CachedCount, Is.EqualTo(4), "a --no-cache run's tasks serve later runs");
    }

    [Test]
    public async Task ACachedTaskOfAResumedRunIsClonedToo()
    {
        var first = await RunAsync();
        var log = new StringWriter();
        var resumed = await new LocalScheduler(
            FlowApp.DefinitionOf<ShardFlow>(),
            new RunOptions { MaxWorkers = 2, Log = log, Output = TextWriter.Null, Datastore = Store, User = "tester" })
            .ResumeAsync(first.RunId, "Featurize");
        Assert.That(resumed.Succeeded, Is.True, resumed.Error?.ToString());
        Assert.That(resumed.ClonedCount, Is.EqualTo(1), "Start");
        Assert.That(resumed.CachedCount, Is.EqualTo(4), "resume Featurize runs the steps again, but their inputs did not change");
        Assert.That(log.ToString(), Does.Contain($"(1 cloned from run {first.RunId}, 4 cached, 2 ran)"));
    }

    [Test]
    public async Task AnArtifactTheOriginOnlyInheritedIsNotCarriedIntoTheClone()
    {
        // The first run as an earlier version of the flow stored it: its tasks also inherited Legacy, an artifact
        // that the flow has since dropped, and that Featurize and Summarize neither read nor write.
        var first = await RunAsync();
        foreach (var task in await Store.Metadata.ListTasksAsync("ShardFlow", first.RunId))
        {
            if (task.Step is "Featurize" or "Summarize")
            {
                await Store.Metadata.PutTaskAsync(task with { Artifacts = new Dictionary<string, ArtifactRef>(task.Artifacts) { ["Legacy"] = task.Artifacts["Other"] } });
            }
        }

        var second = await RunAsync();
        Assert.That(second.CachedCount, Is.EqualTo(4), "Legacy is not in the keys");
        var tasks = await Store.Metadata.ListTasksAsync("ShardFlow", second.RunId);
        Assert.That(tasks.Where(t => t.Step is "Featurize" or "Summarize").Select(t => t.ClonedFrom), Is.All.StartsWith(first.RunId + "/"));
        foreach (var task in tasks)
        {
            Assert.That(task.Artifacts.Keys, Does.Not.Contain("Legacy"), $"{task.Pathspec}: this run's inputs have no Legacy, so no clone carries the origin's on");
        }

        var start = tasks.Single(t => t.Step == "Start");
        foreach (var task in tasks.Where(t => t.Step is "Featurize" or "Summarize"))
        {
            Assert.That(task.Artifacts["Other"].Key, Is.EqualTo(start.Artifacts["Other"].Key), "what the step cannot touch comes from this run's inputs");
        }

        Assert.That(second.Artifact<string>("Summary"), Is.EqualTo("p-A-1,p-B-1,p-C-1"), "what the step writes is the origin's");
    }

    [Test]
    public async Task AJoinsCloneDoesNotCarryOnAParameterThisRunDoesNotHave()
    {
        async Task<RunResult> RunJoinAsync(int seed)
        {
            var result = await new LocalScheduler(
                FlowApp.DefinitionOf<CachedJoinFlow>(),
                new RunOptions { MaxWorkers = 2, Log = TextWriter.Null, Output = TextWriter.Null, Datastore = Store, User = "tester" })
                .RunAsync(new Dictionary<string, string> { ["seed"] = seed.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            Assert.That(result.Succeeded, Is.True, result.Error?.ToString());
            return result;
        }

        // The first run as an earlier version of the flow stored it: its join also had Legacy, a parameter since dropped.
        var first = await RunJoinAsync(seed: 1);
        var join = (await Store.Metadata.ListTasksAsync("CachedJoinFlow", first.RunId)).Single(t => t.Step == "Join");
        await Store.Metadata.PutTaskAsync(join with { Artifacts = new Dictionary<string, ArtifactRef>(join.Artifacts) { ["Legacy"] = join.Artifacts["Seed"] } });

        var second = await RunJoinAsync(seed: 1);
        Assert.That(second.CachedCount, Is.EqualTo(1));
        Assert.That(second.Artifact<int>("Total"), Is.EqualTo(6));
        var clone = (await Store.Metadata.ListTasksAsync("CachedJoinFlow", second.RunId)).Single(t => t.Step == "Join");
        Assert.That(clone.ClonedFrom, Does.StartWith(first.RunId + "/"));
        Assert.That(clone.Artifacts.Keys, Does.Not.Contain("Legacy"), "a parameter this run does not have is not carried on");
        Assert.That(clone.Artifacts.Keys, Is.SupersetOf(new[] { "Scale", "Seed", "Total" }));
    }

    // The step command, in process: its exit code and standard error.
    private (int Code, string Error) Step(params string[] args)
    {
        var error = new StringWriter();
        var code = FlowApp.Run([.. args, "--datastore-root", _root], FlowApp.DefinitionOf<ShardFlow>(), TextWriter.Null, error);
        return (code, error.ToString());
    }

    // A run started as Argo's containers start one (in the production namespace of a token, if given), its Start task
    // run by the step command; then the task of Featurize for the first shard, with the options given. Its record.
    private async Task<(TaskRecord Record, string Error)> FeaturizeThroughTheStepCommandAsync(string runId, string? token = null, params string[] options)
    {
        var started = Step(["argo", "start", "--run-id", runId, .. token is null ? Array.Empty<string>() : ["--production-token", token]]);
        Assert.That(started.Code, Is.EqualTo(ExitCodes.Success), started.Error);
        var start = Step("step", "Start", "--run-id", runId, "--task-id", "1");
        Assert.That(start.Code, Is.EqualTo(ExitCodes.Success), start.Error);
        var (code, error) = Step(["step", "Featurize", "--run-id", runId, "--task-id", "2", "--input", $"{runId}/Start/1", "--foreach-index", "0", .. options]);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), error);
        return ((await Store.Metadata.GetTaskAsync("ShardFlow", runId, "Featurize", 2))!, error);
    }

    [Test]
    public async Task TheStepCommandClonesACachedTaskAsTheSchedulerDoes()
    {
        var (first, _) = await FeaturizeThroughTheStepCommandAsync("first");
        Assert.That(first.ClonedFrom, Is.Null);
        Assert.That(first.CacheKey, Is.Not.Null, "a task of a [Cache] step run by the step command records its key");

        var (second, error) = await FeaturizeThroughTheStepCommandAsync("second");
        Assert.That(error, Does.Contain("Task second/Featurize/2 cached from first/Featurize/2."));
        Assert.That(second.ClonedFrom, Is.EqualTo("first/Featurize/2"));
        Assert.That(second.CacheKey, Is.EqualTo(first.CacheKey));
        Assert.That(second.Position, Is.EqualTo("Featurize/"));
        Assert.That(second.Inputs, Is.EqualTo(new[] { "second/Start/1" }));
        Assert.That(second.StartedAt, Is.EqualTo(first.StartedAt), "the step did not run again: the record is the original's");
        Assert.That(second.Artifacts["Featured"].Key, Is.EqualTo(first.Artifacts["Featured"].Key));

        // The scheduler's key is the same: a local run (of the same user) clones the step command's task too.
        var local = await RunAsync(user: LocalScheduler.DefaultUser());
        var featurize = (await Store.Metadata.ListTasksAsync("ShardFlow", local.RunId)).Where(t => t.Step == "Featurize").ToList();
        Assert.That(featurize.Select(t => t.CacheKey), Does.Contain(first.CacheKey));
        Assert.That(featurize.Single(t => t.CacheKey == first.CacheKey).ClonedFrom, Is.EqualTo("first/Featurize/2"));
    }

    [Test]
    public async Task TheStepCommandLooksOnlyInTheRunsNamespaceAndNotAtAllWithNoCache()
    {
        await FeaturizeThroughTheStepCommandAsync("user-run");
        var (production, _) = await FeaturizeThroughTheStepCommandAsync("production-run", "tok1");
        Assert.That(production.ClonedFrom, Is.Null, "a deployment's run does not reuse a user's");
        var (again, _) = await FeaturizeThroughTheStepCommandAsync("production-again", "tok1");
        Assert.That(again.ClonedFrom, Is.EqualTo("production-run/Featurize/2"), "it reuses its own deployment's (namespace production:tok1)");
        var (other, _) = await FeaturizeThroughTheStepCommandAsync("other-deployment", "tok2");
        Assert.That(other.ClonedFrom, Is.Null);

        var (unCached, error) = await FeaturizeThroughTheStepCommandAsync("no-cache", null, "--no-cache");
        Assert.That(unCached.ClonedFrom, Is.Null);
        Assert.That(error, Does.Not.Contain("cached"));
        Assert.That(unCached.CacheKey, Is.EqualTo(production.CacheKey), "the key is still recorded");
    }

    [Test]
    public async Task ArgosStepCommandClonesACachedTaskAndWritesItsOutputs()
    {
        async Task<TaskRecord> FeaturizeAsync(string runId, params string[] options)
        {
            var started = Step("argo", "start", "--run-id", runId, "--production-token", "tok");
            Assert.That(started.Code, Is.EqualTo(ExitCodes.Success), started.Error);
            var start = Step("argo", "step", "Start", "--run-id", runId);
            Assert.That(start.Code, Is.EqualTo(ExitCodes.Success), start.Error);
            var outputs = Path.Combine(_root, "outputs-" + runId);
            var (code, error) = Step(["argo", "step", "Featurize", "--run-id", runId, "--path", "1", "--outputs", outputs, .. options]);
            Assert.That(code, Is.EqualTo(ExitCodes.Success), error);
            Assert.That(File.ReadAllText(Path.Combine(outputs, "next")), Is.EqualTo("Join"));
            return (await Store.Metadata.ListTasksAsync("ShardFlow", runId)).Single(t => t.Step == "Featurize");
        }

        var first = await FeaturizeAsync("argo-first");
        var second = await FeaturizeAsync("argo-second");
        Assert.That(first.ClonedFrom, Is.Null);
        Assert.That(second.ClonedFrom, Is.EqualTo(first.Pathspec));
        Assert.That(second.Position, Is.EqualTo(first.Position));
        Assert.That(second.Artifacts["Featured"].Key, Is.EqualTo(first.Artifacts["Featured"].Key));
        var third = await FeaturizeAsync("argo-third", "--no-cache");
        Assert.That(third.ClonedFrom, Is.Null);
        Assert.That(third.CacheKey, Is.EqualTo(first.CacheKey));
    }

    [TestCase("run", "--no-cache")]
    [TestCase("resume", "--no-cache")]
    public void NoCacheIsAnOptionOfRunAndResume(string command, string option)
    {
        var line = FlowApp.Parse(FlowApp.DefinitionOf<ShardFlow>(), [command, option]);
        Assert.That(line, Is.Not.Null);
        Assert.That(line!.NoCache, Is.True);
        Assert.That(FlowApp.Parse(FlowApp.DefinitionOf<ShardFlow>(), [command])!.NoCache, Is.False);
    }
}
