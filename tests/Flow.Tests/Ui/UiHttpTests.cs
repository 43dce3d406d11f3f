using System.Net;
using Flow.Datastore;
using NUnit.Framework;

namespace Flow.Tests.Ui;

/// <summary>The UI's pages over plain HTTP: what they list, 404s and refused ids, escaping.</summary>
public class UiHttpTests
{
    private UiServer _ui = null!;

    [SetUp]
    public async Task StartAsync() => _ui = await UiServer.StartAsync();

    [TearDown]
    public async Task StopAsync() => await _ui.DisposeAsync();

    [Test]
    public async Task UnknownRunsAndTasksAre404WithAPageThatSaysSo()
    {
        var result = await _ui.RunAsync(2);
        var run = await _ui.Http.GetAsync("/runs/nosuchrun");
        Assert.That(run.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await run.Content.ReadAsStringAsync(), Does.Contain("No flow has a run nosuchrun"));
        Assert.That(run.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));

        var task = await _ui.Http.GetAsync($"/runs/{result.RunId}/Work/999");
        Assert.That(task.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await task.Content.ReadAsStringAsync(), Does.Contain($"has no recorded task Work/999"));

        var step = await _ui.Http.GetAsync($"/runs/{result.RunId}/NoStep/1");
        Assert.That(step.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await _ui.Http.GetAsync("/runs/nosuchrun/status.json")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [TestCase("/runs/..%2F..%2Fetc")]
    [TestCase("/runs/.hidden")]
    [TestCase("/runs/a%5Cb")]
    [TestCase("/runs/abc/..%2Fx/1")]
    [TestCase("/runs/abc/Work/..")]
    [TestCase("/runs/abc?flow=..%2Fx")]
    [TestCase("/?flow=..%2Fx")]
    public async Task PathLikeIdsAreRefused(string path)
    {
        var response = await _ui.Http.GetAsync(path);
        Assert.That((int)response.StatusCode, Is.EqualTo(400).Or.EqualTo(404), path);
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            Assert.That(body, Does.Contain("is not a"));
        }
    }

    [Test]
    public async Task BadFiltersAreRefusedWithAClearMessage()
    {
        var status = await _ui.Http.GetAsync("/?status=Done");
        Assert.That(status.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await status.Content.ReadAsStringAsync(), Does.Contain("use Running, Succeeded or Failed"));
        var page = await _ui.Http.GetAsync("/?page=0");
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task TagsLogsAndIdsAreHtmlEscaped()
    {
        // Tags written into the record by another tool are user data like any other.
        var result = await _ui.RunAsync(1);
        var record = await _ui.Store.Metadata.GetRunAsync("UiFlow", result.RunId);
        await _ui.Store.Metadata.UpdateRunAsync(record! with { Tags = ["<script>alert(1)</script>"] });
        var runs = await _ui.Http.GetStringAsync("/");
        Assert.That(runs, Does.Not.Contain("<script>alert(1)"));
        Assert.That(runs, Does.Contain("&lt;script&gt;alert(1)&lt;/script&gt;"));
        var run = await _ui.Http.GetStringAsync($"/runs/{result.RunId}");
        Assert.That(run, Does.Not.Contain("<script>alert(1)"));
        Assert.That(run, Does.Contain("&lt;script&gt;alert(1)&lt;/script&gt;"));

        // The start step prints HTML; the task page shows it as text.
        var start = await _ui.Http.GetStringAsync($"/runs/{result.RunId}/Start/1");
        Assert.That(start, Does.Contain("starting &lt;b&gt;bold&lt;/b&gt;").And.Not.Contain("<b>bold</b>"));

        // So is an artifact's value.
        var task = UiRecords.Task("UiFlow", result.RunId, "Work", 99, DateTimeOffset.UtcNow, []) with
        {
            Artifacts = new Dictionary<string, ArtifactRef> { ["Html"] = new(new string('c', 64), "string", 30) { Inline = MessagePack.MessagePackSerializer.Serialize("<img src=x onerror=alert(1)>") } },
        };
        await _ui.Store.Metadata.PutTaskAsync(task);
        var response = await _ui.Http.GetAsync($"/runs/{result.RunId}/Work/99");
        Assert.That(response.Headers.GetValues("Content-Security-Policy").Single(), Does.StartWith("default-src 'none'"), "nothing from elsewhere");
        Assert.That(response.Headers.GetValues("X-Content-Type-Options").Single(), Is.EqualTo("nosniff"));
        var work = await response.Content.ReadAsStringAsync();
        Assert.That(work, Does.Contain("&lt;img src=x onerror=alert(1)&gt;").And.Not.Contain("<img src=x"));
    }

    [Test]
    public async Task TheRunsPageListsFiltersAndPages()
    {
        var store = _ui.Store.Metadata;
        var start = DateTimeOffset.UtcNow.AddHours(-2);
        for (var i = 0; i < 120; i++)
        {
            await UiRecords.RunAsync(store, "UiFlow", $"r{i:000}", i % 3 == 0 ? RunStatus.Failed : RunStatus.Succeeded, start.AddMinutes(i), i % 2 == 0 ? ["even"] : []);
        }

        await UiRecords.RunAsync(store, "OtherFlow", "other1", RunStatus.Succeeded, start);
        var first = await _ui.Http.GetStringAsync("/");
        Assert.That(first, Does.Contain("120 runs"));
        Assert.That(first, Does.Contain("/runs/r119\"").And.Contain("/runs/r070\"").And.Not.Contain("/runs/r069\""), "newest first, 50 a page");
        Assert.That(first, Does.Contain("page 1 of 3"));
        var third = await _ui.Http.GetStringAsync("/?page=3");
        Assert.That(third, Does.Contain("/runs/r000\"").And.Not.Contain("/runs/r020\""));
        Assert.That(await _ui.Http.GetStringAsync("/?tag=even&status=Failed"), Does.Contain("20 runs"));
        Assert.That(await _ui.Http.GetStringAsync("/?namespace=user:tester"), Does.Contain("120 runs"));
        Assert.That(await _ui.Http.GetStringAsync("/?namespace=user:someone"), Does.Contain("0 runs"));
        var every = await _ui.Http.GetStringAsync("/?flow=*");
        Assert.That(every, Does.Contain("121 runs"));
        Assert.That(await _ui.Http.GetStringAsync("/?flow=OtherFlow"), Does.Contain("1 run<").And.Contain("/runs/other1\""));

        // A run of another flow is found by its id alone.
        Assert.That(await _ui.Http.GetStringAsync("/runs/other1"), Does.Contain("OtherFlow"));
        Assert.That(await _ui.Store.Metadata.ListFlowsAsync(), Is.EqualTo(new[] { "OtherFlow", "UiFlow" }));
    }

    [Test]
    public async Task TheRunPageOfAFailedRunShowsTheErrorAndTheResumeCommand()
    {
        var result = await _ui.RunAsync(3, failAt: 1);
        Assert.That(result.Succeeded, Is.False);
        var page = await _ui.Http.GetStringAsync($"/runs/{result.RunId}");
        Assert.That(page, Does.Contain("item 1 fails"));
        Assert.That(page, Does.Contain($"dotnet run -- resume --origin-run-id {result.RunId}"));
        var status = await _ui.Http.GetStringAsync($"/runs/{result.RunId}/status.json");
        Assert.That(status, Does.Contain("\"status\":\"Failed\""));
    }
}
