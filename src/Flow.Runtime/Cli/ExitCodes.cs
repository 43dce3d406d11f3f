namespace Flow.Cli;

/// <summary>The exit codes of a flow's command line, for scripts.</summary>
public static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Success = 0;

    /// <summary>The run started, and a task failed.</summary>
    public const int RunFailed = 1;

    /// <summary>The command line or its input was wrong: unknown command, step, run or parameter, a value of the wrong type.</summary>
    public const int UsageError = 2;

    /// <summary>The flow's definition or its stored data is unusable.</summary>
    public const int FlowError = 3;
}
