using System.Text.RegularExpressions;
using Flow.Client;
using Flow.Tests.Infrastructure;
using Flow.Tests.Reliability;
using NUnit.Framework;

namespace Flow.Tests.Slurm;

/// <summary>Production on Slurm: the schedule in scrontab (deploy slurm), one run now (trigger), and production namespaces.</summary>
[NonParallelizable]
public class SlurmDeployTests : ReliabilityTest
{
    private static SlurmCluster Cluster => SlurmCluster.Shared;

    private ProcessResult Flow(params string[] args) => RunFlow("ScheduledFlow", new Dictionary<string, string>(Cluster.Environment), args);

    /// <summary>The pending schedule jobs of a branch, with the time each begins.</summary>
    private List<(string Id, string Begins)> Scheduled(string branch) =>
        Cluster.Run("squeue", "-h", "-t", "PENDING", "-o", "%i|%S", "--name", $"flow-ScheduledFlow-{branch}-schedule").Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim().Split('|')).Select(f => (f[0], f[1])).ToList();

    [TearDown]
    public void RemoveTheSchedules()
    {
        Flow("deploy", "slurm", "--production", "--remove");
        Flow("deploy", "slurm", "--branch", "fix_titles", "--remove");
    }

    [Test]
    public void DeployScheduleTheNextRunOnceReplacesItAndRemovesIt()
    {
        var printed = Flow("deploy", "slurm", "--production", "--print");
        Assert.That(printed.Code, Is.EqualTo(0), printed.ToString());
        var next = DateTime.UtcNow.Hour < 3 ? DateTime.UtcNow.Date.AddHours(3) : DateTime.UtcNow.Date.AddDays(1).AddHours(3);
        Assert.That(printed.Output, Does.Contain($"next run: {next:yyyy-MM-dd} 03:00Z"), printed.ToString());
        Assert.That(printed.Output, Does.Contain("--job-name=flow-ScheduledFlow-prod-schedule").And.Contain("--begin=now+").And.Contain("schedule-tick"), printed.ToString());
        Assert.That(Scheduled("prod"), Is.Empty, "--print submits nothing");
        const string card = @"'\''--with'\'' '\''card'\''";
        Assert.That(printed.Output, Does.Not.Contain(card));
        var withCards = Flow("deploy", "slurm", "--production", "--print", "--with", "card");
        Assert.That(withCards.Output, Does.Contain("schedule-tick").And.Contain(card), "the scheduled runs store cards: " + withCards);

        var first = Flow("deploy", "slurm", "--production");
        Assert.That(first.Code, Is.EqualTo(0), first.ToString());
        var token = first.Output.Trim();
        Assert.That(token, Does.Match("^production:[0-9a-f]{12}$"));
        var second = Flow("deploy", "slurm", "--production");
        Assert.That(second.Output.Trim(), Is.EqualTo(token), "deploying the same branch again keeps its token");
        Assert.That(second.Error, Does.Contain("replacing its earlier schedule"), second.ToString());
        var scheduled = Scheduled("prod");
        Assert.That(scheduled, Has.Count.EqualTo(1), "a second deploy replaces the first, never adds to it");
        Assert.That(DateTime.Parse(scheduled[0].Begins, System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThan(DateTime.Now), "the job waits for the next time");

        var test = Flow("deploy", "slurm", "--branch", "fix_titles");
        Assert.That(test.Output.Trim(), Is.Not.EqualTo(token), "a test branch has a namespace of its own");
        Assert.That((Scheduled("prod").Count, Scheduled("test.fix_titles").Count), Is.EqualTo((1, 1)), "branches live side by side");

        Assert.That(Flow("deploy", "slurm", "--production", "--remove").Code, Is.EqualTo(0));
        Assert.That((Scheduled("prod").Count, Scheduled("test.fix_titles").Count), Is.EqualTo((0, 1)));
    }

    [Test]
    public void TheScheduledJobSchedulesTheNextOneAndStartsAProductionRun()
    {
        var tick = Flow("schedule-tick", "--branch", "prod");
        Assert.That(tick.Code, Is.EqualTo(0), tick.ToString());
        Assert.That(tick.Output, Does.Contain("titles of today"), tick.ToString());
        Assert.That(Scheduled("prod"), Has.Count.EqualTo(1), "the next time is scheduled before the run");
        var run = Stored.RunJson("ScheduledFlow", RunIdStarted(tick));
        Assert.That(run.GetProperty("systemTags").EnumerateArray().Select(t => t.GetString()), Does.Contain("project_branch:prod").And.Contain("user:production"));
    }

    [TestCase("is not a valid branch name", "deploy", "slurm", "--branch", "Fix Titles")]
    [TestCase("not both", "deploy", "slurm", "--production", "--branch", "x")]
    [TestCase("'bogus=1' is not a Slurm setting", "deploy", "slurm", "--with", "slurm:bogus=1")]
    [TestCase("is not a valid branch name", "trigger", "--branch", "../prod")]
    [TestCase("Cannot read the task requests in /nonexistent", "tasks", "--file", "/nonexistent")]
    public void BadInputExitsWithTwoAndSaysWhy(string message, params string[] args)
    {
        var result = Flow(args);
        Assert.That(result.Code, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain(message), result.ToString());
    }

    [Test]
    public void AFlowWithoutAScheduleCannotBeDeployed()
    {
        var result = RunFlow("LoopFlow", new Dictionary<string, string>(Cluster.Environment), "deploy", "slurm", "--production");
        Assert.That(result.Code, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain("has no [Schedule]"), result.ToString());
    }

    [Test]
    public async Task TriggerRunsOneProductionRunInItsOwnNamespaceAndABackfillTakesAParameter()
    {
        var local = Flow("run");
        Assert.That(local.Code, Is.EqualTo(0), local.ToString());

        var triggered = Flow("trigger", "--production", "--day", "2026-12-01");
        Assert.That(triggered.Code, Is.EqualTo(0), triggered.ToString());
        var job = Regex.Match(triggered.Output, @"^job (\d+)$", RegexOptions.Multiline);
        var run = Regex.Match(triggered.Output, @"^run (\S+)$", RegexOptions.Multiline);
        Assert.That(job.Success && run.Success, Is.True, triggered.ToString());
        Assert.That(Cluster.WaitForEnd(job.Groups[1].Value)["JobState"], Is.EqualTo("COMPLETED"), Cluster.Logs());
        var token = Regex.Match(triggered.Error, @"namespace (production:[0-9a-f]{12})").Groups[1].Value;

        var production = new FlowClient(Stored.Datastore) { Namespace = token }.Flow("ScheduledFlow");
        var latest = await production.LatestAsync();
        Assert.That(latest!.Id, Is.EqualTo(run.Groups[1].Value));
        Assert.That(latest.Status, Is.EqualTo(global::Flow.Datastore.RunStatus.Succeeded));
        Assert.That(latest.SystemTags, Does.Contain(token).And.Contain("project:nightly_titles").And.Contain("project_branch:prod").And.Contain("user:production"));
        Assert.That(await latest.ArtifactAsync<string>("Report"), Is.EqualTo("titles of 2026-12-01"));

        var mine = await new FlowClient(Stored.Datastore).Flow("ScheduledFlow").LatestAsync();
        Assert.That(mine!.Id, Is.EqualTo(RunIdStarted(local)), "a user's latest run is never a production run");
        Assert.That(mine.SystemTags.Any(t => t.StartsWith("production:", StringComparison.Ordinal)), Is.False);

        // Yesterday's production run, debugged locally: a resume in the user's namespace, production untouched.
        var resumed = Flow("resume", "End", "--origin-run-id", run.Groups[1].Value);
        Assert.That(resumed.Code, Is.EqualTo(0), resumed.ToString());
        Assert.That((await production.LatestAsync())!.Id, Is.EqualTo(run.Groups[1].Value));
        Assert.That((await new FlowClient(Stored.Datastore).Flow("ScheduledFlow").LatestAsync())!.Id, Is.EqualTo(RunIdStarted(resumed)));
    }
}
