using Flow.Datastore;

namespace Flow.Execution;

/// <summary>Runs task attempts somewhere and returns their records.</summary>
internal interface ITaskLauncher : IAsyncDisposable
{
    /// <summary>Whether tasks share one process's environment variables, so that a task that sets some must run alone.</summary>
    bool SharesEnvironment { get; }

    Task<TaskRecord> RunAsync(TaskRequest request, TimeSpan? timeout, CancellationToken cancellationToken);

    /// <summary>
    /// Whether the step's tasks run elsewhere (a cluster): they take none of this machine's cores, memory or GPUs,
    /// and do not count against <see cref="RunOptions.MaxWorkers"/>.
    /// </summary>
    bool RunsElsewhere(Graph.StepNode step) => false;

    /// <summary>
    /// Called after the scheduler has started every task it can for now, and after each retry is started: a launcher
    /// that batches the tasks it is given (a job array) submits them then.
    /// </summary>
    void Started()
    {
    }
}
