namespace Flow.Datastore;

/// <summary>
/// A content-addressed store of immutable blobs: the key is the SHA-256 of the bytes. The contract
/// has no renames and no listings, so an object store such as S3 implements it directly.
/// </summary>
public interface IBlobStore
{
    /// <summary>Stores <paramref name="data"/> under <paramref name="key"/> unless it is already there. Safe to call concurrently with the same key.</summary>
    Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>The bytes stored under <paramref name="key"/>, or null when there are none.</summary>
    Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Whether a blob is stored under <paramref name="key"/>.</summary>
    Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores the concatenation of <paramref name="segments"/> under <paramref name="key"/>, as <see cref="PutAsync(string, ReadOnlyMemory{byte}, CancellationToken)"/>
    /// does; a large value is given in pieces so that it need not be copied into one buffer. The default joins them.
    /// </summary>
    async Task PutAsync(string key, IReadOnlyList<ReadOnlyMemory<byte>> segments, CancellationToken cancellationToken = default)
    {
        if (segments.Count == 1)
        {
            await PutAsync(key, segments[0], cancellationToken).ConfigureAwait(false);
            return;
        }

        var joined = new byte[segments.Sum(s => (long)s.Length)];
        var at = 0;
        foreach (var segment in segments)
        {
            segment.CopyTo(joined.AsMemory(at));
            at += segment.Length;
        }

        await PutAsync(key, joined, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A stream over the blob stored under <paramref name="key"/>, or null when there is none. The default reads it whole.</summary>
    async Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken = default) =>
        await GetAsync(key, cancellationToken).ConfigureAwait(false) is { } bytes ? new MemoryStream(bytes, writable: false) : null;
}
