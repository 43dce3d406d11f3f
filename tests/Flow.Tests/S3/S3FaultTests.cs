using Flow.Cli;
using Flow.Client;
using Flow.Datastore;
using Flow.Execution;
using NUnit.Framework;

namespace Flow.Tests.S3;

/// <summary>The S3 server going away mid-run, and where credentials must never show.</summary>
public class S3FaultTests
{
    private static MotoServer Moto => MotoServer.Current;

    [TearDown]
    public void ClearHook() => OutageFlow.MidRun = null;

    [Test]
    public async Task TheServerGoingAwayMidRunIsAClearErrorAndResumeWorksOnceItIsBack()
    {
        using var proxy = new LoopbackProxy(Moto.Port);
        var root = $"s3://{MotoServer.Bucket}/outage-{Guid.NewGuid():N}";
        var log = new StringWriter();
        OutageFlow.MidRun = proxy.Stop;
        var options = new RunOptions { MaxWorkers = 1, Log = log, Output = log, Datastore = Moto.Open(root, proxy.Endpoint), User = "savin" };

        var e = Assert.ThrowsAsync<FlowException>(() => new LocalScheduler(FlowApp.DefinitionOf<OutageFlow>(), options).RunAsync());
        var message = e!.Message;
        Assert.That(message, Does.Contain($"{root}/OutageFlow/"), "the error names the object it could not write");
        Assert.That(message, Does.StartWith("Cannot write"), "the error names the operation");
        Assert.That(message, Does.Contain(proxy.Endpoint).And.Contain("did not answer"), "the error names the endpoint");
        AssertNoCredentials(message + log);

        OutageFlow.MidRun = null;
        proxy.Start();
        var origin = (await new FlowClient(Moto.Open(root, proxy.Endpoint)) { Namespace = null }.Flow("OutageFlow").LatestAsync())!;
        var resumed = await new LocalScheduler(FlowApp.DefinitionOf<OutageFlow>(), options with { Log = TextWriter.Null, Output = TextWriter.Null })
            .ResumeAsync(origin.Id);
        Assert.That(resumed.Succeeded, Is.True, resumed.Error?.ToString());
        Assert.That(resumed.Artifact<string>("Out"), Is.EqualTo("ABC"));
        Assert.That(resumed.ClonedCount, Is.EqualTo(2), "Start and the child of 'a' finished before the outage");

        foreach (var key in await S3DatastoreTests.KeysAsync(root))
        {
            if (!key.StartsWith("blobs/", StringComparison.Ordinal))
            {
                AssertNoCredentials(await S3DatastoreTests.ReadAsync(root, key), key);
            }
        }
    }

    [Test]
    public void AnEndpointThatIsDownIsAClearErrorBeforeAnythingRuns()
    {
        var store = Moto.Open($"s3://{MotoServer.Bucket}/down", $"http://127.0.0.1:{MotoServer.FreePort()}");
        var options = new RunOptions { Log = TextWriter.Null, Output = TextWriter.Null, Datastore = store };
        var e = Assert.ThrowsAsync<FlowException>(() => new LocalScheduler(FlowApp.DefinitionOf<OutageFlow>(), options).RunAsync());
        Assert.That(e!.Message, Does.Contain($"s3://{MotoServer.Bucket}/down/OutageFlow/").And.Contain("did not answer"));
        AssertNoCredentials(e.Message);
    }

    private static void AssertNoCredentials(string text, string? where = null)
    {
        Assert.That(text, Does.Not.Contain(MotoServer.AccessKey), where);
        Assert.That(text, Does.Not.Contain(MotoServer.SecretKey), where);
    }
}
