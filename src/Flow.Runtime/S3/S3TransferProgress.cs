namespace Flow.S3;

/// <summary>How far a transfer is.</summary>
/// <param name="Bytes">Bytes moved so far.</param>
/// <param name="TotalBytes">Bytes to move, where known (uploads, and downloads once their sizes are read).</param>
/// <param name="Objects">Objects finished.</param>
/// <param name="TotalObjects">Objects to move.</param>
public sealed record S3TransferProgress(long Bytes, long TotalBytes, int Objects, int TotalObjects);
