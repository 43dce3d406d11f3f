namespace Flow;

/// <summary>An error in how a flow was defined, started or read, with a message that says what to do.</summary>
public class FlowException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FlowException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public FlowException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>The error of a failed step, as stored in a <see cref="CatchAttribute"/> artifact.</summary>
[MessagePack.MessagePackObject(keyAsPropertyName: true)]
public sealed class StepError
{
    /// <summary>The exception's type name.</summary>
    public string Type { get; set; } = "";

    /// <summary>The exception's message.</summary>
    public string Message { get; set; } = "";

    /// <summary>The exception's stack trace, if any.</summary>
    public string? StackTrace { get; set; }

    /// <summary>The step that failed.</summary>
    public string Step { get; set; } = "";

    /// <summary>Creates the error record of an exception thrown by a step.</summary>
    public static StepError From(Exception exception, string step) => new()
    {
        Type = exception.GetType().FullName ?? exception.GetType().Name,
        Message = exception.Message,
        StackTrace = exception.StackTrace,
        Step = step,
    };

    /// <inheritdoc />
    public override string ToString() => $"{Type}: {Message}";
}
