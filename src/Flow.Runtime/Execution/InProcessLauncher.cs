using Flow.Datastore;

namespace Flow.Execution;

/// <summary>Runs tasks on the thread pool of this process.</summary>
internal sealed class InProcessLauncher(TaskExecutor executor) : ITaskLauncher
{
    public async Task<TaskRecord> RunAsync(TaskRequest request, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var work = Task.Run(() => executor.RunAsync(request, $"[{request.Step}/{request.TaskId}] ", cancellationToken), cancellationToken);
        if (timeout is not { } limit || await Task.WhenAny(work, Task.Delay(limit, cancellationToken)).ConfigureAwait(false) == work)
        {
            return await work.ConfigureAwait(false);
        }

        return TimedOut(executor.Definition.Graph.Name, request, limit);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    internal static TaskRecord TimedOut(string flow, TaskRequest request, TimeSpan limit) => Failed(
        flow, request, new TimeoutException($"Step {request.Step} ran longer than its timeout of {limit.TotalSeconds:0} s and was stopped."));

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
