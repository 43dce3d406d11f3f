using System.Globalization;
using Flow.Client;
using Flow.Datastore;
using NUnit.Framework;

namespace Flow.Tests.Reliability;

/// <summary>
/// LoopFlow as a program: loops in worker processes, killed mid-loop and resumed, stopped at the cap, driven task by
/// task through the <c>step</c> command, and read back with <c>dump</c>, <c>logs</c>, <c>runs</c> and <c>show</c>.
/// </summary>
public class LoopProcessTests : ReliabilityTest
{
    private const string Expected = "rounds = 5, iterations = [0,1,2,3,4], height = 30, other = -1, steps = [1,2,3]";

    [Test]
    public async Task AfterARunIsKilledMidLoopResumeGivesTheUndisturbedResults()
    {
        var calm = new StoredData(Path.Combine(Work, "calm"));
        var baseline = TestProcess.RunProgram(TestFlows, Work, null, "LoopFlow", "run", "--datastore-root", calm.Root);
        Assert.That(baseline.Code, Is.EqualTo(0), baseline.ToString());
        Assert.That(baseline.Output, Does.Contain(Expected), baseline.ToString());

        // Killed once Start and two iterations of Count are recorded, with more of the loop to go.
        string? runId = null;
        using (var run = TestProcess.StartProgram(TestFlows, Work, Env(("FLOW_TEST_SLEEP_MS", "400")), ["LoopFlow", "run", "--datastore-root", Root]))
        {
            run.WaitUntil(
                () => (runId ??= Stored.RunIds("LoopFlow").SingleOrDefault()) is { } id && Stored.TaskJsons("LoopFlow", id).Count >= 3,
                "two iterations finished");
            run.KillTree();
        }

        var recorded = Stored.TaskJsons("LoopFlow", runId!);
        Assert.That(recorded.Keys.Count(k => k.StartsWith("Count.", StringComparison.Ordinal)), Is.InRange(2, 4), "the run was killed inside the loop");
        Stored.AssertEveryRecordIsWhole("LoopFlow");

        var resumed = RunFlow("LoopFlow", null, "resume", "--origin-run-id", runId!);
        Assert.That(resumed.Code, Is.EqualTo(0), resumed.ToString());
        Assert.That(resumed.Output, Does.Contain(Expected), resumed.ToString());
        Assert.That(resumed.Error, Does.Contain($"cloned from run {runId}"), resumed.ToString());
        Assert.That(
            await Stored.EndArtifactKeysAsync("LoopFlow", RunIdStarted(resumed)),
            Is.EqualTo(await calm.EndArtifactKeysAsync("LoopFlow", RunIdStarted(baseline))),
            "the resumed run's end artifacts must be those of the undisturbed run");
        var iterations = Stored.TaskJsons("LoopFlow", RunIdStarted(resumed)).Values
            .Where(t => t.GetProperty("step").GetString() == "Count")
            .OrderBy(t => t.GetProperty("taskId").GetInt64())
            .Select(t => (t.GetProperty("iteration").GetInt32(), t.TryGetProperty("clonedFrom", out _)))
            .ToList();
        Assert.That(iterations.Select(i => i.Item1), Is.EqualTo(new[] { 0, 1, 2, 3, 4 }));
        Assert.That(iterations.TakeWhile(i => i.Item2).Count(), Is.GreaterThanOrEqualTo(2), "the iterations that finished before the kill are cloned");
    }

