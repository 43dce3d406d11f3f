using Flow.Datastore;
using Flow.Tests.Infrastructure;
using NUnit.Framework;

namespace Flow.Tests.Ui;

/// <summary>The UI in a real (headless) browser: statuses, counts, the resume command, logs, and a running run's page updating itself.</summary>
[NonParallelizable]
public class UiBrowserTests
{
    private UiServer _ui = null!;
    private Browser _browser = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _browser = await Browser.LaunchAsync();
        _ui = await UiServer.StartAsync();
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _ui.DisposeAsync();
        await _browser.DisposeAsync();
    }

    private async Task<string> TextAsync(PuppeteerSharp.IPage page, string selector) =>
        await page.EvaluateFunctionAsync<string>("s => document.querySelector(s).textContent", selector);

    [Test]
    public async Task AFinishedRunShowsItsStepsCountsTimelineAndTaskLogs()
    {
        var result = await _ui.RunAsync(3, tags: ["nightly"]);
        Assert.That(result.Succeeded, Is.True, result.Error?.ToString());
        var page = await _browser.NewPageAsync();

        await page.GoToAsync(_ui.Url + "/");
        Assert.That(await TextAsync(page, $"tr[data-run='{result.RunId}'] .status"), Is.EqualTo("Succeeded"));
        Assert.That(await TextAsync(page, $"tr[data-run='{result.RunId}']"), Does.Contain("nightly").And.Contain("tester"));
        await Browser.ScreenshotAsync(page, "ui-runs");

        await page.GoToAsync($"{_ui.Url}/runs/{result.RunId}");
        Assert.That(await TextAsync(page, "#run-status"), Is.EqualTo("Succeeded"));
        Assert.That(await TextAsync(page, "#step-Work .done-count"), Is.EqualTo("3"));
        Assert.That(await TextAsync(page, "#step-Work .failed-count"), Is.EqualTo("0"));
        Assert.That(await page.EvaluateFunctionAsync<string[]>("() => [...document.querySelectorAll('.node')].map(n => n.dataset.state)"), Is.EqualTo(new[] { "done", "done", "done", "done" }));
        Assert.That(await page.EvaluateFunctionAsync<int>("() => document.querySelectorAll('#timeline rect.bar').length"), Is.EqualTo(6), "a bar per task");
        Assert.That(await TextAsync(page, "#parameters"), Does.Contain("Count").And.Contain("3"));
        var screenshot = await Browser.ScreenshotAsync(page, "ui-run");
        if (Environment.GetEnvironmentVariable("FLOW_UPDATE_DOC_IMAGES") == "1")
        {
            var images = Directory.CreateDirectory(Path.Combine(RepoPaths.Root, "docs", "images")).FullName;
            File.Copy(screenshot, Path.Combine(images, "ui-run.png"), overwrite: true);
        }

        // The task page, reached by the link in the timeline.
        await page.ClickAsync("#timeline a[href*='/Work/']");
        await page.WaitForSelectorAsync("#task-status");
        Assert.That(await TextAsync(page, "#task-status"), Is.EqualTo("Succeeded"));
        Assert.That(await TextAsync(page, "#stdout-0"), Does.Contain("working on"));
        Assert.That(await page.EvaluateFunctionAsync<string[]>("() => [...document.querySelectorAll('#artifacts tr')].map(r => r.textContent)"), Does.Contain("Xint1 B0").Or.Contain("Xint1 B1").Or.Contain("Xint1 B4"));
        Assert.That(await TextAsync(page, "#cards"), Does.Contain("No cards"));
        Assert.That(await TextAsync(page, "#attempts"), Is.EqualTo("1"));
        await Browser.ScreenshotAsync(page, "ui-task");
    }

    [Test]
    public async Task AFailedRunShowsTheFailedStepTheErrorAndTheResumeCommand()
    {
        var result = await _ui.RunAsync(3, failAt: 2);
        Assert.That(result.Succeeded, Is.False);
        var page = await _browser.NewPageAsync();
        await page.GoToAsync($"{_ui.Url}/runs/{result.RunId}");
        Assert.That(await TextAsync(page, "#run-status"), Is.EqualTo("Failed"));
        Assert.That(await page.EvaluateFunctionAsync<string>("() => document.getElementById('step-Work').dataset.state"), Is.EqualTo("failed"));
        Assert.That(await TextAsync(page, "#step-Work .failed-count"), Is.EqualTo("1"));
        Assert.That(await TextAsync(page, "#failures"), Does.Contain("InvalidOperationException").And.Contain("item 2 fails"));
        Assert.That(await TextAsync(page, "#resume-command"), Is.EqualTo($"dotnet run -- resume --origin-run-id {result.RunId}"));
        await Browser.ScreenshotAsync(page, "ui-failed-run");

        await page.GoToAsync(_ui.Url + "/?status=Failed");
        Assert.That(await TextAsync(page, $"tr[data-run='{result.RunId}'] .status"), Is.EqualTo("Failed"));
    }

    [Test]
    public async Task ARunningRunsPageUpdatesItselfWhenATaskFinishes()
    {
        // A run that is going, as its records say: Start gave Work two elements, one of which has finished.
        var store = _ui.Store.Metadata;
        var start = DateTimeOffset.UtcNow.AddSeconds(-10);
        await UiRecords.RunAsync(store, "UiFlow", "going1", RunStatus.Running, start);
        await store.PutTaskAsync(UiRecords.Task("UiFlow", "going1", "Start", 1, start, ["Work"], elements: 2));
        await store.PutTaskAsync(UiRecords.Task("UiFlow", "going1", "Work", 2, start.AddSeconds(1), ["Join"], index: 0));

        var page = await _browser.NewPageAsync();
        await page.GoToAsync($"{_ui.Url}/runs/going1");
        Assert.That(await TextAsync(page, "#run-status"), Is.EqualTo("Running"));
        Assert.That(await TextAsync(page, "#step-Work .done-count"), Is.EqualTo("1"));
        Assert.That(await TextAsync(page, "#step-Work .running-count"), Is.EqualTo("1"));
        Assert.That(await page.EvaluateFunctionAsync<string>("() => document.getElementById('step-Join').dataset.state"), Is.EqualTo("pending"));
        await Browser.ScreenshotAsync(page, "ui-running-run");

        // The second Work task finishes: without a reload, the page shows it done and the join running.
        await page.EvaluateExpressionAsync("window.notReloaded = true");
        await store.PutTaskAsync(UiRecords.Task("UiFlow", "going1", "Work", 3, start.AddSeconds(2), ["Join"], index: 1));
        await page.WaitForFunctionAsync("() => document.querySelector('#step-Work .done-count').textContent === '2'", new PuppeteerSharp.WaitForFunctionOptions { Timeout = 10_000 });
        Assert.That(await TextAsync(page, "#step-Work .running-count"), Is.EqualTo("0"));
        Assert.That(await page.EvaluateFunctionAsync<string>("() => document.getElementById('step-Join').dataset.state"), Is.EqualTo("running"));
        Assert.That(await page.EvaluateExpressionAsync<bool>("window.notReloaded === true"), Is.True, "updated in place");
        await Browser.ScreenshotAsync(page, "ui-running-run-updated");

        // The run ends: the page reloads itself once and shows it finished.
        var run = await store.GetRunAsync("UiFlow", "going1");
        await store.UpdateRunAsync(run! with { Status = RunStatus.Succeeded, FinishedAt = DateTimeOffset.UtcNow });
        await page.WaitForFunctionAsync("() => document.getElementById('run-status').textContent === 'Succeeded' && !document.getElementById('live')", new PuppeteerSharp.WaitForFunctionOptions { Timeout = 10_000 });
    }

    [Test]
    public async Task ARealRunInProgressIsFollowedUntilItEnds()
    {
        // A run of UiWaitFlow in this process: its second Work task waits for the gate file.
        var gate = Path.Combine(_ui.Root, "gate");
        string? runId = null;
        var options = new Flow.Execution.RunOptions
        {
            User = "tester", Datastore = _ui.Store, Log = TextWriter.Null, Output = TextWriter.Null, MaxWorkers = 2,
            Isolation = Flow.Execution.TaskIsolation.InProcess, RunCreated = r => runId = r.RunId,
        };
        var running = Task.Run(() => new Flow.Execution.LocalScheduler(Flow.Cli.FlowApp.DefinitionOf<UiWaitFlow>(), options)
            .RunAsync(new Dictionary<string, string> { ["Gate"] = gate }));
        try
        {
            // Until the first Work task is recorded.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (runId is null || (await _ui.Store.Metadata.ListTasksAsync("UiWaitFlow", runId)).Count(t => t.Step == "Work") < 1)
            {
                Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the run did not get going");
                Assert.That(running.IsCompleted, Is.False, "the run ended early");
                await Task.Delay(50);
            }

            var page = await _browser.NewPageAsync();
            await page.GoToAsync($"{_ui.Url}/runs/{runId}");
            Assert.That(await TextAsync(page, "#run-status"), Is.EqualTo("Running"));
            Assert.That(await TextAsync(page, "#step-Work .done-count"), Is.EqualTo("1"));
            Assert.That(await TextAsync(page, "#step-Work .running-count"), Is.EqualTo("1"));
            Assert.That(await page.EvaluateFunctionAsync<string>("() => document.getElementById('step-Work').dataset.state"), Is.EqualTo("running"));

            // The gate opens: the waiting task finishes, then the join and the end; the page follows by itself.
            File.WriteAllText(gate, "");
            var result = await running;
            Assert.That(result.Succeeded, Is.True, result.Error?.ToString());
            await page.WaitForFunctionAsync("() => document.getElementById('run-status').textContent === 'Succeeded' && !document.getElementById('live')", new PuppeteerSharp.WaitForFunctionOptions { Timeout = 15_000 });
            Assert.That(await TextAsync(page, "#step-Work .done-count"), Is.EqualTo("2"));
            Assert.That(await page.EvaluateFunctionAsync<string[]>("() => [...document.querySelectorAll('.node')].map(n => n.dataset.state)"), Is.EqualTo(new[] { "done", "done", "done", "done" }));
            await Browser.ScreenshotAsync(page, "ui-real-run-finished");
        }
        finally
        {
            File.WriteAllText(gate, "");
            await running;
        }
    }
}
