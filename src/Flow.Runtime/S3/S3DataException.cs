namespace Flow.S3;

/// <summary>
/// Data that came back from S3 (or went to it) other than it should have: damaged on the way, shorter or longer than
/// announced, or a file that changed while it was uploaded. Not an endpoint that does not answer.
/// </summary>
public sealed class S3DataException : IOException
{
    /// <summary>Creates the exception with what was wrong.</summary>
    public S3DataException(string message)
        : base(message)
    {
    }
}
