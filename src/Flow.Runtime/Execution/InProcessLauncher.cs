using Flow.Datastore;

namespace Flow.Execution;

/// <summary>
/// Runs tasks on the thread pool of this process. A thread cannot be stopped: a task past its timeout is
/// recorded as failed and left running, fenced off (<see cref="AttemptFence"/>) so that it writes nothing
/// afterwards, with its step's cancellation token cancelled in case it looks.
/// </summary>
internal sealed class InProcessLauncher(TaskExecutor executor) : ITaskLauncher
{
    private static readonly IReadOnlyDictionary<string, string> NoVariables = new Dictionary<string, string>();

    /// <summary>Every task runs in this process, with its environment variables: one that sets some must run alone.</summary>
    public bool SharesEnvironment => true;

    public async Task<TaskRecord> RunAsync(TaskRequest request, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        // Set here, not on the step's thread, so that they are put back when the attempt ends or is given up, never later.
        using var environment = EnvironmentScope.Set(request.Environment);
        var attempt = request.Environment.Count == 0 ? request : request with { Environment = NoVariables };
        var prefix = $"[{request.Step}/{request.TaskId}] ";
        if (timeout is not { } limit)
        {
            return await Task.Run(() => executor.RunAsync(attempt, prefix, cancellationToken), cancellationToken).ConfigureAwait(false);
        }

        var started = DateTimeOffset.UtcNow;
        var fence = new AttemptFence();
        var work = Task.Run(() => executor.RunAsync(attempt, prefix, cancellationToken, fence), cancellationToken);
        using (var clock = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            var first = await Task.WhenAny(work, Task.Delay(limit, clock.Token)).ConfigureAwait(false);

            // A task that ended in time stops its clock, which would otherwise stay set for the whole timeout.
            await clock.CancelAsync().ConfigureAwait(false);
            if (first == work || !fence.TryAbandon())
            {
                return await work.ConfigureAwait(false);
            }
        }

        // What the abandoned attempt ends with, if it ever ends, is nobody's concern any more.
        _ = work.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        cancellationToken.ThrowIfCancellationRequested();
        var failed = TimedOut(executor.Definition.Graph.Name, request, limit, stopped: false) with { StartedAt = started };
        await executor.Datastore.Metadata.PutTaskAsync(failed, cancellationToken).ConfigureAwait(false);
        return failed;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    internal static TaskRecord TimedOut(string flow, TaskRequest request, TimeSpan limit, bool stopped) => Failed(
        flow,
        request,
        new TimeoutException(stopped
            ? $"Step {request.Step} ran longer than its timeout of {limit.TotalSeconds:0} s and was stopped."
            : $"Step {request.Step} ran longer than its timeout of {limit.TotalSeconds:0} s and was given up; it ran in the scheduler's process, where a step that does not observe Current.CancellationToken cannot be stopped (run with --isolation Process to stop it)."));

    internal static TaskRecord Failed(string flow, TaskRequest request, Exception error) => new()
    {
        Flow = flow,
        RunId = request.RunId,
        Step = request.Step,
        TaskId = request.TaskId,
        Position = request.Position,
        Status = RunStatus.Failed,
        Attempt = request.Attempt,
        Index = request.Index,
        Inputs = request.Inputs,
        Error = StepError.From(error, request.Step),
        StartedAt = DateTimeOffset.UtcNow,
        FinishedAt = DateTimeOffset.UtcNow,
    };
}
