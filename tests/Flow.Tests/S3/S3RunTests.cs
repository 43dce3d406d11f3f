using Flow.Cli;
using Flow.Client;
using Flow.Datastore;
using Flow.Execution;
using Flow.Tests.Runtime;
using NUnit.Framework;

namespace Flow.Tests.S3;

/// <summary>Flows run in this process against the S3 datastore, and read back through a datastore opened afresh.</summary>
public class S3RunTests
{
    private static MotoServer Moto => MotoServer.Current;

    private static Task<RunResult> RunAsync<TFlow>(FlowDatastore store, string user = "savin", params string[] tags)
        where TFlow : FlowSpec, IFlowDefinitionProvider<TFlow> =>
        new LocalScheduler(FlowApp.DefinitionOf<TFlow>(), Options(store) with { User = user, Tags = tags }).RunAsync();

    private static RunOptions Options(FlowDatastore store) => new() { MaxWorkers = 2, Log = TextWriter.Null, Output = TextWriter.Null, Datastore = store };

    [Test]
    public async Task NestedForeachRunsOnS3AndResumesFromAJoin()
    {
        var store = Moto.NewDatastore(out var root);
        var first = await RunAsync<NestedForeachFlow>(store);
        Assert.That(first.Succeeded, Is.True, first.Error?.ToString());
        var cells = new[] { "r1a@0", "r1b@1", "r2a@0", "r2b@1", "r3a@0", "r3b@1" };
        Assert.That(first.Artifact<List<string>>("Cells"), Is.EqualTo(cells));

        var resumed = await new LocalScheduler(FlowApp.DefinitionOf<NestedForeachFlow>(), Options(Moto.Open(root)))
            .ResumeAsync(first.RunId, "JoinColumns");
        Assert.That(resumed.Succeeded, Is.True, resumed.Error?.ToString());
        Assert.That(resumed.ClonedCount, Is.EqualTo(1 + 3 + 6));
        Assert.That(resumed.Artifact<List<string>>("Cells"), Is.EqualTo(cells));

        var run = await new FlowClient(Moto.Open(root)) { Namespace = null }.Flow("NestedForeachFlow").GetAsync(resumed.RunId);
        Assert.That(run.OriginRunId, Is.EqualTo(first.RunId));
        Assert.That((await run.StepAsync("Column")).Select(t => t.ClonedFrom), Has.All.StartWith(first.RunId + "/Column/"));
    }

    [Test]
    public async Task TheClientReadsRunsArtifactsLogsAndTagsFromS3()
    {
        var store = Moto.NewDatastore(out var root);
        var savin = (await RunAsync<HelloFlow>(store, "savin", "experiment:a")).RunId;
        var ville = (await RunAsync<HelloFlow>(store, "ville")).RunId;

        var client = new FlowClient(Moto.Open(root)) { Namespace = "user:savin" };
        var run = (await client.Flow<HelloFlow>().LatestSuccessfulAsync())!;
        Assert.That(run.Id, Is.EqualTo(savin));
        Assert.That(run.Tags, Is.EqualTo(new[] { "experiment:a" }));
        HelloFlow data = await run.DataAsync();
        Assert.That(data.Message, Is.EqualTo("hello from savin"));
        Assert.That(data.Numbers, Has.Count.EqualTo(30));
        var start = (await run.StepAsync("Start")).Single();
        Assert.That(await start.StdoutAsync(), Is.EqualTo("hello from savin\n"));
        Assert.That(await start.StderrAsync(), Is.EqualTo("a warning\n"));

        await run.AddTagsAsync(["two"]);
        await run.ReplaceTagAsync("experiment:a", "experiment:b");
        client.Namespace = null;
        Assert.That((await client.Flow<HelloFlow>().GetAsync(savin)).Tags, Is.EqualTo(new[] { "experiment:b", "two" }));
        Assert.That((await client.Flow<HelloFlow>().TaggedAsync("two")).Select(r => r.Id), Is.EqualTo(new[] { savin }));
        Assert.That((await client.Flow<HelloFlow>().ListAsync()).Select(r => r.Id), Is.EqualTo(new[] { ville, savin }));
    }

    [Test]
    public async Task AFailedTaskIsRecordedOnS3()
    {
        var store = Moto.NewDatastore(out var root);
        var result = await RunAsync<FailingFlow>(store);
        Assert.That(result.Succeeded, Is.False);
        var run = await new FlowClient(Moto.Open(root)) { Namespace = null }.Flow("FailingFlow").GetAsync(result.RunId);
        Assert.That(run.Status, Is.EqualTo(RunStatus.Failed));
        Assert.That(run.FailedTask, Does.Contain("/Boom/"));
        Assert.That((await run.StepAsync("Boom")).Single().Error!.Message, Does.Contain("the boom step failed"));
    }
}
