using Flow.Cli;
using Flow.Tests.Runtime;
using NUnit.Framework;

namespace Flow.Tests.Client;

/// <summary>The commands that look at past runs, through the flow's command line.</summary>
public class InspectCommandTests
{
    private string _root = "";
    private string _runId = "";

    [SetUp]
    public void RunOnce()
    {
        _root = Directory.CreateTempSubdirectory("flow-test-").FullName;
        var idFile = Path.Combine(_root, "run-id");
        var (code, _, error) = Run("run", "--isolation", "InProcess", "--tag", "nightly", "--run-id-file", idFile, "--greeting", "hi");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), error);
        _runId = File.ReadAllText(idFile).Trim();
    }

    [TearDown]
    public void DeleteDatastore() => Directory.Delete(_root, recursive: true);

    private (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = FlowApp.Run([.. args, "--datastore-root", _root], FlowApp.DefinitionOf<HelloFlow>(), output, error);
        return (code, output.ToString(), error.ToString());
    }

    [TestCase("dump")]
    [TestCase("tag")]
    public void ARunRecordThatCannotBeReadIsOneLineAndExitCodeTwo(string command)
    {
        var record = Path.Combine(_root, "HelloFlow", _runId, "run.json");
        File.Delete(record);
        Directory.CreateDirectory(record);
        string[] args = command == "tag" ? ["tag", "list", _runId] : ["dump", _runId];
        var (code, _, error) = Run(args);
        Assert.That(code, Is.EqualTo(ExitCodes.UsageError), error);
        Assert.That(error, Does.StartWith("error: ").And.Not.Contain("   at "), "one line, not a stack trace");
    }

    [Test]
    public void RunsListsTheRunWithItsIdFirst()
    {
        var (code, output, _) = Run("runs", "--all");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(output, Does.StartWith(_runId + "  Succeeded").And.Contain("nightly"));
    }

    [Test]
    public void LogsPrintsATasksOutput()
    {
        Assert.That(Run("logs", $"{_runId}/Start").Output, Does.Contain("hi from"));
        Assert.That(Run("logs", $"{_runId}/Start/1", "--stderr").Output, Is.EqualTo("a warning\n"));
    }

    [Test]
    public void DumpShowsArtifactsWithTypesSizesAndShortValues()
    {
        var (code, output, _) = Run("dump", $"{_runId}/Start/1");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(output, Does.Contain("Message").And.Contain("string").And.Contain("\"hi from"));
        Assert.That(output, Does.Contain("Numbers").And.Contain("[1, 2, 3, 4, 5, ...] (30 items)"));
        Assert.That(Run("dump", _runId).Output, Does.Contain("Start: 1 task(s), 1 succeeded").And.Contain("Task " + _runId + "/End/2"));
    }

    [Test]
    public void TagsCanBeChangedFromTheCommandLine()
    {
        Assert.That(Run("tag", "add", _runId, "good", "reviewed").Code, Is.EqualTo(0));
        Assert.That(Run("tag", "remove", _runId, "nightly").Code, Is.EqualTo(0));
        Assert.That(Run("tag", "replace", _runId, "good", "great").Code, Is.EqualTo(0));
        var (_, output, _) = Run("tag", "list", _runId);
        Assert.That(output, Does.Contain("user:").And.Contain("(system)").And.Contain("great").And.Contain("reviewed").And.Not.Contain("nightly"));
        var (code, _, error) = Run("tag", "remove", _runId, "user:someone");
        Assert.That(code, Is.EqualTo(ExitCodes.UsageError));
        Assert.That(error, Does.Contain("system tags"));
    }

    [TestCase("dot", "digraph \"HelloFlow\"")]
    [TestCase("mermaid", "flowchart TD")]
    [TestCase("text", "Flow HelloFlow")]
    public void ShowWritesTheGraphInEachFormat(string format, string expected) =>
        Assert.That(Run("show", "--format", format).Output, Does.StartWith(expected));

    [TestCase("logs", "../../etc/passwd")]
    [TestCase("logs", "nope/Start")]
    [TestCase("logs", "RUN/Nope")]
    [TestCase("dump", "..")]
    [TestCase("dump", "a/Start/x")]
    [TestCase("tag", "list", "missing-run")]
    [TestCase("show", "--format", "png")]
    public void BadPathsAndIdsAreClearErrors(params string[] args)
    {
        var (code, _, error) = Run(args.Select(a => a.Replace("RUN", _runId, StringComparison.Ordinal)).ToArray());
        Assert.That(code, Is.EqualTo(ExitCodes.UsageError));
        Assert.That(error, Does.StartWith("error: "));
    }
}
