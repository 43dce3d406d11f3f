using System.Net;
using Flow.Cli;
using Flow.Datastore;
using Flow.Execution;
using Flow.Hosting;
using Flow.Tests.Cards;
using Flow.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using Browser = Flow.Tests.Infrastructure.Browser;
using WaitUntilNavigation = PuppeteerSharp.WaitUntilNavigation;

namespace Flow.Tests.Ui;

/// <summary>Cards in the UI: a task's page embeds its cards, and a running task's card is shown as it is refreshed.</summary>
public class UiCardTests
{
    private string _root = "";
    private WebApplication? _app;
    private HttpClient _http = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _root = Directory.CreateTempSubdirectory("flow-ui-cards-").FullName;
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddFlowUi(o =>
        {
            o.Datastore = FlowDatastore.Local(_root);
            o.Flows.Add(FlowApp.DefinitionOf<CardFlow>());
            o.Flows.Add(FlowApp.DefinitionOf<ProgressCardFlow>());
        });
        _app = builder.Build();
        _app.UseFlowUi();
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_app.Urls.Single()) };
    }

    [TearDown]
    public async Task StopAsync()
    {
        _http.Dispose();
        await _app!.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    private Task<RunResult> RunAsync(FlowDefinition flow) =>
        new LocalScheduler(flow, new RunOptions
        {
            User = "tester", Datastore = FlowDatastore.Local(_root), Log = TextWriter.Null, Output = TextWriter.Null, MaxWorkers = 1,
            Isolation = TaskIsolation.InProcess,
        }).RunAsync();

    [Test]
    public async Task ATasksPageEmbedsItsCardsEachServedAloneUnderAPolicyThatLoadsNothing()
    {
        var run = await RunAsync(FlowApp.DefinitionOf<CardFlow>());
        Assert.That(run.Succeeded, Is.True, run.Error?.ToString());

        using var card = await _http.GetAsync($"/runs/{run.RunId}/Start/1/cards/default");
        Assert.That(card.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(card.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
        Assert.That(card.Headers.GetValues("Content-Security-Policy").Single(), Is.EqualTo(UiPages.CardPolicy));
        Assert.That(await card.Content.ReadAsStringAsync(), Does.Contain("Model for shard-7"));
        Assert.That((await _http.GetAsync($"/runs/{run.RunId}/Start/1/cards/nothing")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await _http.GetAsync($"/runs/{run.RunId}/Start/1/cards/..%2Fx")).StatusCode, Is.AnyOf(HttpStatusCode.BadRequest, HttpStatusCode.NotFound));

        await using var browser = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync();
        await page.GoToAsync($"{_http.BaseAddress}runs/{run.RunId}/Start/1", WaitUntilNavigation.Load);
        var frameElement = await page.WaitForSelectorAsync("#cards iframe.card");
        var frame = await frameElement.ContentFrameAsync();
        await frame.WaitForSelectorAsync("svg");
        var text = await frame.EvaluateExpressionAsync<string>("document.body.innerText");
        Assert.That(text, Does.Contain("Model for shard-7").And.Contain("linear-model"));
        await Browser.ScreenshotAsync(page, "ui-task-with-card");

        // A task without a card says how to get one.
        var plain = await _http.GetStringAsync($"/runs/{run.RunId}/B/3");
        Assert.That(plain, Does.Contain("id=\"cards\"").And.Contain("No cards"));
    }

    [Test]
    public async Task ARunningTasksCardIsShownAsItIsRefreshed()
    {
        ProgressCardFlow.Proceed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = RunAsync(FlowApp.DefinitionOf<ProgressCardFlow>());
        try
        {
            var folder = Path.Combine(_root, "ProgressCardFlow");
            string? runId = null;
            for (var i = 0; i < 300 && runId is null; i++)
            {
                await Task.Delay(100);
                runId = Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "Start.1.0.default.html", SearchOption.AllDirectories).Select(f => Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(f)))).FirstOrDefault() : null;
            }

            Assert.That(runId, Is.Not.Null, "the running task stored its card");
            var runPage = await _http.GetStringAsync($"/runs/{runId}");
            Assert.That(runPage, Does.Contain("id=\"live-cards\"").And.Contain($"/runs/{runId}/Start/1"));

            await using var browser = await Browser.LaunchAsync();
            var page = await browser.NewPageAsync();
            await page.GoToAsync($"{_http.BaseAddress}runs/{runId}/Start/1", WaitUntilNavigation.Load);
            Assert.That(await page.EvaluateExpressionAsync<string>("document.getElementById('task-status').textContent"), Is.EqualTo("Running"));
            var frame = await (await page.WaitForSelectorAsync("#cards iframe.card")).ContentFrameAsync();
            await frame.WaitForFunctionAsync("() => document.body && document.body.innerText.includes('4 / 10 (40%)')", new PuppeteerSharp.WaitForFunctionOptions { Timeout = 30_000 });
            await Browser.ScreenshotAsync(page, "ui-running-task-card");
        }
        finally
        {
            ProgressCardFlow.Proceed.TrySetResult();
        }

        var result = await running;
        Assert.That(result.Succeeded, Is.True, result.Error?.ToString());
    }
}
