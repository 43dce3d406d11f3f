namespace Flow.Datastore;

/// <summary>
/// The blob store in a local folder (by default <c>.flow/</c> in the working directory), laid out by
/// <see cref="DatastoreLayout"/>. Blobs are written to a temporary file and renamed into place, so a reader
/// never sees a torn blob. Blobs that earlier versions stored under <see cref="DatastoreLayout.EarlierLocalBlob"/>
/// are read where they are.
/// </summary>
public sealed class LocalBlobStore : IBlobStore
{
    private readonly string _root;

    /// <summary>Stores blobs under <paramref name="root"/>/blobs.</summary>
    public LocalBlobStore(string root) => _root = Path.GetFullPath(root);

    /// <inheritdoc />
    public Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        PutAsync(key, [data], cancellationToken);

    /// <inheritdoc />
    public async Task PutAsync(string key, IReadOnlyList<ReadOnlyMemory<byte>> segments, CancellationToken cancellationToken = default)
    {
        // Identical bytes are stored once; a blob of the wrong length was damaged after it was written, and is replaced.
        if (Find(key) is { } existing && new FileInfo(existing).Length == segments.Sum(s => (long)s.Length))
        {
            return;
        }

        await LocalFiles.WriteAtomicAsync(PathOf(key), segments, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default) =>
        await LocalFiles.ReadAsync(PathOf(key), cancellationToken).ConfigureAwait(false)
        ?? await LocalFiles.ReadAsync(EarlierPathOf(key), cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => Task.FromResult(Find(key) is not null);

    /// <inheritdoc />
    public Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken = default) =>
        Task.FromResult(Open(PathOf(key)) ?? Open(EarlierPathOf(key)));

    private static Stream? Open(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private string? Find(string key) =>
        File.Exists(PathOf(key)) ? PathOf(key) : File.Exists(EarlierPathOf(key)) ? EarlierPathOf(key) : null;

    private string PathOf(string key) => Path.Combine(_root, DatastoreLayout.Blob(key));

    private string EarlierPathOf(string key) => Path.Combine(_root, DatastoreLayout.EarlierLocalBlob(key));
}
