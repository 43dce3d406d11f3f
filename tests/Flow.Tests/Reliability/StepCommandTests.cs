using System.Text.RegularExpressions;
using Flow.Client;
using Flow.Datastore;
using NUnit.Framework;

namespace Flow.Tests.Reliability;

/// <summary>
/// A whole run driven task by task through the <c>step</c> command, as a cluster backend launches tasks: the run's
/// record is created first, then each task runs in a process of its own, given its parents with <c>--input</c>.
/// What it stores must be what a normal run of the same flow stores.
/// </summary>
public class StepCommandTests : ReliabilityTest
{
    [TestCase("BranchFlow", "out = 3")]
    [TestCase("ForeachFlow", "out = 122")]
    public async Task ARunDrivenThroughTheStepCommandStoresWhatANormalRunStores(string sample, string printed)
    {
        var environment = Env((DatastoreConfig.RootVariable, Root));
        await AssertStepByStepEqualsARunAsync(sample, printed, Stored.Datastore, Work, environment);
    }

    [Test]
    public void ADatastoreThatCannotStoreTheLogsFailsTheTaskWithOneAndRecordsWhy()
    {
        var (runId, join) = FinishedRun();
        var logs = Path.Combine(Stored.RunFolder("FaultFlow", runId), "logs");
        Directory.Delete(logs, recursive: true);
        File.WriteAllText(logs, "not a folder");

        var result = Step("End", runId, "--task-id", "9", "--input", join);
        Assert.That(result.Code, Is.EqualTo(1), $"the task ran, so a datastore failure is the task's (1), not bad input (2).\n{result}");
        Assert.That(result.Error, Does.Contain($"Task {runId}/End/9 failed: ").And.Contain($"the datastore at {Root} could not store its logs and record"), result.ToString());
        Assert.That(result.Error, Does.Not.Contain("   at "), result.ToString());
        var record = Stored.TaskJsons("FaultFlow", runId)["End.9"];
        Assert.That(record.GetProperty("status").GetString(), Is.EqualTo("Failed"), "the failure is recorded in place of the success");
        Assert.That(record.GetProperty("error").GetProperty("message").GetString(), Does.Contain("could not store its logs"));
    }

    [Test]
    public void ADatastoreThatCannotStoreEvenTheFailureExitsWithOneAndSaysSo()
    {
        var (runId, join) = FinishedRun();
        foreach (var name in new[] { "logs", "tasks" })
        {
            var folder = Path.Combine(Stored.RunFolder("FaultFlow", runId), name);
            Directory.Move(folder, Path.Combine(Work, name));
            File.WriteAllText(folder, "not a folder");
        }

        var result = Step("End", runId, "--task-id", "9", "--input", join);
        Assert.That(result.Code, Is.EqualTo(1), result.ToString());
        Assert.That(result.Error, Does.StartWith($"error: Task {runId}/End/9 ran and failed, but the datastore at {Root} could not store").And.Contain("Its failure could not be stored either"), result.ToString());
        Assert.That(result.Error, Does.Contain($"Task {runId}/End/9 failed, and its failure is not recorded"), result.ToString());
        Assert.That(result.Error, Does.Not.Contain("   at "), result.ToString());
    }

    [TestCase("--task-id", "-5")]
    [TestCase("--attempt", "-2")]
    [TestCase("--index", "-3")]
    [TestCase("--foreach-index", "-1")]
    public void ANegativeNumberIsBadInputAndNothingIsStored(string option, string value)
    {
        var (runId, join) = FinishedRun();
        var before = Directory.EnumerateFiles(Stored.RunFolder("FaultFlow", runId), "*", SearchOption.AllDirectories).Order().ToList();
        string[] task = option == "--task-id" ? [] : ["--task-id", "9"];
        var result = Step("End", runId, [.. task, option, value, "--input", join]);
        Assert.That(result.Code, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.StartWith($"error: {option} must be 0 or more, got {value}."), result.ToString());
        Assert.That(Directory.EnumerateFiles(Stored.RunFolder("FaultFlow", runId), "*", SearchOption.AllDirectories).Order(), Is.EqualTo(before));
    }

    // A finished run of FaultFlow with one child: Start 1, Work 2, Join 3, End 4.
    private (string RunId, string Join) FinishedRun()
    {
        var run = RunFlow("FaultFlow", Env(("FLOW_TEST_ITEMS", "1")), "run", "--isolation", "InProcess");
        Assert.That(run.Code, Is.EqualTo(0), run.ToString());
        var runId = RunIdStarted(run);
        return (runId, $"{runId}/Join/3");
    }

    private ProcessResult Step(string step, string runId, params string[] args) =>
        RunFlow("FaultFlow", null, ["step", step, "--run-id", runId, .. args]);