    [Test]
    public void ALoopThatNeverLeavesStopsAtTheCapWithExitCodeOneAndSaysHowToGoOn()
    {
        var result = RunFlow("LoopFlow", Env(("FLOW_TEST_LOOP_FOREVER", "1")), "run", "--max-loop-iterations", "6");
        Assert.That(result.Code, Is.EqualTo(1), result.ToString());
        Assert.That(result.Error, Does.Contain("Step Count ran 6 iterations, as many as --max-loop-iterations allows (6)"), result.ToString());
        Assert.That(result.Error, Does.Contain($"resume with: dotnet run -- LoopFlow resume --origin-run-id {RunIdStarted(result)}"), result.ToString());
        Assert.That(Stored.TaskJsons("LoopFlow", RunIdStarted(result)).Keys.Count(k => k.StartsWith("Count.", StringComparison.Ordinal)), Is.EqualTo(6));

        var resumed = RunFlow("LoopFlow", null, "resume", "--origin-run-id", RunIdStarted(result));
        Assert.That(resumed.Code, Is.EqualTo(0), resumed.ToString());
        Assert.That(resumed.Output, Does.Contain("rounds = 7, iterations = [0,1,2,3,4,5,6]"), "the resumed loop goes on from where the cap stopped it: one more iteration, which leaves");
    }

    [TestCase("0", "--max-loop-iterations must be at least 1, got 0.")]
    [TestCase("many", "many")]
    public void ABadCapIsBadInputAndStartsNoRun(string value, string message)
    {
        var result = RunFlow("LoopFlow", null, "run", "--max-loop-iterations", value);
        Assert.That(result.Code, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain(message), result.ToString());
        Assert.That(Directory.Exists(Path.Combine(Root, "LoopFlow")) ? Stored.RunIds("LoopFlow") : [], Is.Empty);
    }

    [Test]
    public void TheCommandLineShowsIterationsInOrder()
    {
        var run = RunFlow("LoopFlow", null, "run");
        Assert.That(run.Code, Is.EqualTo(0), run.ToString());
        var runId = RunIdStarted(run);
        Assert.That(run.Error, Does.Match(@"\[Count/2\] iteration 0 done(.|\n)*\[Count/3\] iteration 1 done(.|\n)*\[Count/6\] iteration 4 done"), run.ToString());

        var show = RunFlow("LoopFlow", null, "show");
        Assert.That(show.Output, Does.Contain("Count   loop         -> Count (again) | Fork"), show.ToString());

        var dump = RunFlow("LoopFlow", null, "dump", runId);
        Assert.That(dump.Output, Does.Contain("Count: 5 task(s), 5 succeeded, 5 iterations"), dump.ToString());
        Assert.That(dump.Output, Does.Contain("Work: 6 task(s), 6 succeeded, 3 loops, the longest 3 iterations"), dump.ToString());

        var tasks = RunFlow("LoopFlow", null, "dump", $"{runId}/Count");
        Assert.That(
            tasks.Output.Split('\n').Where(l => l.StartsWith("Task ", StringComparison.Ordinal)),
            Is.EqualTo(Enumerable.Range(0, 5).Select(i => $"Task {runId}/Count/{i + 2} (iteration {i}): Succeeded")),
            tasks.ToString());

        var logs = RunFlow("LoopFlow", null, "logs", $"{runId}/Climb");
        Assert.That(logs.Output, Does.Contain($"--- {runId}/Climb/8 (iteration 0) ---").And.Contain($"--- {runId}/Climb/11 (iteration 2) ---"), logs.ToString());

        var failed = RunFlow("LoopFlow", Env(("FLOW_TEST_LOOP_FAIL", "3")), "run");
        Assert.That(failed.Code, Is.EqualTo(1), failed.ToString());
        var runs = RunFlow("LoopFlow", null, "runs");
        Assert.That(runs.Output, Does.Contain($"failed at Count/5 (iteration 3)"), runs.ToString());
    }

