using System.Runtime.InteropServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Flow.S3;

namespace Flow.Datastore;

/// <summary>
/// One bucket and prefix behind one client, addressed by <see cref="DatastoreLayout"/> keys: object reads, writes
/// and listings, each failure turned into a <see cref="FlowException"/> by the <see cref="S3ErrorTranslator"/>.
/// </summary>
internal sealed class S3Objects(IAmazonS3 client, S3Root location, AWSCredentials? credentials)
{
    private const int ParallelReads = 16;
    private readonly S3ErrorTranslator _errors = new(client, credentials, DatastoreConfig.RootVariable, "resume the run");

    public S3Root Location => location;

    public async Task PutAsync(string relative, ReadOnlyMemory<byte> data, string? sha256, CancellationToken cancellationToken)
    {
        var key = location.Key(relative);
        var body = MemoryMarshal.TryGetArray(data, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(data.ToArray(), writable: false);
        await using (body.ConfigureAwait(false))
        {
            var request = new PutObjectRequest { BucketName = location.Bucket, Key = key, InputStream = body, AutoCloseStream = false };
            if (sha256 is not null)
            {
                // The store checks the body against the content hash: a blob is never stored under a wrong key.
                request.ChecksumSHA256 = Convert.ToBase64String(Convert.FromHexString(sha256));
            }

            await CallAsync("write", key, () => client.PutObjectAsync(request, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
    }

    public Task<byte[]?> GetAsync(string relative, CancellationToken cancellationToken)
    {
        var key = location.Key(relative);
        return CallAsync("read", key, async () =>
        {
            try
            {
                using var response = await client.GetObjectAsync(location.Bucket, key, cancellationToken).ConfigureAwait(false);
                var length = response.ContentLength;
                if (length > Array.MaxLength)
                {
                    throw new FlowException($"s3://{location.Bucket}/{key} is {length} bytes, too large to read into memory.");
                }

                var bytes = new byte[length];
                await response.ResponseStream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
                return bytes;
            }
            catch (AmazonS3Exception e) when (S3ErrorTranslator.IsMissingObject(e))
            {
                return null;
            }
        }, cancellationToken);
    }

    public Task<bool> ExistsAsync(string relative, CancellationToken cancellationToken)
    {
        var key = location.Key(relative);
        return CallAsync("look up", key, async () =>
        {
            try
            {
                await client.GetObjectMetadataAsync(location.Bucket, key, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (AmazonS3Exception e) when (S3ErrorTranslator.IsMissingObject(e))
            {
                return false;
            }
        }, cancellationToken);
    }

    /// <summary>The keys (relative to <paramref name="folder"/>) directly under it, or with <paramref name="folders"/> the names of its sub-folders.</summary>
    public async Task<List<string>> ListAsync(string folder, bool folders, CancellationToken cancellationToken)
    {
        // The root's folders are listed under the prefix itself (no prefix at all for a bucket's root).
        var prefix = folder.Length > 0 ? location.Key(folder) + "/" : location.Prefix.Length > 0 ? location.Prefix + "/" : "";
        var request = new ListObjectsV2Request { BucketName = location.Bucket, Prefix = prefix, Delimiter = "/" };
        var names = new List<string>();
        ListObjectsV2Response response;
        do
        {
            response = await CallAsync("list", prefix, () => client.ListObjectsV2Async(request, cancellationToken), cancellationToken).ConfigureAwait(false);
            names.AddRange(folders
                ? (response.CommonPrefixes ?? []).Select(p => p[prefix.Length..].TrimEnd('/'))
                : (response.S3Objects ?? []).Select(o => o.Key[prefix.Length..]));
            request.ContinuationToken = response.NextContinuationToken;
        }
        while (response.IsTruncated == true);

        return names;
    }

    /// <summary>Reads several objects at once, keeping their order; missing ones are left out.</summary>
    public async Task<List<byte[]>> GetManyAsync(IReadOnlyList<string> relatives, CancellationToken cancellationToken)
    {
        var results = new byte[]?[relatives.Count];
        await Parallel.ForAsync(0, relatives.Count, new ParallelOptions { MaxDegreeOfParallelism = ParallelReads, CancellationToken = cancellationToken }, async (i, token) =>
            results[i] = await GetAsync(relatives[i], token).ConfigureAwait(false)).ConfigureAwait(false);
        return results.OfType<byte[]>().ToList();
    }

    private Task<T> CallAsync<T>(string operation, string key, Func<Task<T>> call, CancellationToken cancellationToken) =>
        _errors.CallAsync(operation, location.Bucket, key, call, cancellationToken);

    /// <summary>The objects directly under <paramref name="folder"/>: their keys relative to it, and their sizes.</summary>
    public async Task<List<(string Name, long Size)>> ListSizedAsync(string folder, CancellationToken cancellationToken) =>
        (await ListVersionedAsync(folder, cancellationToken).ConfigureAwait(false)).Select(o => (o.Name, o.Size)).ToList();

    /// <summary>
    /// The objects directly under <paramref name="folder"/>: their keys relative to it, their sizes, and a version that
    /// changes when an object is written again (its ETag, size and modification time).
    /// </summary>
    public async Task<List<(string Name, long Size, string Version)>> ListVersionedAsync(string folder, CancellationToken cancellationToken)
    {
        var prefix = location.Key(folder) + "/";
        var request = new ListObjectsV2Request { BucketName = location.Bucket, Prefix = prefix, Delimiter = "/" };
        var objects = new List<(string Name, long Size, string Version)>();
        ListObjectsV2Response response;
        do
        {
            response = await CallAsync("list", prefix, () => client.ListObjectsV2Async(request, cancellationToken), cancellationToken).ConfigureAwait(false);
            objects.AddRange((response.S3Objects ?? []).Select(o => (o.Key[prefix.Length..], o.Size ?? 0,
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{o.ETag}/{o.Size ?? 0}@{o.LastModified?.Ticks ?? 0}"))));
            request.ContinuationToken = response.NextContinuationToken;
        }
        while (response.IsTruncated == true);

        return objects;
    }
}