    /// <summary>The tasks of a sample's run, in the order the scheduler gives them ids: step, inputs (by task id), foreach index, position.</summary>
    internal static IReadOnlyList<(string Step, long Id, long[] Inputs, int? ForeachIndex, string Position)> Plan(string sample) => sample switch
    {
        "BranchFlow" =>
        [
            ("Start", 1, [], null, "Start/"),
            ("A", 2, [1], null, "A/0"),
            ("B", 3, [1], null, "B/1"),
            ("Join", 4, [2, 3], null, "Join/"),
            ("End", 5, [4], null, "End/"),
        ],
        "ForeachFlow" =>
        [
            ("Start", 1, [], null, "Start/"),
            ("A", 2, [1], 0, "A/0"),
            ("A", 3, [1], 1, "A/1"),
            ("A", 4, [1], 2, "A/2"),
            ("Join", 5, [2, 3, 4], null, "Join/"),
            ("End", 6, [5], null, "End/"),
        ],
        _ => throw new ArgumentException($"no plan for {sample}", nameof(sample)),
    };

    /// <summary>
    /// Runs <paramref name="sample"/> normally, then again task by task through <c>step</c> in the same datastore
    /// (named by <paramref name="environment"/>), and asserts that both runs hold the same tasks with the same artifacts.
    /// </summary>
    internal static async Task AssertStepByStepEqualsARunAsync(string sample, string printed, FlowDatastore datastore, string work, IReadOnlyDictionary<string, string> environment)
    {
        var dll = RepoPaths.SampleDll(sample);
        var normal = TestProcess.RunProgram(dll, work, environment, "run");
        Assert.That(normal.Code, Is.EqualTo(0), normal.ToString());
        var normalId = RunIdStarted(normal);

        // What a backend does before its first task: record the run.
        var runId = $"{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}-{Guid.NewGuid():N}"[..22];
        await datastore.Metadata.CreateRunAsync(new RunRecord
        {
            Flow = sample,
            RunId = runId,
            User = "backend",
            Status = RunStatus.Running,
            SystemTags = ["user:backend"],
            StartedAt = DateTimeOffset.UtcNow,
        });

        var ids = Plan(sample).ToDictionary(t => t.Id);
        foreach (var (step, id, inputs, foreachIndex, position) in Plan(sample))
        {
            List<string> args = ["step", step, "--run-id", runId, "--task-id", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--position", position];
            foreach (var input in inputs)
            {
                args.AddRange(["--input", $"{runId}/{ids[input].Step}/{input}"]);
            }

            if (foreachIndex is { } index)
            {
                args.AddRange(["--foreach-index", index.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            }

            var task = TestProcess.RunProgram(dll, work, environment, [.. args]);
            Assert.That(task.Code, Is.EqualTo(0), task.ToString());
            Assert.That(task.Error, Does.Contain($"Task {runId}/{step}/{id} succeeded."), task.ToString());
        }

        var runs = new FlowClient(datastore) { Namespace = null }.Flow(sample);
        var expected = await Tasks(await runs.GetAsync(normalId));
        var actual = await Tasks(await runs.GetAsync(runId));
        Assert.That(actual.Keys, Is.EqualTo(expected.Keys), "the same tasks, by step and id");
        foreach (var (key, task) in expected)
        {
            var driven = actual[key];
            Assert.That(driven.Status, Is.EqualTo(RunStatus.Succeeded), driven.Pathspec);

            // Artifacts are content-addressed: the same keys are the same values.
            Assert.That(driven.Artifacts.ToDictionary(a => a.Key, a => (a.Value.Key, a.Value.Type)), Is.EqualTo(task.Artifacts.ToDictionary(a => a.Key, a => (a.Value.Key, a.Value.Type))), $"artifacts of {driven.Pathspec}");
            Assert.That(driven.Record.Position, Is.EqualTo(task.Record.Position), $"position of {driven.Pathspec}, which resume matches tasks by");
            Assert.That(driven.Record.Inputs.Select(i => i[(runId.Length + 1)..]), Is.EqualTo(task.Record.Inputs.Select(i => i[(normalId.Length + 1)..])), $"inputs of {driven.Pathspec}");
            Assert.That(driven.Record.Next, Is.EqualTo(task.Record.Next), $"next steps of {driven.Pathspec}");
            Assert.That(driven.Record.ForeachElements?.Select(e => e.Key), Is.EqualTo(task.Record.ForeachElements?.Select(e => e.Key)), $"foreach elements of {driven.Pathspec}");
        }

        var end = actual.Values.Single(t => t.Step == "End");
        Assert.That(await end.ArtifactAsync<int>("Out"), Is.EqualTo(await expected.Values.Single(t => t.Step == "End").ArtifactAsync<int>("Out")));
        Assert.That(await end.StdoutAsync(), Does.Contain(printed));

        // The command line reads it back as it reads a normal run.
        var dump = TestProcess.RunProgram(dll, work, environment, "dump", $"{runId}/End");
        Assert.That(dump.Code, Is.EqualTo(0), dump.ToString());
        Assert.That(Regex.Replace(dump.Output, @"Task \S+", "Task"), Is.EqualTo(Regex.Replace(TestProcess.RunProgram(dll, work, environment, "dump", $"{normalId}/End").Output, @"Task \S+", "Task")));
    }

    private static async Task<SortedDictionary<string, TaskView>> Tasks(Run run) =>
        new((await run.TasksAsync()).ToDictionary(t => $"{t.Step}/{t.Id}"), StringComparer.Ordinal);
}
