using Flow.Cli;
using Flow.Client;
using Flow.Datastore;
using Flow.Execution;
using Flow.Tests.Runtime;
using NUnit.Framework;

namespace Flow.Tests.Client;

public class ClientTests
{
    private string _root = "";
    private FlowDatastore _store = null!;

    [SetUp]
    public void CreateDatastore()
    {
        _root = Directory.CreateTempSubdirectory("flow-test-").FullName;
        _store = FlowDatastore.Local(_root);
    }

    [TearDown]
    public void DeleteDatastore() => Directory.Delete(_root, recursive: true);

    private async Task<string> RunAsync(string user, params string[] tags)
    {
        var options = new RunOptions { User = user, Tags = tags, Datastore = _store, Log = TextWriter.Null, Output = TextWriter.Null, MaxWorkers = 1 };
        var result = await new LocalScheduler(FlowApp.DefinitionOf<HelloFlow>(), options).RunAsync();
        Assert.That(result.Succeeded, Is.True, result.Error?.ToString());
        return result.RunId;
    }

    [Test]
    public async Task NamespacesShowEachUsersLatestRunAndTheGlobalOneTheNewest()
    {
        var savin = await RunAsync("savin", "experiment:a");
        var ville = await RunAsync("ville", "experiment:b");
        var client = new FlowClient(_store) { Namespace = "user:savin" };

        var run = (await client.Flow<HelloFlow>().LatestAsync())!;
        Assert.That(run.Id, Is.EqualTo(savin));
        Assert.That(run.Tags, Is.EqualTo(new[] { "experiment:a" }));
        Assert.That(run.SystemTags, Does.Contain("user:savin"));

        client.Namespace = "user:ville";
        run = (await client.Flow<HelloFlow>().LatestAsync())!;
        Assert.That(run.Id, Is.EqualTo(ville));
        Assert.That(run.Tags, Is.EqualTo(new[] { "experiment:b" }));

        client.Namespace = null;
        Assert.That((await client.Flow<HelloFlow>().LatestAsync())!.Id, Is.EqualTo(ville));
        Assert.That((await client.Flow<HelloFlow>().ListAsync()).Select(r => r.Id), Is.EqualTo(new[] { ville, savin }));
    }

    [Test]
    public async Task ArtifactsAreTypedThroughTheGeneratedDefinition()
    {
        await RunAsync("savin");
        var client = new FlowClient(_store) { Namespace = "user:savin" };
        var run = (await client.Flow<HelloFlow>().LatestSuccessfulAsync())!;
        HelloFlow data = await run.DataAsync();
        Assert.That(data.Message, Is.EqualTo("hello from savin"));
        Assert.That(data.Numbers, Has.Count.EqualTo(30));
        Assert.That(await run.ArtifactAsync<string>("Message"), Is.EqualTo("hello from savin"));
        var start = (await run.StepAsync("Start")).Single();
        Assert.That(start.Artifacts["Numbers"].Type, Is.EqualTo("System.Collections.Generic.List<int>"));
        Assert.That(await start.StdoutAsync(), Is.EqualTo("hello from savin\n"));
        Assert.That(await start.StderrAsync(), Is.EqualTo("a warning\n"));
    }

    [Test]
    public async Task ARunOutsideTheNamespaceIsAClearError()
    {
        var id = await RunAsync("savin");
        var client = new FlowClient(_store) { Namespace = "user:ville" };
        var e = Assert.ThrowsAsync<FlowException>(() => client.Flow<HelloFlow>().GetAsync(id));
        Assert.That(e!.Message, Does.Contain("is not in namespace 'user:ville'"));
        Assert.That(await client.Flow<HelloFlow>().LatestAsync(), Is.Null);
    }

    [TestCase("../..")]
    [TestCase("a/b")]
    [TestCase("")]
    public void PathLikeRunIdsAreRejected(string id)
    {
        var client = new FlowClient(_store) { Namespace = null };
        Assert.That(() => client.Flow<HelloFlow>().GetAsync(id), Throws.TypeOf<FlowException>().With.Message.Contains("not a valid run id"));
    }

    [Test]
    public async Task TagsCanBeAddedRemovedAndReplacedButNotSystemTags()
    {
        var id = await RunAsync("savin", "one");
        var client = new FlowClient(_store) { Namespace = null };
        var run = await client.Flow<HelloFlow>().GetAsync(id);
        await run.AddTagsAsync(["two", "three"]);
        await run.RemoveTagsAsync(["one"]);
        await run.ReplaceTagAsync("two", "deux");
        Assert.That((await client.Flow<HelloFlow>().GetAsync(id)).Tags, Is.EqualTo(new[] { "deux", "three" }));
        Assert.That(() => run.RemoveTagsAsync(["user:savin"]), Throws.TypeOf<FlowException>().With.Message.Contains("system tags"));
        Assert.That(() => run.AddTagsAsync(["production:x"]), Throws.TypeOf<FlowException>());
        Assert.That(await client.Flow<HelloFlow>().TaggedAsync("three"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task ListingRunsReadsNoArtifacts()
    {
        await RunAsync("savin");
        if (Directory.Exists(Path.Combine(_root, "blobs")))
        {
            Directory.Delete(Path.Combine(_root, "blobs"), recursive: true);
        }

        var client = new FlowClient(FlowDatastore.Local(_root)) { Namespace = null };
        var run = (await client.Flow("HelloFlow").LatestAsync())!;
        Assert.That(run.Succeeded, Is.True);
        Assert.That((await run.TasksAsync()).Select(t => t.Step), Is.EqualTo(new[] { "Start", "End" }));

        // A small value is kept in its task's record, so it is there without the blobs.
        Assert.That(await run.ArtifactAsync<string>("Message"), Does.EndWith("from savin"));
    }
}
