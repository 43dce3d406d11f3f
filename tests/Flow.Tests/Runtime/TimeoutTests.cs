using Flow.Cli;
using Flow.Datastore;
using Flow.Execution;
using NUnit.Framework;

namespace Flow.Tests.Runtime;

/// <summary>Timeouts of tasks that run in the scheduler's own process, whose threads cannot be stopped.</summary>
[NonParallelizable]
public class TimeoutTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private string _root = "";

    [SetUp]
    public void CreateDatastore()
    {
        _root = Directory.CreateTempSubdirectory("flow-test-").FullName;
        _abandoned.Clear();
        NapSignals.Reset();
    }

    [TearDown]
    public void DeleteDatastore() => Directory.Delete(_root, recursive: true);

    private FlowDatastore Store => FlowDatastore.Local(_root);

    // The attempts given up at their timeout, which run on: a test waits for them to end before it looks at what they wrote.
    private readonly System.Collections.Concurrent.ConcurrentQueue<Task> _abandoned = new();

    private Task<RunResult> RunAsync<TFlow>(TimeProvider? time = null)
        where TFlow : FlowSpec, IFlowDefinitionProvider<TFlow> =>
        new LocalScheduler(FlowApp.DefinitionOf<TFlow>(), new RunOptions { MaxWorkers = 2, Log = TextWriter.Null, Output = TextWriter.Null, Datastore = Store, Isolation = TaskIsolation.InProcess, AttemptAbandoned = _abandoned.Enqueue, TimeProvider = time ?? TimeProvider.System }).RunAsync();

    [Test]
    public async Task ATimedOutTaskIsSavedAsFailedAndTheAbandonedThreadDoesNotOverwriteIt()
    {
        var result = await RunAsync<OversleepFlow>();
        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.Error!.Message, Does.Contain("timeout of 2 s"));
        var saved = await NapRecordAsync("OversleepFlow", result.RunId);
        Assert.That(saved.Status, Is.EqualTo(RunStatus.Failed));
        Assert.That(saved.Error!.Message, Does.Contain("timeout of 2 s"));

        // The abandoned step wakes up and returns: nothing it does afterwards reaches the task's record.
        await AbandonedAttemptsEndedAsync();
        var after = await NapRecordAsync("OversleepFlow", result.RunId);
        Assert.That(after.Status, Is.EqualTo(RunStatus.Failed));
        Assert.That(after.Error!.Message, Does.Contain("timeout of 2 s"));
    }

    [Test]
    public async Task TheRetryOfATimedOutTaskKeepsItsRecordWhenTheAbandonedAttemptWakesUp()
    {
        var result = await RunAsync<OversleepOnceFlow>();
        Assert.That(result.Succeeded, Is.True, result.Error?.ToString());
        Assert.That(result.Artifact<string>("SleptIn"), Is.EqualTo("attempt 1"));
        var saved = await NapRecordAsync("OversleepOnceFlow", result.RunId);
        Assert.That((saved.Status, saved.Attempt), Is.EqualTo((RunStatus.Succeeded, 1)));

        await AbandonedAttemptsEndedAsync();
        var after = await NapRecordAsync("OversleepOnceFlow", result.RunId);
        Assert.That((after.Status, after.Attempt), Is.EqualTo((RunStatus.Succeeded, 1)));
    }

    [Test]
    public async Task AStepThatObservesItsCancellationTokenStopsAtItsTimeout()
    {
        var result = await RunAsync<WatchfulFlow>();
        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.Error!.Message, Does.Contain("timeout of 1 s"));
        Assert.That(await NapSignals.Stopped.Task.WaitAsync(Patience), Is.True, "the step saw its token cancelled");
    }

    [Test]
    public async Task TheTimeoutRunsOnTheRunsClock()
    {
        // An hour's timeout on a clock whose long waits are over at once: the step is given up without waiting an
        // hour. (Whether the step saw its token is the test above's: here the wait may end before the step starts.)
        var result = await RunAsync<PatientFlow>(new InstantTime()).WaitAsync(Patience);
        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.Error!.Message, Does.Contain("timeout of 3600 s"));
        Assert.That(_abandoned, Is.Not.Empty, "the attempt was given up at its timeout");
        await Task.WhenAll(_abandoned.Select(attempt => attempt.ContinueWith(static _ => { }, TaskScheduler.Default))).WaitAsync(Patience);
    }

    [Test]
    public async Task ATimeoutWhoseFailureCannotBeStoredFailsTheTaskNotTheRun()
    {
        // The step replaces its run's tasks folder by a file, then oversleeps: the timeout's failed record cannot be stored.
        NapSignals.BreakStore = () =>
        {
            var tasks = Path.Combine(Directory.EnumerateDirectories(Path.Combine(_root, "BrokenNapFlow")).Single(), "tasks");
            Directory.Delete(tasks, recursive: true);
            File.WriteAllText(tasks, "not a folder");
        };

        var result = await RunAsync<BrokenNapFlow>().WaitAsync(Patience);
        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.Error!.Message, Does.Contain("timeout of 1 s").And.Contain("could not store this failure"));
        await AbandonedAttemptsEndedAsync();
    }

    private sealed class InstantTime : TimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            base.CreateTimer(callback, state, dueTime >= TimeSpan.FromMinutes(1) ? TimeSpan.FromMilliseconds(100) : dueTime, period);
    }

    private async Task<TaskRecord> NapRecordAsync(string flow, string runId) =>
        (await Store.Metadata.ListTasksAsync(flow, runId)).Single(t => t.Step == "Nap");

    // Once an abandoned attempt's task has ended, whatever it could write is written: the record read next is final.
    private async Task AbandonedAttemptsEndedAsync()
    {
        Assert.That(_abandoned, Is.Not.Empty, "an attempt was given up at its timeout");
        await Task.WhenAll(_abandoned.Select(attempt => attempt.ContinueWith(static _ => { }, TaskScheduler.Default))).WaitAsync(Patience);
        Assert.That(NapSignals.Woke.Task.IsCompleted, Is.True, "the abandoned step woke up and returned");
    }
}

