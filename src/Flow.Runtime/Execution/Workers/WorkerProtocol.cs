namespace Flow.Execution.Workers;

/// <summary>
/// What the scheduler and a worker say to each other over the worker's Unix socket: the scheduler's first line is
/// the datastore's root, each line after it a task request (JSON); the worker answers each request with a line
/// holding the task's record (JSON), after marking the end of the task's output on its stdout and stderr.
/// </summary>
internal static class WorkerProtocol
{
    /// <summary>
    /// Ends a worker's stdout and stderr after each task, before its reply, followed by the task's number in the
    /// worker (1, 2, ...): the scheduler reads up to it, so the task's last lines are on the console before the task
    /// is reported done. Control characters that output does not contain, ending a line of its own (or a last line
    /// the task left open).
    /// </summary>
    public const string TaskEnd = "\u001e\u001fflow:task-end:";
}
