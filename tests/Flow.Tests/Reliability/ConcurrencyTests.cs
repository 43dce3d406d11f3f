using Flow.Datastore;
using NUnit.Framework;

namespace Flow.Tests.Reliability;

/// <summary>Runs of the same flow at once, in one datastore, never see each other's artifacts.</summary>
public class ConcurrencyTests : ReliabilityTest
{
    private static string Values(int seed) => string.Join(",", Enumerable.Range(0, 6).Select(i => (((seed * 100) + i) * 2) + seed));

    [Test]
    public void TwoRunsAtOnceEachGetTheirOwnResult()
    {
        var slow = Env(("FLOW_TEST_SLEEP_MS", "300"), ("FLOW_TEST_FAULT_INDEX", "-1"));
        using var first = TestProcess.StartProgram(TestFlows, Work, slow, "ParamFlow", "run", "--seed", "1", "--datastore-root", Root);
        using var second = TestProcess.StartProgram(TestFlows, Work, slow, "ParamFlow", "run", "--seed", "2", "--datastore-root", Root);
        var one = first.WaitForExit(TestProcess.Patience);
        var two = second.WaitForExit(TestProcess.Patience);

        Assert.That(one.Code, Is.EqualTo(0), one.ToString());
        Assert.That(two.Code, Is.EqualTo(0), two.ToString());
        Assert.That(one.Output, Does.Contain($"seed 1: values = {Values(1)}"), one.ToString());
        Assert.That(two.Output, Does.Contain($"seed 2: values = {Values(2)}"), two.ToString());
        var ids = new[] { RunIdStarted(one), RunIdStarted(two) };
        Assert.That(ids[0], Is.Not.EqualTo(ids[1]));
        Assert.That(Stored.RunIds("ParamFlow"), Is.EquivalentTo(ids));
        foreach (var id in ids)
        {
            foreach (var (file, task) in Stored.TaskJsons("ParamFlow", id))
            {
                Assert.That(task.GetProperty("runId").GetString(), Is.EqualTo(id), file);
                foreach (var input in task.GetProperty("inputs").EnumerateArray())
                {
                    Assert.That(input.GetString(), Does.StartWith(id + "/"), $"task {id}/{file} read another run's task");
                }
            }
        }
    }

    [Test]
    public async Task OfTwoRunsCreatedWithTheSameIdAtOnceExactlyOneIsCreated()
    {
        const int Rounds = 200;
        var store = new LocalMetadataStore(Root);
        for (var round = 0; round < Rounds; round++)
        {
            var runId = $"1700000000000-{round:x4}";
            var outcomes = new string?[4];
            using var together = new Barrier(outcomes.Length);
            var threads = Enumerable.Range(0, outcomes.Length).Select(i => new Thread(() =>
            {
                together.SignalAndWait();
                try
                {
                    store.CreateRunAsync(new RunRecord { Flow = "SameIdFlow", RunId = runId, User = $"user{i}" }).GetAwaiter().GetResult();
                }
                catch (FlowException e)
                {
                    outcomes[i] = e.Message;
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());

            Assert.That(outcomes.Count(o => o is null), Is.EqualTo(1), $"round {round}: exactly one creation of run {runId} may succeed: {string.Join(" | ", outcomes)}");
            Assert.That(outcomes.Where(o => o is not null), Has.All.Contains($"Run SameIdFlow/{runId} exists already"));
        }

        var runs = await store.ListRunsAsync("SameIdFlow");
        Assert.That(runs.Select(r => r.RunId).ToList(), Is.Unique.And.Count.EqualTo(Rounds), "every run is listed once, and nothing else is");
    }
}
