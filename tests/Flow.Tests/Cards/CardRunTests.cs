using Flow.Cli;
using Flow.Client;
using Flow.Datastore;
using Flow.Execution;
using NUnit.Framework;

namespace Flow.Tests.Cards;

/// <summary>Cards of real runs: stored with each task, read through the client and the card command.</summary>
public class CardRunTests
{
    private string _root = "";
    private string _runId = "";

    [OneTimeSetUp]
    public void RunCardFlow()
    {
        _root = Directory.CreateTempSubdirectory("flow-cards-").FullName;
        var idFile = Path.Combine(_root, "run-id");
        var (code, _, error) = Run<CardFlow>("run", "--isolation", "InProcess", "--tag", "nightly", "--run-id-file", idFile, "--epochs", "5");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), error);
        _runId = File.ReadAllText(idFile).Trim();
    }

    [OneTimeTearDown]
    public void DeleteDatastore() => Directory.Delete(_root, recursive: true);

    private (int Code, string Output, string Error) Run<TFlow>(params string[] args)
        where TFlow : FlowSpec, IFlowDefinitionProvider<TFlow>
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = FlowApp.Run([.. args, "--datastore-root", _root], FlowApp.DefinitionOf<TFlow>(), output, error);
        return (code, output.ToString(), error.ToString());
    }

    private async Task<TaskView> TaskAsync(string step, string? runId = null, string flow = "CardFlow")
    {
        var run = await new FlowClient(FlowDatastore.Local(_root)).Flow(flow).GetAsync(runId ?? _runId);
        return (await run.StepAsync(step)).Single();
    }

    [Test]
    public void EachCardIsOneFileAtItsLayoutKey()
    {
        var files = Directory.GetFiles(Path.Combine(_root, "CardFlow", _runId, "cards")).Select(Path.GetFileName).Order().ToList();
        Assert.That(files, Is.EqualTo(new[] { "A.2.0.details.html", "Join.4.0.default.html", "Start.1.0.default.html" }));
    }

    [Test]
    public async Task TheDefaultCardShowsTheTaskTheGraphTheArtifactsParametersAndComponents()
    {
        var html = await (await TaskAsync("Start")).CardAsync();

        Assert.That(html, Does.StartWith("<!DOCTYPE html>"));
        Assert.That(html, Does.Contain($"<dd data-field=\"run\">{_runId}</dd>").And.Contain("<dd data-field=\"status\">Succeeded</dd>"));
        Assert.That(html, Does.Contain("nightly").And.Contain("<dd data-field=\"attempt\">0</dd>"));
        Assert.That(html, Does.Contain("<div class=\"step current\" data-step=\"Start\""), "this step highlighted");
        Assert.That(html, Does.Contain("data-step=\"Join\""));
        Assert.That(html, Does.Contain("<tr data-artifact=\"Model\"><td>Model</td><td><code>string</code>").And.Contain("&quot;linear-model&quot;"));
        Assert.That(html, Does.Contain("<section id=\"parameters\">").And.Contain("data-artifact=\"Epochs\""));
        Assert.That(html, Does.Contain("<h1 id=\"model-for-shard-7\">Model for shard-7</h1>"));
        foreach (var kind in new[] { "line", "bar", "scatter", "histogram" })
        {
            Assert.That(html, Does.Contain($"class=\"chart-{kind}\""));
        }

        Assert.That(html, Does.Contain("data:image/png;base64,").And.Contain("5 / 5 (100%)").And.Contain("<td>loss</td>"));
        Assert.That(html.Replace("xmlns=\"http://www.w3.org/2000/svg\"", ""), Does.Not.Contain("http://").And.Not.Contain("https://").And.Not.Contain("<script"), "self-contained: the SVG namespace is the only URL");
    }

    [Test]
    public async Task AJoinsCardListsItsInputs()
    {
        var html = await (await TaskAsync("Join")).CardAsync();
        Assert.That(html, Does.Contain("<section id=\"inputs\">").And.Contain($"{_runId}/A/2").And.Contain($"{_runId}/B/3"));
        Assert.That(html, Does.Contain("<dd data-field=\"step\">Join</dd>"));
    }

    [Test]
    public async Task ACardOfAnotherIdShowsWhatWasAppendedToIt()
    {
        var a = await TaskAsync("A");
        Assert.That((await a.CardsAsync()).Select(c => (c.Id, c.Attempt)), Is.EqualTo(new[] { ("details", 0) }));
        var html = await a.CardAsync("details");
        Assert.That(html, Does.Contain("Details of <em>A</em>").And.Not.Contain("<section id=\"artifacts\">"));
    }

    [Test]
    public async Task TheClientNamesTheCardsThereAreWhenOneIsMissing()
    {
        var a = await TaskAsync("A");
        var error = Assert.ThrowsAsync<FlowException>(() => a.CardAsync());
        Assert.That(error!.Message, Does.Contain("has no card 'default'").And.Contain("Its cards are: details"));
        var b = await TaskAsync("B");
        Assert.That(await b.CardsAsync(), Is.Empty, "B has no [Card]: what it appended is not stored");
        Assert.That(Assert.ThrowsAsync<FlowException>(() => b.CardAsync())!.Message, Does.Contain("has no cards"));
        Assert.That(Assert.ThrowsAsync<FlowException>(() => b.CardAsync("../x"))!.Message, Does.Contain("is not a card id"));
    }

    [Test]
    public void CardViewWritesTheHtmlAndPrintsItsPath()
    {
        var file = Path.Combine(_root, "view.html");
        var (code, output, error) = Run<CardFlow>("card", "view", $"{_runId}/Start/1", "--output", file);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), error);
        Assert.That(output.Trim(), Is.EqualTo(file));
        Assert.That(File.ReadAllText(file), Does.Contain("Model for shard-7"));

        (code, output, error) = Run<CardFlow>("card", "view", $"{_runId}/A/2", "--id", "details");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), error);
        var written = output.Trim();
        Assert.That(Path.GetFileName(written), Is.EqualTo($"CardFlow-{_runId}-A-2-details.html"));
        var folder = Path.GetDirectoryName(written)!;
        Assert.That(Path.GetDirectoryName(folder), Is.EqualTo(Path.GetTempPath().TrimEnd(Path.DirectorySeparatorChar)), "in a folder of its own under the temporary folder");
        Assert.That(Path.GetFileName(folder), Does.StartWith("flow-card-"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.That(File.GetUnixFileMode(folder) & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite | UnixFileMode.OtherRead), Is.EqualTo(UnixFileMode.None), "only its user can use it");
        }

        Assert.That(File.ReadAllText(written), Does.Contain("Details of"));
        Directory.Delete(folder, recursive: true);
    }

    [TestCase("Start/1", "--id", "../../etc/passwd", "is not a card id")]
    [TestCase("Start/1", "--id", "nope", "has no card 'nope'. Its cards are: default")]
    [TestCase("Start/99", "--id", "default", "has no task Start/99")]
    [TestCase("Nope/1", "--id", "default", "has no step 'Nope'")]
    [TestCase("Start", "--id", "default", "names no task")]
    public void CardViewOfBadInputIsExitCodeTwo(string path, string option, string id, string message)
    {
        var (code, _, error) = Run<CardFlow>("card", "view", $"{_runId}/{path}", option, id);
        Assert.That(code, Is.EqualTo(ExitCodes.UsageError), error);
        Assert.That(error, Does.Contain(message));
    }

    [Test]
    public void CardListListsTaskAttemptIdAndSize()
    {
        var (code, output, error) = Run<CardFlow>("card", "list", _runId);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[0], Does.Match("^TASK +ATTEMPT ID +SIZE$"));
        Assert.That(lines, Has.Length.EqualTo(4));
        var size = new FileInfo(Path.Combine(_root, "CardFlow", _runId, "cards", "Start.1.0.default.html")).Length;
        Assert.That(output, Does.Match($@"{_runId}/Start/1 +0 default +{size} B"));

        (code, output, _) = Run<CardFlow>("card", "list", $"{_runId}/A");
        Assert.That(output, Does.Contain("details").And.Not.Contain("Start/1"));
        (code, output, _) = Run<CardFlow>("card", "list", $"{_runId}/B");
        Assert.That(output.Trim(), Is.EqualTo($"Step B of run {_runId} has no cards."));
        (code, _, error) = Run<CardFlow>("card", "list", $"{_runId}/A/2");
        Assert.That(code, Is.EqualTo(ExitCodes.UsageError), error);
    }

    [Test]
    public void ShowListsTheCards()
    {
        var (_, output, _) = Run<CardFlow>("show");
        Assert.That(output, Does.Contain("[Card]").And.Contain("[Card(details)]"));
    }

    [Test]
    public async Task AFailingComponentDoesNotFailTheTaskAndIsOnTheCardAndInStderr()
    {
        var idFile = Path.Combine(_root, "failing-id");
        var (code, _, error) = Run<FailingCardFlow>("run", "--isolation", "InProcess", "--run-id-file", idFile);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), error);
        var start = await TaskAsync("Start", File.ReadAllText(idFile).Trim(), "FailingCardFlow");
        Assert.That(start.Status, Is.EqualTo(RunStatus.Succeeded));

        var html = await start.CardAsync();
        Assert.That(html, Does.Contain("Table component failed").And.Contain("the value is not computed yet"));
        Assert.That(html, Does.Contain("Image component failed").And.Contain("System.FormatException"));
        Assert.That(html, Does.Contain("<p>before</p>").And.Contain("<p>after</p>").And.Contain("data-artifact=\"Value\""));
        var stderr = (await start.StderrAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(stderr, Has.Length.EqualTo(2), "one line per failed component");
        Assert.That(stderr[0], Does.Contain("card 'default': Table component failed: System.InvalidOperationException: the value is not computed yet"));
    }

    [Test]
    public async Task WithCardGivesEveryStepItsDefaultCard()
    {
        var idFile = Path.Combine(_root, "plain-id");
        var (code, _, error) = Run<PlainCardFlow>("run", "--isolation", "InProcess", "--with", "card", "--run-id-file", idFile);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), error);
        var runId = File.ReadAllText(idFile).Trim();
        foreach (var step in new[] { "Start", "End" })
        {
            var task = await TaskAsync(step, runId, "PlainCardFlow");
            Assert.That((await task.CardsAsync()).Select(c => c.Id), Is.EqualTo(new[] { "default" }));
            Assert.That(await task.CardAsync(), Does.Contain($"<dd data-field=\"step\">{step}</dd>"));
        }

        Assert.That(await (await TaskAsync("Start", runId, "PlainCardFlow")).CardAsync(), Does.Contain("appended on a step without [Card]"));

        var resumeFile = Path.Combine(_root, "resume-id");
        (code, _, error) = Run<PlainCardFlow>("resume", "End", "--origin-run-id", runId, "--isolation", "InProcess", "--with", "card", "--run-id-file", resumeFile);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), error);
        Assert.That(await (await TaskAsync("End", File.ReadAllText(resumeFile).Trim(), "PlainCardFlow")).CardsAsync(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task TheStepCommandWithCardStoresTheTasksDefaultCard()
    {
        foreach (var runId in new[] { "plain-step", "plain-argo" })
        {
            var (code, _, error) = Run<PlainCardFlow>("argo", "start", "--run-id", runId);
            Assert.That(code, Is.EqualTo(ExitCodes.Success), error);
        }

        var (stepCode, _, stepError) = Run<PlainCardFlow>("step", "Start", "--run-id", "plain-step", "--task-id", "1", "--with", "card");
        Assert.That(stepCode, Is.EqualTo(ExitCodes.Success), stepError);
        var (argoCode, _, argoError) = Run<PlainCardFlow>("argo", "step", "Start", "--run-id", "plain-argo", "--with", "card");
        Assert.That(argoCode, Is.EqualTo(ExitCodes.Success), argoError);
        foreach (var runId in new[] { "plain-step", "plain-argo" })
        {
            var task = await TaskAsync("Start", runId, "PlainCardFlow");
            Assert.That((await task.CardsAsync()).Select(c => c.Id), Is.EqualTo(new[] { "default" }), runId);
            Assert.That(await task.CardAsync(), Does.Contain("appended on a step without [Card]"));
        }

        // Without it, the step stores no card.
        var (plainCode, _, plainError) = Run<PlainCardFlow>("step", "End", "--run-id", "plain-step", "--task-id", "2", "--input", "plain-step/Start/1");
        Assert.That(plainCode, Is.EqualTo(ExitCodes.Success), plainError);
        Assert.That(await (await TaskAsync("End", "plain-step", "PlainCardFlow")).CardsAsync(), Is.Empty);
    }

    [TestCase("step", "Start", "--run-id", "plain-bad", "--task-id", "1", "--with", "slurm")]
    [TestCase("argo", "step", "Start", "--run-id", "plain-bad", "--with", "foo")]
    public void TheStepCommandTakesOnlyWithCard(params string[] args)
    {
        var (code, _, error) = Run<PlainCardFlow>(args);
        Assert.That(code, Is.EqualTo(ExitCodes.UsageError));
        Assert.That(error, Does.Contain($"takes only --with card (every task stores its default card), not --with {args[^1]}."));
    }

    [Test]
    public void WithTakesSlurmAndCardTogether()
    {
        var line = FlowApp.Parse(FlowApp.DefinitionOf<PlainCardFlow>(), ["run", "--with", "slurm:partition=gpu", "--with", "card"]);
        Assert.That(line, Is.Not.Null);
        Assert.That((line!.With, line.WithCard), Is.EqualTo(("slurm:partition=gpu", true)));
        line = FlowApp.Parse(FlowApp.DefinitionOf<PlainCardFlow>(), ["run", "--with", "slurm"]);
        Assert.That((line!.With, line.WithCard), Is.EqualTo(("slurm", false)));
        var (code, _, error) = Run<PlainCardFlow>("run", "--with", "slurm", "--with", "slurm:qos=high");
        Assert.That(code, Is.EqualTo(ExitCodes.UsageError));
        Assert.That(error, Does.Contain("give the compute backend once"));
    }

    [Test]
    public async Task RefreshStoresTheCardWhileTheTaskRuns()
    {
        ProgressCardFlow.Proceed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var idFile = Path.Combine(_root, "progress-id");
        var run = Task.Run(() => Run<ProgressCardFlow>("run", "--isolation", "InProcess", "--run-id-file", idFile));
        try
        {
            string? card = null;
            for (var i = 0; i < 300 && card is null; i++)
            {
                await Task.Delay(100);
                var folder = Path.Combine(_root, "ProgressCardFlow");
                card = Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "Start.1.0.default.html", SearchOption.AllDirectories).FirstOrDefault() : null;
            }

            Assert.That(card, Is.Not.Null, "the card is stored before the task ends");
            var html = File.ReadAllText(card!);
            Assert.That(html, Does.Contain("<dd data-field=\"status\">Running</dd>").And.Contain("4 / 10 (40%)"));
            Assert.That(run.IsCompleted, Is.False);
        }
        finally
        {
            ProgressCardFlow.Proceed.TrySetResult();
        }

        var (code, _, error) = await run;
        Assert.That(code, Is.EqualTo(ExitCodes.Success), error);
        var final = await (await TaskAsync("Start", File.ReadAllText(idFile).Trim(), "ProgressCardFlow")).CardAsync();
        Assert.That(final, Does.Contain("<dd data-field=\"status\">Succeeded</dd>").And.Contain("10 / 10 (100%)"));
    }

    [Test]
    public async Task ACardStoredBeforeTheTaskTimedOutSaysHowItEnded()
    {
        var idFile = Path.Combine(_root, "timed-out-id");
        var (code, _, error) = Run<TimedOutCardFlow>("run", "--isolation", "InProcess", "--run-id-file", idFile);
        Assert.That(code, Is.EqualTo(ExitCodes.RunFailed), error);
        var start = await TaskAsync("Start", File.ReadAllText(idFile).Trim(), "TimedOutCardFlow");

        var html = await start.CardAsync();
        Assert.That(html, Does.Contain("<dd data-field=\"status\">Failed</dd>").And.Not.Contain("<dd data-field=\"finished\">running</dd>"));
        Assert.That(html, Does.Contain("<dd data-field=\"error\">System.TimeoutException: Step Start ran longer than its timeout of 1 s"));
        Assert.That(html, Does.Contain("4 / 10 (40%)"), "what the card showed when it was last stored stays");
        Assert.That(html.Split("<header").Length, Is.EqualTo(2), "one header");
    }

    [Test]
    public async Task EachAttemptOfAFailingTaskStoresItsCard()
    {
        var idFile = Path.Combine(_root, "throwing-id");
        var (code, _, error) = Run<ThrowingCardFlow>("run", "--isolation", "InProcess", "--run-id-file", idFile);
        Assert.That(code, Is.EqualTo(ExitCodes.RunFailed), error);
        var start = await TaskAsync("Start", File.ReadAllText(idFile).Trim(), "ThrowingCardFlow");

        Assert.That((await start.CardsAsync()).Select(c => (c.Id, c.Attempt)), Is.EqualTo(new[] { ("default", 0), ("default", 1) }));
        var html = await start.CardAsync();
        Assert.That(html, Does.Contain("<p>attempt 1</p>").And.Contain("<dd data-field=\"status\">Failed</dd>"));
        Assert.That(html, Does.Contain("<dd data-field=\"error\">System.InvalidOperationException: boom</dd>"));
    }

    [Test]
    public async Task CardViewOpensTheFileWithTheSystemsOpenerOnlyWhenAsked()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("The opener stood in for here is xdg-open, Linux's.");
            return;
        }

        var bin = Directory.CreateDirectory(Path.Combine(_root, "opener-bin")).FullName;
        var opened = Path.Combine(_root, "opened");
        var opener = Path.Combine(bin, "xdg-open");
        File.WriteAllText(opener, $"#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{opened}'\n");
        File.SetUnixFileMode(opener, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var path = Environment.GetEnvironmentVariable("PATH");
        var file = Path.Combine(_root, "opened.html");
        try
        {
            Environment.SetEnvironmentVariable("PATH", bin + Path.PathSeparator + path);
            Assert.That(Run<CardFlow>("card", "view", $"{_runId}/Start/1", "--output", file).Code, Is.EqualTo(ExitCodes.Success));
            await Task.Delay(300);
            Assert.That(File.Exists(opened), Is.False, "nothing is opened without --open");

            var (code, _, error) = Run<CardFlow>("card", "view", $"{_runId}/Start/1", "--output", file, "--open");
            Assert.That(code, Is.EqualTo(ExitCodes.Success), error);
            // The opener runs on its own: its file exists (opened for appending) a moment before its line is in it.
            for (var i = 0; i < 100 && !(File.Exists(opened) && File.ReadAllText(opened).EndsWith('\n')); i++)
            {
                await Task.Delay(100);
            }

            Assert.That(File.ReadAllText(opened), Is.EqualTo(file + "\n"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("PATH", path);
        }
    }
}
