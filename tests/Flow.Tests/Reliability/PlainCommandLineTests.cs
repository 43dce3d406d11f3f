using Flow.Cli;
using Flow.Execution;
using NUnit.Framework;

namespace Flow.Tests.Reliability;

/// <summary>
/// 'run' alone and 'resume [STEP] [--origin-run-id ID]' start without the command-line parser; they must do what
/// the parser would, and anything else must still go through it.
/// </summary>
public class PlainCommandLineTests : ReliabilityTest
{
    private static FlowDefinition Optional => FlowApp.DefinitionOf<Runtime.ConditionalFlow>();

    private static FlowDefinition Required => FlowApp.DefinitionOf<Runtime.ParameterFlow>();

    [TestCase("run")]
    [TestCase("resume")]
    [TestCase("resume", "Work")]
    [TestCase("resume", "--origin-run-id", "1-ab")]
    [TestCase("resume", "Work", "--origin-run-id", "1-ab")]
    [TestCase("resume", "--origin-run-id", "1-ab", "Work")]
    public void APlainCommandLineReadsAsTheParserReadsIt(params string[] args)
    {
        var plain = FlowApp.Plain(Optional, args);
        var parsed = FlowApp.Parse(Optional, args);
        Assert.That(plain, Is.Not.Null, "read without the parser");
        Assert.That(parsed, Is.Not.Null, "accepted by the parser");
        AssertSame(plain!, parsed!);
    }

    [TestCase("resume", "--help")]
    [TestCase("resume", "-h")]
    [TestCase("resume", "--origin-run-id")]
    [TestCase("resume", "Work", "--max-workers", "1")]
    [TestCase("resume", "--origin-run-id=1-ab")]
    [TestCase("resume", "A", "B")]
    [TestCase("resume", "/?")]
    [TestCase("resume", "/h")]
    [TestCase("resume", "@args.rsp")]
    [TestCase("resume", "Work", "--origin-run-id", "-x")]
    [TestCase("run", "--help")]
    [TestCase("run", "--value", "3")]
    [TestCase("run", "--max-workers", "2")]
    [TestCase("run", "--isolation", "InProcess")]
    [TestCase("run", "--tag", "a")]
    [TestCase("run", "--datastore-root", "x")]
    [TestCase("run", "--no-such-option")]
    [TestCase("run", "extra")]
    [TestCase("--datastore-root", "x", "run")]
    [TestCase("Run")]
    [TestCase("runs")]
    [TestCase("show")]
    public void AnythingElseGoesToTheParser(params string[] args) =>
        Assert.That(FlowApp.Plain(Optional, args), Is.Null);

    [Test]
    public void ARunOfAFlowWithARequiredParameterGoesToTheParser() =>
        Assert.That(FlowApp.Plain(Required, ["run"]), Is.Null);

    // What the parser makes of options the plain path never sees: the defaults it shares with the plain path, changed one at a time.
    [TestCase(new[] { "run", "--max-workers", "2" }, "MaxWorkers", 2)]
    [TestCase(new[] { "run", "--max-num-splits", "7" }, "MaxNumSplits", 7)]
    [TestCase(new[] { "resume", "--run-id-file", "id.txt" }, "RunIdFile", "id.txt")]
    [TestCase(new[] { "--datastore-root", "x", "run" }, "DatastoreRoot", "x")]
    [TestCase(new[] { "run", "--datastore", "local" }, "DatastoreKind", "local")]
    [TestCase(new[] { "run", "--tag", "a" }, "Tags", new[] { "a" })]
    [TestCase(new[] { "run", "--tag", "a", "--tag", "b:c" }, "Tags", new[] { "a", "b:c" })]
    [TestCase(new[] { "resume", "--tag", "a" }, "Tags", new[] { "a" })]
    [TestCase(new[] { "resume", "--tag", "a", "--tag", "b" }, "Tags", new[] { "a", "b" })]
    public void TheParserChangesOnlyWhatTheCommandLineSays(string[] args, string property, object value)
    {
        var parsed = FlowApp.Parse(Optional, args);
        Assert.That(parsed, Is.Not.Null, "accepted by the parser");
        var expected = FlowApp.Plain(Optional, [args.Contains("resume") ? "resume" : "run"])!;
        foreach (var p in typeof(RunCommandLine).GetProperties().Where(p => p.GetIndexParameters().Length == 0 && p.Name != "Default"))
        {
            Assert.That(p.GetValue(parsed), Is.EqualTo(p.Name == property ? value : p.GetValue(expected)), p.Name);
        }
    }

