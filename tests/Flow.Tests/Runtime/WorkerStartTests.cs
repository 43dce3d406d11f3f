using Flow.Cli;
using NUnit.Framework;

namespace Flow.Tests.Runtime;

/// <summary>Which command lines start their first worker before parsing: runs and resumes with tasks in worker processes.</summary>
public class WorkerStartTests
{
    [TestCase("run")]
    [TestCase("resume")]
    [TestCase("run", "--max-workers", "1")]
    [TestCase("run", "--isolation", "Process")]
    [TestCase("run", "--isolation=process")]
    [TestCase("resume", "Join", "--origin-run-id", "1-abc", "--isolation:Process")]
    public void RunsWithWorkerProcessesStartOneAtOnce(params string[] args) =>
        Assert.That(FlowApp.StartsWorkers(args), Is.True);

    [TestCase("show")]
    [TestCase("step", "Start")]
    [TestCase("worker", "--socket", "/tmp/x.sock")]
    [TestCase("run", "--isolation", "InProcess")]
    [TestCase("run", "--isolation", "inprocess")]
    [TestCase("run", "--isolation", "in-process")]
    [TestCase("run", "--isolation=InProcess")]
    [TestCase("run", "--isolation:InProcess")]
    [TestCase("run", "--help")]
    [TestCase("resume", "-h")]
    [TestCase("--datastore-root", "x", "run")]
    public void OtherCommandLinesStartNone(params string[] args) =>
        Assert.That(FlowApp.StartsWorkers(args), Is.False);
}
