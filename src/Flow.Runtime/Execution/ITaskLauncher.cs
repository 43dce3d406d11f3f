using Flow.Datastore;

namespace Flow.Execution;

/// <summary>Runs task attempts somewhere and returns their records.</summary>
internal interface ITaskLauncher : IAsyncDisposable
{
    /// <summary>Whether tasks share one process's environment variables, so that a task that sets some must run alone.</summary>
    bool SharesEnvironment { get; }

    Task<TaskRecord> RunAsync(TaskRequest request, TimeSpan? timeout, CancellationToken cancellationToken);
}
