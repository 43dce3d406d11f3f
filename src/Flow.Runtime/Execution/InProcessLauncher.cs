using Flow.Datastore;

namespace Flow.Execution;

/// <summary>
/// Runs tasks on the thread pool of this process. A thread cannot be stopped: a task past its timeout is
/// recorded as failed and left running, fenced off (<see cref="AttemptFence"/>) so that it writes nothing
/// afterwards, with its step's cancellation token cancelled in case it looks. A datastore failure under a task
/// fails the task, as it does in a worker, and never the whole run.
/// </summary>
internal sealed class InProcessLauncher(TaskExecutor executor, TimeProvider time, Action<Task>? abandoned = null) : ITaskLauncher
{
    private static readonly IReadOnlyDictionary<string, string> NoVariables = new Dictionary<string, string>();

    /// <summary>Every task runs in this process, with its environment variables: one that sets some must run alone.</summary>
    public bool SharesEnvironment => true;

    public async Task<TaskRecord> RunAsync(TaskRequest request, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        // Set here, not on the step's thread, so that they are put back when the attempt ends or is given up, never later.
        using var environment = EnvironmentScope.Set(request.Environment);
        var attempt = request.Environment.Count == 0 ? request : request with { Environment = NoVariables };
        var started = DateTimeOffset.UtcNow;
        try
        {
            return await RunAttemptAsync(attempt, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TaskNotStoredException e)
        {
            return e.Record;
        }
        catch (Exception e) when (TaskExecutor.IsStoreFailure(e) && !cancellationToken.IsCancellationRequested)
        {
            return FailedRecords.Failed(executor.Definition.Graph.Name, request, e, started);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task<TaskRecord> RunAttemptAsync(TaskRequest attempt, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var prefix = $"[{attempt.Step}/{attempt.TaskId}] ";
        if (timeout is not { } limit)
        {
            return await Task.Run(() => executor.RunAsync(attempt, prefix, cancellationToken), cancellationToken).ConfigureAwait(false);
        }

        var started = time.GetUtcNow();
        var fence = new AttemptFence();
        var work = Task.Run(() => executor.RunAsync(attempt, prefix, cancellationToken, fence), cancellationToken);
        using (var clock = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            var first = await Task.WhenAny(work, Task.Delay(limit, time, clock.Token)).ConfigureAwait(false);

            // A task that ended in time stops its clock, which would otherwise stay set for the whole timeout.
            await clock.CancelAsync().ConfigureAwait(false);
            if (first == work || !fence.TryAbandon())
            {
                return await work.ConfigureAwait(false);
            }
        }

        // What the abandoned attempt ends with, if it ever ends, is nobody's concern any more.
        _ = work.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        abandoned?.Invoke(work);
        cancellationToken.ThrowIfCancellationRequested();
        var failed = FailedRecords.TimedOut(executor.Definition.Graph.Name, attempt, limit, stopped: false) with { StartedAt = started, FinishedAt = time.GetUtcNow() };
        try
        {
            await executor.Datastore.Metadata.PutTaskAsync(failed, cancellationToken).ConfigureAwait(false);
            await Cards.EndedCards.MarkAsync(executor.Datastore.Metadata, failed, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (TaskExecutor.IsStoreFailure(e))
        {
            var error = new FlowException($"{failed.Error!.Message} The datastore at {executor.Datastore.Description} could not store this failure: {e.Message}", e);
            return failed with { Error = StepError.From(error, attempt.Step) };
        }

        return failed;
    }
}
