namespace Flow.S3;

/// <summary>How an <see cref="S3Transfer"/> moves data.</summary>
public sealed record S3TransferOptions
{
    /// <summary>How many objects move at once, and how many parts of one large object at once.</summary>
    public int Parallelism { get; init; } = 16;

    /// <summary>The size of each part of a large upload (5 MiB at least: S3's multipart minimum).</summary>
    public long PartSize { get; init; } = 16L << 20;

    /// <summary>Objects at least this large are uploaded in parts, in parallel (multipart upload).</summary>
    public long MultipartThreshold { get; init; } = 32L << 20;

    /// <summary>
    /// How many times one request is tried when the connection or the server fails (the SDK's retry policy, set
    /// on the client the transfer makes from the SDK's settings; a client or config passed in keeps its own).
    /// </summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>Told of the bytes and objects done so far, as they are done.</summary>
    public IProgress<S3TransferProgress>? Progress { get; init; }
}
