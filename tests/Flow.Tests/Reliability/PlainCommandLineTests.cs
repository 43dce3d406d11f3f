using Flow.Cli;
using NUnit.Framework;

namespace Flow.Tests.Reliability;

/// <summary>
/// 'run' alone and 'resume [STEP] [--origin-run-id ID]' start without the command-line parser; they must do what
/// the parser would, and anything else must still go through it.
/// </summary>
public class PlainCommandLineTests : ReliabilityTest
{
    [TestCase(new[] { "resume" }, null, null)]
    [TestCase(new[] { "resume", "Work" }, "Work", null)]
    [TestCase(new[] { "resume", "--origin-run-id", "1-ab" }, null, "1-ab")]
    [TestCase(new[] { "resume", "Work", "--origin-run-id", "1-ab" }, "Work", "1-ab")]
    [TestCase(new[] { "resume", "--origin-run-id", "1-ab", "Work" }, "Work", "1-ab")]
    public void AResumeNamingItsStepAndOriginIsReadWithoutTheParser(string[] args, string? step, string? origin) =>
        Assert.That(FlowApp.PlainResume(args), Is.EqualTo(((string?)step, (string?)origin)));

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
    [TestCase("run")]
    public void AnythingElseGoesToTheParser(params string[] args) =>
        Assert.That(FlowApp.PlainResume(args), Is.Null);

    [Test]
    public void APlainRunAndAPlainResumeWorkInTheWorkingFolder()
    {
        // No --datastore-root: both store in .flow under the working folder, as a user's do.
        var crashed = FlowProcess.Run(TestFlows, Work, Env(("FLOW_TEST_FAULT", "kill")), "FaultFlow", "run");
        var runId = RunIdStarted(crashed);
        Assert.That(crashed.Code, Is.EqualTo(1), crashed.ToString());
        Assert.That(Directory.Exists(Path.Combine(Work, ".flow", "FaultFlow", runId)), Is.True, crashed.ToString());

        var resumed = FlowProcess.Run(TestFlows, Work, null, "FaultFlow", "resume", "Work", "--origin-run-id", runId);
        Assert.That(resumed.Code, Is.EqualTo(0), resumed.ToString());
        Assert.That(resumed.Error, Does.Contain($"resumes run {runId} from Work"), resumed.ToString());
        Assert.That(resumed.Output, Does.Contain("total = 14"), resumed.ToString());

        // Without an origin: the latest run (the resumed one, which succeeded) is resumed from the step named.
        var again = FlowProcess.Run(TestFlows, Work, null, "FaultFlow", "resume", "End");
        Assert.That(again.Code, Is.EqualTo(0), again.ToString());
        Assert.That(again.Error, Does.Contain($"resumes run {RunIdStarted(resumed)} from End"), again.ToString());

        var unknown = FlowProcess.Run(TestFlows, Work, null, "FaultFlow", "resume", "Nope", "--origin-run-id", runId);
        Assert.That(unknown.Code, Is.Not.EqualTo(0), unknown.ToString());
        Assert.That(unknown.Error, Does.Contain("Nope"), unknown.ToString());
    }
}
