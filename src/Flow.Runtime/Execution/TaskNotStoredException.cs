using Flow.Datastore;

namespace Flow.Execution;

/// <summary>
/// A task ran, but the datastore failed under it so that not even its failed record could be stored: the task has
/// started, so its caller reports a failed task (exit code 1), not bad input.
/// </summary>
internal sealed class TaskNotStoredException(TaskRecord record, string message, Exception inner) : FlowException(message, inner)
{
    /// <summary>The failed record that could not be stored, naming the datastore's error.</summary>
    public TaskRecord Record { get; } = record;
}
