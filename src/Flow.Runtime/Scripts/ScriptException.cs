namespace Flow;

/// <summary>
/// A script run by <see cref="Script"/> failed: it raised an error (its last error lines are in the message), exited with
/// a non-zero code, wrote no output, or could not be started.
/// </summary>
public sealed class ScriptException : FlowException
{
    /// <summary>Creates the exception.</summary>
    public ScriptException(string message, string script, int? exitCode = null, string errorTail = "")
        : base(message)
    {
        Script = script;
        ExitCode = exitCode;
        ErrorTail = errorTail;
    }

    /// <summary>Creates the exception with its cause.</summary>
    public ScriptException(string message, string script, Exception inner)
        : base(message, inner)
    {
        Script = script;
        ErrorTail = "";
    }

    /// <summary>The script's full path (or the path asked for, when it was not found).</summary>
    public string Script { get; }

    /// <summary>The script's exit code, when it ran.</summary>
    public int? ExitCode { get; }

    /// <summary>The last lines the script wrote to its stderr (a traceback's last lines).</summary>
    public string ErrorTail { get; }
}
