using Flow.Cli;
using Flow.Datastore;
using Flow.Execution;
using NUnit.Framework;

namespace Flow.Tests.Runtime;

public class ProgressDisplayTests
{
    private static readonly string[] Steps = ["Start", "Work", "Join", "End"];

    [Test]
    public void TheStatusLineShowsEachStepsTasksDoneOutOfThoseKnownAndTheElapsedTime()
    {
        var time = new ManualTime();
        var display = new ProgressDisplay(new StringWriter(), live: true, Steps, time);
        display.Queued("Start");
        display.Started("Start");
        display.Finished("Start", succeeded: true);
        for (var i = 0; i < 20; i++)
        {
            display.Queued("Work");
        }

        for (var i = 0; i < 13; i++)
        {
            display.Started("Work");
        }

        for (var i = 0; i < 11; i++)
        {
            display.Finished("Work", succeeded: true);
        }

        time.Advance(TimeSpan.FromSeconds(12.7));
        Assert.That(display.StatusText(), Is.EqualTo("Start 1/1 done | Work 11/20 done, 2 running | 0:12"));

        display.Finished("Work", succeeded: false);
        time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(2));
        Assert.That(display.StatusText(), Is.EqualTo("Start 1/1 done | Work 11/20 done, 1 running, 1 failed | 1:02:12"));
        display.Close();
    }

    [Test]
    public void ALoopStepShowsItsIterationsSoFar()
    {
        var display = new ProgressDisplay(new StringWriter(), live: true, ["Start", "Train", "End"], new ManualTime(), loops: ["Train"]);
        display.Queued("Start");
        display.Cloned("Start");
        for (var i = 0; i < 7; i++)
        {
            display.Queued("Train");
            display.Started("Train");
            if (i < 6)
            {
                display.Finished("Train", succeeded: true);
            }
        }

        Assert.That(display.StatusText(), Is.EqualTo("Start 1/1 done | Train 7 iterations, 1 running | 0:00"));
        display.Finished("Train", succeeded: false);
        Assert.That(display.StatusText(), Is.EqualTo("Start 1/1 done | Train 7 iterations, 1 failed | 0:00"));
        display.Close();
    }

    [Test]
    public void ClonedTasksCountAsDone()
    {
        var display = new ProgressDisplay(new StringWriter(), live: true, Steps, new ManualTime());
        display.Queued("Start");
        display.Cloned("Start");
        display.Queued("Work");
        display.Queued("Work");
        display.Cloned("Work");
        Assert.That(display.StatusText(), Is.EqualTo("Start 1/1 done | Work 1/2 done | 0:00"));
        display.Close();
    }

    [Test]
    public async Task ARunOnATerminalDrawsItsStepsTotalsWithTheTimeOfItsTimeProvider()
    {
        var root = Directory.CreateTempSubdirectory("flow-test-").FullName;
        try
        {
            var log = new StringWriter();
            var result = await new LocalScheduler(FlowApp.DefinitionOf<WideFlow>(), new RunOptions
            {
                MaxWorkers = 2,
                Log = log,
                Output = TextWriter.Null,
                Datastore = FlowDatastore.Local(root),
                LiveProgress = true,
                TimeProvider = new ManualTime(),
            }).RunAsync();
            Assert.That(result.Succeeded, Is.True, result.Error?.ToString());

            // Each line the run logs redraws the status line under it; the summary comes after the last task.
            Assert.That(log.ToString(), Does.Contain("Start 1/1 done | Work 20/20 done | Join 1/1 done | End 1/1 done | 0:00"));
            Assert.That(log.ToString(), Does.Contain("succeeded: 23 tasks in 0.00 s."));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>A clock that moves only when told.</summary>
    private sealed class ManualTime : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
