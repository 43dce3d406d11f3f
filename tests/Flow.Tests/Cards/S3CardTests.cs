using Flow.Cli;
using Flow.Client;
using Flow.Execution;
using Flow.Tests.Cards;
using NUnit.Framework;

// In the S3 tests' namespace, for their loopback S3 server (MotoServer).
namespace Flow.Tests.S3;

/// <summary>Cards in the S3 datastore: stored at the layout's keys, listed with their sizes, read back.</summary>
public class S3CardTests
{
    private static MotoServer Moto => MotoServer.Current;

    [Test]
    public async Task CardsAreStoredListedAndReadOnS3()
    {
        var store = Moto.NewDatastore(out var root);
        var result = await new LocalScheduler(FlowApp.DefinitionOf<CardFlow>(), new RunOptions { MaxWorkers = 2, Log = TextWriter.Null, Output = TextWriter.Null, Datastore = store, WithCard = true }).RunAsync();
        Assert.That(result.Succeeded, Is.True);

        var keys = (await S3DatastoreTests.KeysAsync(root)).Where(k => k.Contains("/cards/", StringComparison.Ordinal)).Order().ToList();
        Assert.That(keys, Is.EqualTo(new[]
        {
            $"CardFlow/{result.RunId}/cards/A.2.0.default.html",
            $"CardFlow/{result.RunId}/cards/A.2.0.details.html",
            $"CardFlow/{result.RunId}/cards/B.3.0.default.html",
            $"CardFlow/{result.RunId}/cards/End.5.0.default.html",
            $"CardFlow/{result.RunId}/cards/Join.4.0.default.html",
            $"CardFlow/{result.RunId}/cards/Start.1.0.default.html",
        }));

        var listed = await store.Metadata.ListCardsAsync("CardFlow", result.RunId);
        var stored = await S3DatastoreTests.ReadAsync(root, $"CardFlow/{result.RunId}/cards/Start.1.0.default.html");
        Assert.That(listed.Single(c => c.Step == "Start").Size, Is.EqualTo(System.Text.Encoding.UTF8.GetByteCount(stored)));

        var run = await new FlowClient(Moto.Open(root)) { Namespace = null }.Flow("CardFlow").GetAsync(result.RunId);
        var start = (await run.StepAsync("Start")).Single();
        Assert.That(await start.CardAsync(), Is.EqualTo(stored).And.Contain("Model for shard-7"));
        var a = (await run.StepAsync("A")).Single();
        Assert.That((await a.CardsAsync()).Select(c => c.Id), Is.EqualTo(new[] { "default", "details" }));
        Assert.That(await store.Metadata.GetCardAsync("CardFlow", result.RunId, "A", 2, 0, "missing"), Is.Null);
    }
}
