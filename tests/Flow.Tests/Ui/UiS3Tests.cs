using Flow.Datastore;
using Flow.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using Flow.Tests.Ui;

// In the S3 tests' namespace, for their loopback S3 server.
namespace Flow.Tests.S3;

/// <summary>The UI over an S3 datastore: its flows are the root's common prefixes, under a prefix or at a bucket's root.</summary>
public class UiS3Tests
{
    private static MotoServer Moto => MotoServer.Current;

    private static async Task WriteAsync(IMetadataStore store)
    {
        var start = DateTimeOffset.UtcNow.AddMinutes(-5);
        await UiRecords.RunAsync(store, "UiFlow", "s3run1", RunStatus.Succeeded, start, ["<b>x</b>"]);
        await store.PutTaskAsync(UiRecords.Task("UiFlow", "s3run1", "Start", 1, start, ["Work"], elements: 1));
        await UiRecords.RunAsync(store, "Other.Flow", "s3run2", RunStatus.Failed, start);
    }

    [Test]
    public async Task FlowsAreListedUnderAPrefix()
    {
        var store = Moto.NewDatastore(out _);
        Assert.That(await store.Metadata.ListFlowsAsync(), Is.Empty);
        await WriteAsync(store.Metadata);
        await store.PutAsync(Flow.Serialization.FlowSerializer.Serialize(Enumerable.Range(0, 500).ToList()), "List<int>");
        Assert.That(await store.Metadata.ListFlowsAsync(), Is.EqualTo(new[] { "Other.Flow", "UiFlow" }), "the blobs' folder is not a flow");
    }

    [Test]
    public async Task TaskVersionsAreListedAndChangeWhenARecordIsWrittenAgain()
    {
        var store = Moto.NewDatastore(out _);
        await WriteAsync(store.Metadata);
        var listing = (ITaskRecordVersions)store.Metadata;
        Assert.That(await listing.ListTaskVersionsAsync("UiFlow", "none"), Is.Empty);
        var start = DateTimeOffset.UtcNow;
        await store.Metadata.PutTaskAsync(UiRecords.Task("UiFlow", "s3run1", "Work", 2, start, ["Join"]));
        var first = await listing.ListTaskVersionsAsync("UiFlow", "s3run1");
        Assert.That(first.Select(v => (v.Step, v.TaskId)), Is.EquivalentTo(new[] { ("Start", 1L), ("Work", 2L) }));

        await store.Metadata.PutTaskAsync(UiRecords.Task("UiFlow", "s3run1", "Work", 2, start, []) with { Status = RunStatus.Failed });
        var second = await listing.ListTaskVersionsAsync("UiFlow", "s3run1");
        Assert.That(second.Single(v => v.Step == "Work").Version, Is.Not.EqualTo(first.Single(v => v.Step == "Work").Version));
        Assert.That(second.Single(v => v.Step == "Start").Version, Is.EqualTo(first.Single(v => v.Step == "Start").Version));
    }

    [Test]
    public async Task FlowsAreListedAtABucketsRootAndTheUiShowsTheirRuns()
    {
        const string Bucket = "flow-ui-root";
        using (var client = Moto.Client())
        {
            await client.PutBucketAsync(Bucket);
        }

        var store = Moto.Open($"s3://{Bucket}");
        await WriteAsync(store.Metadata);
        Assert.That(await store.Metadata.ListFlowsAsync(), Is.EqualTo(new[] { "Other.Flow", "UiFlow" }));

        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddFlowUi(o => o.Datastore = store);
        await using var app = builder.Build();
        app.UseFlowUi();
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
        var runs = await http.GetStringAsync("/");
        Assert.That(runs, Does.Contain("Runs of every flow").And.Contain("2 runs").And.Contain("&lt;b&gt;x&lt;/b&gt;"));
        Assert.That(await http.GetStringAsync("/runs/s3run2"), Does.Contain("Other.Flow").And.Contain("resume --origin-run-id s3run2"));
        Assert.That(await http.GetStringAsync("/runs/s3run1/status.json"), Does.Contain("\"name\":\"Start\"").And.Contain("\"tasks\":1,"));

        // A record written after the finished run was shown is shown too.
        await store.Metadata.PutTaskAsync(UiRecords.Task("UiFlow", "s3run1", "Work", 2, DateTimeOffset.UtcNow, ["Join"]));
        Assert.That(await http.GetStringAsync("/runs/s3run1/status.json"), Does.Contain("\"tasks\":2,"));
    }
}
