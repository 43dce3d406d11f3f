using Flow.Datastore;

namespace Flow.Execution;

/// <summary>Runs task attempts somewhere and returns their records.</summary>
internal interface ITaskLauncher : IAsyncDisposable
{
    Task<TaskRecord> RunAsync(TaskRequest request, TimeSpan? timeout, CancellationToken cancellationToken);
}
