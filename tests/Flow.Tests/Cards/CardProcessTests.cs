using Flow.Client;
using Flow.Datastore;
using Flow.Tests.Infrastructure;
using NUnit.Framework;

namespace Flow.Tests.Cards;

/// <summary>Cards written by worker processes (the command line's default isolation), with run --with card.</summary>
public class CardProcessTests
{
    [Test]
    public async Task WorkersStoreEachTasksCardsAndWithCardReachesThem()
    {
        var work = Directory.CreateTempSubdirectory("flow-card-process-").FullName;
        try
        {
            var root = Path.Combine(work, "store");
            var result = TestProcess.RunProgram(RepoPaths.TestFlowsDll, work, null, "CardsFlow", "run", "--with", "card", "--datastore-root", root);
            Assert.That(result.Code, Is.EqualTo(0), result.ToString());

            var client = new FlowClient(FlowDatastore.Local(root)) { Namespace = null };
            var run = (await client.Flow("CardsFlow").ListAsync()).Single();
            var start = (await run.StepAsync("Start")).Single();
            Assert.That((await start.CardsAsync()).Select(c => c.Id), Is.EqualTo(new[] { "default", "extra" }));
            var html = await start.CardAsync();
            Assert.That(html, Does.Contain("<h2 id=\"scores-of-process-").And.Contain("class=\"chart-bar\"").And.Contain("<td>0.875</td>"));
            Assert.That(html, Does.Not.Contain($"Scores of process {Environment.ProcessId}<"), "rendered in a worker, not in the test's process");
            Assert.That(html, Does.Contain("Table component failed").And.Contain("not ready"));
            Assert.That(await start.StderrAsync(), Does.Contain("card 'default': Table component failed: System.InvalidOperationException: not ready"));
            Assert.That(result.Error, Does.Contain("Table component failed"), "the task's stderr reaches the scheduler's log");
            Assert.That(await start.CardAsync("extra"), Does.Contain("extra card"));
            var end = (await run.StepAsync("End")).Single();
            Assert.That((await end.CardsAsync()).Select(c => c.Id), Is.EqualTo(new[] { "default" }), "--with card");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