    [TestCase("Process", TaskIsolation.Process)]
    [TestCase("process", TaskIsolation.Process)]
    [TestCase("InProcess", TaskIsolation.InProcess)]
    [TestCase("inprocess", TaskIsolation.InProcess)]
    [TestCase("in-process", TaskIsolation.InProcess)]
    [TestCase("In-Process", TaskIsolation.InProcess)]
    [TestCase("IN-PROCESS", TaskIsolation.InProcess)]
    public void IsolationIsReadInEitherSpelling(string name, TaskIsolation expected)
    {
        Assert.That(FlowApp.Parse(Optional, ["run", "--isolation", name])?.Isolation, Is.EqualTo(expected));
        Assert.That(FlowApp.Parse(Optional, ["run", $"--isolation={name}"])?.Isolation, Is.EqualTo(expected));
        Assert.That(FlowApp.StartsWorkers(["run", "--isolation", name]), Is.EqualTo(expected == TaskIsolation.Process), "a worker starts before parsing only for worker processes");
    }

    [TestCase("thread")]
    [TestCase("in process")]
    [TestCase("")]
    public void AnIsolationOfAnotherNameIsRejected(string name)
    {
        Assert.That(FlowApp.Parse(Optional, ["run", "--isolation", name]), Is.Null);
        var error = new StringWriter();
        var code = FlowApp.Run(["run", "--isolation", name], Optional, TextWriter.Null, error);
        Assert.That(code, Is.EqualTo(ExitCodes.UsageError), error.ToString());
        Assert.That(error.ToString(), Does.Contain("use Process or InProcess"));
    }

    /// <summary>Every property of the two readings is equal: a property added to one reading and not the other shows here.</summary>
    private static void AssertSame(RunCommandLine plain, RunCommandLine parsed)
    {
        foreach (var property in typeof(RunCommandLine).GetProperties().Where(p => p.GetIndexParameters().Length == 0 && p.Name != "Default"))
        {
            Assert.That(property.GetValue(parsed), Is.EqualTo(property.GetValue(plain)), $"{property.Name}: the parser read it otherwise");
        }
    }

    [Test]
    public void APlainRunAndAPlainResumeWorkInTheWorkingFolder()
    {
        // No --datastore-root: both store in .flow under the working folder, as a user's do.
        var crashed = TestProcess.RunProgram(TestFlows, Work, Env(("FLOW_TEST_FAULT", "kill")), "FaultFlow", "run");
        var runId = RunIdStarted(crashed);
        Assert.That(crashed.Code, Is.EqualTo(1), crashed.ToString());
        Assert.That(Directory.Exists(Path.Combine(Work, ".flow", "FaultFlow", runId)), Is.True, crashed.ToString());

        var resumed = TestProcess.RunProgram(TestFlows, Work, null, "FaultFlow", "resume", "Work", "--origin-run-id", runId);
        Assert.That(resumed.Code, Is.EqualTo(0), resumed.ToString());
        Assert.That(resumed.Error, Does.Contain($"resumes run {runId} from Work"), resumed.ToString());
        Assert.That(resumed.Output, Does.Contain("total = 14"), resumed.ToString());

        // Without an origin: the latest run (the resumed one, which succeeded) is resumed from the step named.
        var again = TestProcess.RunProgram(TestFlows, Work, null, "FaultFlow", "resume", "End");
        Assert.That(again.Code, Is.EqualTo(0), again.ToString());
        Assert.That(again.Error, Does.Contain($"resumes run {RunIdStarted(resumed)} from End"), again.ToString());

        var unknown = TestProcess.RunProgram(TestFlows, Work, null, "FaultFlow", "resume", "Nope", "--origin-run-id", runId);
        Assert.That(unknown.Code, Is.Not.EqualTo(0), unknown.ToString());
        Assert.That(unknown.Error, Does.Contain("Nope"), unknown.ToString());
    }
}