/// <summary>What the steps below tell the tests (when an abandoned step woke up, whether one saw its token), and what the tests give them.</summary>
internal static class NapSignals
{
    public static TaskCompletionSource Woke { get; private set; } = new();

    public static TaskCompletionSource<bool> Stopped { get; private set; } = new();

    /// <summary>What a step calls to break the datastore under its own run.</summary>
    public static Action BreakStore { get; set; } = () => { };

    public static void Reset()
    {
        BreakStore = () => { };
        Woke = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Stopped = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

public partial class OversleepFlow : FlowSpec
{
    public string SleptIn { get; set; } = "";

    [Step]
    public void Start() => Next(Nap);

    [Step]
    [Timeout(Seconds = 2)]
    public void Nap()
    {
        Thread.Sleep(TimeSpan.FromSeconds(5));
        SleptIn = "attempt 0";
        NapSignals.Woke.TrySetResult();
        Next(End);
    }

    [Step]
    public void End()
    {
    }
}

public partial class OversleepOnceFlow : FlowSpec
{
    public string SleptIn { get; set; } = "";

    [Step]
    public void Start() => Next(Nap);

    // The retry does not sleep: two seconds are plenty for it, even on a busy machine.
    [Step]
    [Timeout(Seconds = 2)]
    [Retry(Times = 1)]
    public void Nap()
    {
        if (Current.Attempt == 0)
        {
            Thread.Sleep(TimeSpan.FromSeconds(5));
            NapSignals.Woke.TrySetResult();
        }

        SleptIn = $"attempt {Current.Attempt}";
        Next(End);
    }

    [Step]
    public void End()
    {
    }
}

public partial class BrokenNapFlow : FlowSpec
{
    [Step]
    public void Start() => Next(Nap);

    [Step]
    [Timeout(Seconds = 1)]
    public void Nap()
    {
        NapSignals.BreakStore();
        Thread.Sleep(TimeSpan.FromSeconds(3));
        NapSignals.Woke.TrySetResult();
        Next(End);
    }

    [Step]
    public void End()
    {
    }
}

public partial class PatientFlow : FlowSpec
{
    [Step]
    public void Start() => Next(Nap);

    [Step]
    [Timeout(Seconds = 3600)]
    public void Nap()
    {
        var token = Current.CancellationToken;
        token.WaitHandle.WaitOne(TimeSpan.FromSeconds(20));
        NapSignals.Stopped.TrySetResult(token.IsCancellationRequested);
        token.ThrowIfCancellationRequested();
        Next(End);
    }

    [Step]
    public void End()
    {
    }
}

public partial class WatchfulFlow : FlowSpec
{
    [Step]
    public void Start() => Next(Nap);

    [Step]
    [Timeout(Seconds = 1)]
    public void Nap()
    {
        var token = Current.CancellationToken;
        token.WaitHandle.WaitOne(TimeSpan.FromSeconds(30));
        NapSignals.Stopped.TrySetResult(token.IsCancellationRequested);
        token.ThrowIfCancellationRequested();
        Next(End);
    }

    [Step]
    public void End()
    {
    }
}
