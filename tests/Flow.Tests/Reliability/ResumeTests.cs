using System.Text.RegularExpressions;
using Flow.Tests.Infrastructure;
using NUnit.Framework;

namespace Flow.Tests.Reliability;

/// <summary>The ResumeFlow sample's story, run as its README tells it.</summary>
public class ResumeTests : ReliabilityTest
{
    private static string ResumeFlow => RepoPaths.SampleDll("ResumeFlow");

    private ProcessResult Sample(bool fixedJoin, params string[] args) =>
        TestProcess.RunProgram(ResumeFlow, Work, fixedJoin ? Env(("FLOW_RESUME_FIXED", "1")) : null, [.. args, "--datastore-root", Root]);

    [Test]
    public void AFailedJoinIsFixedAndResumedWithThePrintedCommand()
    {
        var failed = Sample(false, "run");
        Assert.That(failed.Code, Is.EqualTo(1), failed.ToString());
        Assert.That(failed.Error, Does.Contain("FLOW_RESUME_FIXED=1"), failed.ToString());
        var printed = Regex.Match(failed.Error, @"resume with: dotnet run -- (resume --origin-run-id (\S+))\s*$", RegexOptions.Multiline);
        Assert.That(printed.Success, Is.True, $"the resume command is not printed.\n{failed}");
        var origin = printed.Groups[2].Value;
        Assert.That(failed.Error, Does.Contain($"failed in task {origin}/Join/"), failed.ToString());
        Assert.That(failed.Output, Does.Not.Contain("out ="), failed.ToString());

        var resumed = Sample(true, printed.Groups[1].Value.Split(' '));
        Assert.That(resumed.Code, Is.EqualTo(0), resumed.ToString());
        Assert.That(resumed.Output.Split('\n').Select(l => l.Trim()), Has.Some.EndsWith("out = 3"), resumed.ToString());
        AssertClonedFrom(origin, RunIdStarted(resumed), resumed);
    }

    [Test]
    public void ResumeWithoutARunIdTakesTheLatestRun()
    {
        var failed = Sample(false, "run");
        Assert.That(failed.Code, Is.EqualTo(1), failed.ToString());
        var origin = RunIdStarted(failed);

        var resumed = Sample(true, "resume", "Join");
        Assert.That(resumed.Code, Is.EqualTo(0), resumed.ToString());
        Assert.That(resumed.Output.Split('\n').Select(l => l.Trim()), Has.Some.EndsWith("out = 3"), resumed.ToString());
        Assert.That(resumed.Error, Does.Contain($"3 cloned from run {origin}"), resumed.ToString());
        AssertClonedFrom(origin, RunIdStarted(resumed), resumed);
    }

    [Test]
    public void ResumingAgainBeforeTheFixFailsAgainAndCanBeResumedFromTheSecondFailure()
    {
        var first = Sample(false, "run");
        Assert.That(first.Code, Is.EqualTo(1), first.ToString());
        var second = Sample(false, "resume", "Join");
        Assert.That(second.Code, Is.EqualTo(1), second.ToString());
        var secondId = RunIdStarted(second);

        var third = Sample(true, "resume", "Join", "--origin-run-id", secondId);
        Assert.That(third.Code, Is.EqualTo(0), third.ToString());
        var tasks = Stored.TaskJsons("ResumeFlow", RunIdStarted(third));
        var start = tasks.Single(t => t.Key.StartsWith("Start.", StringComparison.Ordinal)).Value;
        Assert.That(start.GetProperty("clonedFrom").GetString(), Does.StartWith(RunIdStarted(first) + "/Start/"), "a clone of a clone names the task that ran");
    }

    private void AssertClonedFrom(string origin, string resumedId, ProcessResult resumed)
    {
        Assert.That(resumedId, Is.Not.EqualTo(origin), "resume makes a new run");
        var run = Stored.RunJson("ResumeFlow", resumedId);
        Assert.That(run.GetProperty("originRunId").GetString(), Is.EqualTo(origin), resumed.ToString());
        Assert.That(run.GetProperty("status").GetString(), Is.EqualTo("Succeeded"), resumed.ToString());

        var tasks = Stored.TaskJsons("ResumeFlow", resumedId);
        Assert.That(tasks.Keys.Select(k => k.Split('.')[0]), Is.EquivalentTo(new[] { "Start", "A", "B", "Join", "End" }), resumed.ToString());
        foreach (var (file, task) in tasks)
        {
            var step = file.Split('.')[0];
            if (step is "Start" or "A" or "B")
            {
                Assert.That(task.TryGetProperty("clonedFrom", out var from), Is.True, $"{file} is not a clone.\n{resumed}");
                Assert.That(from.GetString(), Does.StartWith($"{origin}/{step}/"), file);
            }
            else
            {
                Assert.That(task.TryGetProperty("clonedFrom", out _), Is.False, $"{file} must run again, not be cloned.\n{resumed}");
            }
        }

        Assert.That(resumed.Error, Does.Not.Contain("[Start/").And.Not.Contain("[A/").And.Not.Contain("[B/"), $"cloned steps must not run.\n{resumed}");
    }
}
