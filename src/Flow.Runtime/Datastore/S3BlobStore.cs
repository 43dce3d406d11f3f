namespace Flow.Datastore;

/// <summary>
/// The blob store in S3, at <see cref="DatastoreLayout.Blob"/> under the prefix. A blob that exists is not written
/// again, and each write is one PutObject, which S3 makes visible whole or not at all, so concurrent writers of
/// the same content are harmless and a reader never sees a torn blob. It never lists or renames.
/// </summary>
public sealed class S3BlobStore : IBlobStore
{
    private readonly S3Objects _objects;

    internal S3BlobStore(S3Objects objects) => _objects = objects;

    /// <inheritdoc />
    public async Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        var path = DatastoreLayout.Blob(key);

        // The look-up only saves writing a blob that is there: where it fails (a server error once its retries are
        // spent, as S3-compatible servers give under concurrent writes of one key), the blob is written, and the
        // write's own error, if any, is the one reported.
        if (await ExistsOrUnknownAsync(path, cancellationToken).ConfigureAwait(false) == true)
        {
            return;
        }

        try
        {
            await _objects.PutAsync(path, data, key, cancellationToken).ConfigureAwait(false);
        }
        catch (FlowException)
        {
            // A store may fail one of several concurrent writers of a key; if another stored the blob, it is this one.
            if (await ExistsOrUnknownAsync(path, cancellationToken).ConfigureAwait(false) != true)
            {
                throw;
            }
        }
    }

    // Whether the object exists; null when the server failed to say (the caller then acts as if it did not).
    private async Task<bool?> ExistsOrUnknownAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return await _objects.ExistsAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (FlowException e) when (e.InnerException is Amazon.Runtime.AmazonServiceException { StatusCode: >= System.Net.HttpStatusCode.InternalServerError, InnerException: not (HttpRequestException or IOException) })
        {
            // Only a server's own error: an endpoint that does not answer, or denied access, fails the write at once.
            return null;
        }
    }

    /// <inheritdoc />
    public Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default) => _objects.GetAsync(DatastoreLayout.Blob(key), cancellationToken);

    /// <inheritdoc />
    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => _objects.ExistsAsync(DatastoreLayout.Blob(key), cancellationToken);
}