    /// <summary>
    /// LoopFlow's tasks in the order the scheduler gives them ids: step, inputs (by task id), foreach index, iteration,
    /// position. Work's elements loop 1, 2 and 3 times.
    /// </summary>
    private static readonly (string Step, long Id, long[] Inputs, int? ForeachIndex, int Iteration, string Position)[] Plan =
    [
        ("Start", 1, [], null, 0, "Start/"),
        ("Count", 2, [1], null, 0, "Count/"),
        ("Count", 3, [2], null, 1, "Count/#1"),
        ("Count", 4, [3], null, 2, "Count/#2"),
        ("Count", 5, [4], null, 3, "Count/#3"),
        ("Count", 6, [5], null, 4, "Count/#4"),
        ("Fork", 7, [6], null, 0, "Fork/"),
        ("Climb", 8, [7], null, 0, "Climb/0"),
        ("Flat", 9, [7], null, 0, "Flat/1"),
        ("Climb", 10, [8], null, 1, "Climb/0#1"),
        ("Climb", 11, [10], null, 2, "Climb/0#2"),
        ("Meet", 12, [11, 9], null, 0, "Meet/"),
        ("Spread", 13, [12], null, 0, "Spread/"),
        ("Work", 14, [13], 0, 0, "Work/0"),
        ("Work", 15, [13], 1, 0, "Work/1"),
        ("Work", 16, [13], 2, 0, "Work/2"),
        ("Work", 17, [15], null, 1, "Work/1#1"),
        ("Work", 18, [16], null, 1, "Work/2#1"),
        ("Work", 19, [18], null, 2, "Work/2#2"),
        ("Gather", 20, [14, 17, 19], null, 0, "Gather/"),
        ("End", 21, [20], null, 0, "End/"),
    ];

    [Test]
    public async Task ALoopDrivenThroughTheStepCommandStoresWhatANormalRunStores()
    {
        var normal = RunFlow("LoopFlow", null, "run");
        Assert.That(normal.Code, Is.EqualTo(0), normal.ToString());
        var normalId = RunIdStarted(normal);

        var runId = $"{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}-{Guid.NewGuid():N}"[..22];
        await Stored.Datastore.Metadata.CreateRunAsync(new RunRecord
        {
            Flow = "LoopFlow",
            RunId = runId,
            User = "backend",
            Status = RunStatus.Running,
            SystemTags = ["user:backend"],
            StartedAt = DateTimeOffset.UtcNow,
        });

        var steps = Plan.ToDictionary(t => t.Id, t => t.Step);
        foreach (var (step, id, inputs, foreachIndex, iteration, position) in Plan)
        {
            List<string> args = ["step", step, "--run-id", runId, "--task-id", id.ToString(CultureInfo.InvariantCulture), "--position", position,
                "--iteration", iteration.ToString(CultureInfo.InvariantCulture)];
            foreach (var input in inputs)
            {
                args.AddRange(["--input", $"{runId}/{steps[input]}/{input}"]);
            }

            if (foreachIndex is { } index)
            {
                args.AddRange(["--foreach-index", index.ToString(CultureInfo.InvariantCulture)]);
            }

            var task = RunFlow("LoopFlow", null, [.. args]);
            Assert.That(task.Code, Is.EqualTo(0), task.ToString());
        }

        var runs = new FlowClient(Stored.Datastore) { Namespace = null }.Flow("LoopFlow");
        var expected = (await (await runs.GetAsync(normalId)).TasksAsync()).ToDictionary(t => t.Id);
        var actual = (await (await runs.GetAsync(runId)).TasksAsync()).ToDictionary(t => t.Id);
        Assert.That(actual.Keys, Is.EqualTo(expected.Keys));
        foreach (var (id, task) in expected)
        {
            var driven = actual[id];
            Assert.That((driven.Step, driven.Status, driven.Iteration, driven.Record.Position), Is.EqualTo((task.Step, RunStatus.Succeeded, task.Iteration, task.Record.Position)), driven.Pathspec);
            Assert.That(driven.Artifacts.ToDictionary(a => a.Key, a => a.Value.Key), Is.EqualTo(task.Artifacts.ToDictionary(a => a.Key, a => a.Value.Key)), $"artifacts of {driven.Pathspec}");
            Assert.That(driven.Record.Next, Is.EqualTo(task.Record.Next), $"next steps of {driven.Pathspec}");
            Assert.That(driven.Record.Item?.Key, Is.EqualTo(task.Record.Item?.Key), $"the item kept by {driven.Pathspec}");
        }

        Assert.That(await actual[21].StdoutAsync(), Does.Contain(Expected));
    }
}
