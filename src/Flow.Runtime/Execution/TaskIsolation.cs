namespace Flow.Execution;

/// <summary>Where a task's step code runs.</summary>
public enum TaskIsolation
{
    /// <summary>On a thread of this process: fastest, no protection from crashes or hangs (tests, notebooks).</summary>
    InProcess,

    /// <summary>In reusable worker processes of the flow's program: a crash, kill or timeout fails only the task.</summary>
    Process,
}
