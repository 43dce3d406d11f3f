using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Flow.Datastore;

/// <summary>A bucket and a key prefix: <c>s3://bucket/prefix</c>.</summary>
public sealed partial record S3Root(string Bucket, string Prefix)
{
    /// <summary>Parses <c>s3://bucket</c> or <c>s3://bucket/prefix</c>.</summary>
    public static S3Root Parse(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
        {
            throw new FlowException($"'{uri}' is not an S3 location; write s3://BUCKET/PREFIX.");
        }

        var rest = uri[5..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? "" : rest[(slash + 1)..].Trim('/');
        if (!BucketName().IsMatch(bucket))
        {
            throw new FlowException($"'{bucket}' in '{uri}' is not an S3 bucket name: 3 to 63 lower-case letters, digits, '.' and '-'.");
        }

        if (prefix.Split('/').Any(part => part is "." or ".." || (prefix.Length > 0 && part.Length == 0)))
        {
            throw new FlowException($"The prefix '{prefix}' in '{uri}' has an empty, '.' or '..' part; write s3://BUCKET/PREFIX with plain folder names.");
        }

        return new S3Root(bucket, prefix);
    }

    /// <summary>The full key of <paramref name="relative"/> under the prefix.</summary>
    public string Key(string relative) => Prefix.Length == 0 ? relative : $"{Prefix}/{relative}";

    /// <inheritdoc />
    public override string ToString() => Prefix.Length == 0 ? $"s3://{Bucket}" : $"s3://{Bucket}/{Prefix}";

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex BucketName();
}

/// <summary>Creates S3 clients from the AWS SDK's own settings (credentials, region, endpoint, profiles).</summary>
public static class S3Clients
{
    /// <summary>
    /// The client configuration the SDK reads from its standard settings (<c>AWS_REGION</c>, <c>AWS_PROFILE</c>,
    /// <c>AWS_ENDPOINT_URL_S3</c>, <c>AWS_ENDPOINT_URL</c>, <c>endpoint_url</c> in a profile), with path-style
    /// addressing for a custom endpoint (S3-compatible stores and local servers have no per-bucket host names).
    /// </summary>
    public static AmazonS3Config DefaultConfig()
    {
        var config = new AmazonS3Config();
        var endpoint = config.ServiceURL;
        var region = config.RegionEndpoint?.SystemName
            ?? Environment.GetEnvironmentVariable("AWS_REGION")
            ?? Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION");
        if (string.IsNullOrEmpty(endpoint))
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(string.IsNullOrEmpty(region) ? "us-east-1" : region);
            return config;
        }

        // Setting a region clears the service URL, so the endpoint goes last.
        config.AuthenticationRegion = string.IsNullOrEmpty(region) ? "us-east-1" : region;
        config.ServiceURL = endpoint;
        config.ForcePathStyle = true;
        return config;
    }

    /// <summary>A client with <paramref name="config"/> (default: <see cref="DefaultConfig"/>) and <paramref name="credentials"/> (default: the SDK's credential chain).</summary>
    public static AmazonS3Client Create(AmazonS3Config? config = null, AWSCredentials? credentials = null)
    {
        config ??= DefaultConfig();
        return credentials is null ? new AmazonS3Client(config) : new AmazonS3Client(credentials, config);
    }
}

/// <summary>
/// One bucket and prefix behind one client: object reads and writes with every failure turned into a
/// <see cref="FlowException"/> that names the operation and the object, and never a credential.
/// </summary>
internal sealed partial class S3Objects(IAmazonS3 client, S3Root location, AWSCredentials? credentials)
{
    private const int ParallelReads = 16;

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

    public async Task<byte[]?> GetAsync(string relative, CancellationToken cancellationToken)
    {
        var key = location.Key(relative);
        return await CallAsync("read", key, async () =>
        {
            try
            {
                using var response = await client.GetObjectAsync(location.Bucket, key, cancellationToken).ConfigureAwait(false);
                var length = response.ContentLength;
                if (length > Array.MaxLength)
                {
                    throw new FlowException($"{Describe(key)} is {length} bytes, too large to read into memory.");
                }

                var bytes = new byte[length];
                await response.ResponseStream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
                return bytes;
            }
            catch (AmazonS3Exception e) when (IsMissingKey(e))
            {
                return null;
            }
        }, cancellationToken).ConfigureAwait(false);
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
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket")
            {
                return false;
            }
        }, cancellationToken);
    }

    /// <summary>The keys (relative to the prefix) directly under <paramref name="folder"/>, or with <paramref name="folders"/> the names of its sub-folders.</summary>
    public async Task<List<string>> ListAsync(string folder, bool folders, CancellationToken cancellationToken)
    {
        var prefix = location.Key(folder) + "/";
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

    private static bool IsMissingKey(AmazonS3Exception e) => e.ErrorCode == "NoSuchKey" || (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket");

    private string Describe(string key) => $"s3://{location.Bucket}/{key}";

    private async Task<T> CallAsync<T>(string operation, string key, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException or OperationCanceledException)
        {
            throw new FlowException(Scrub($"Cannot {operation} {Describe(key)} in the S3 datastore: {Reason(e)}"), e);
        }
    }

    private string Reason(Exception e) => e switch
    {
        AmazonS3Exception { ErrorCode: "NoSuchBucket" } =>
            $"the bucket {location.Bucket} does not exist; create it or fix {DatastoreConfig.RootVariable}.",
        AmazonServiceException { StatusCode: HttpStatusCode.Forbidden } s =>
            $"access denied ({s.ErrorCode}: {s.Message}); check the AWS credentials (AWS_ACCESS_KEY_ID, AWS_PROFILE) and their permissions on the bucket.",
        AmazonServiceException s when s.InnerException is HttpRequestException or IOException =>
            $"{Unreachable()} ({s.InnerException.Message}).",
        AmazonServiceException s => $"{(int)s.StatusCode} {s.ErrorCode}: {s.Message}",
        HttpRequestException or IOException => $"{Unreachable()} ({e.Message}).",
        OperationCanceledException => $"{Unreachable()} (the request timed out).",
        _ => e.Message,
    };

    private string Unreachable() =>
        $"the S3 endpoint {Endpoint()} did not answer; check that it is up and reachable, then resume the run";

    private string Endpoint()
    {
        var url = client.Config.ServiceURL;
        if (string.IsNullOrEmpty(url))
        {
            return $"of region {client.Config.RegionEndpoint?.SystemName ?? "(none)"}";
        }

        // A URL may carry user information; it never goes into a message.
        return Uri.TryCreate(url, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Authority.Split('@')[^1]}" : "(custom)";
    }

    /// <summary>Removes the credentials in use, and anything shaped like an AWS key id, from a message.</summary>
    private string Scrub(string message)
    {
        ImmutableCredentials? secrets = null;
        try
        {
            secrets = (credentials ?? Amazon.Runtime.Credentials.DefaultAWSCredentialsIdentityResolver.GetCredentials(client.Config)).GetCredentials();
        }
        catch (Exception e) when (e is AmazonClientException or InvalidOperationException or IOException)
        {
            // No credentials can be found, so none can leak.
        }

        foreach (var secret in new[] { secrets?.SecretKey, secrets?.Token, secrets?.AccessKey })
        {
            if (!string.IsNullOrEmpty(secret) && secret.Length >= 4)
            {
                message = message.Replace(secret, "***", StringComparison.Ordinal);
            }
        }

        return AccessKeyId().Replace(message, "***");
    }

    [GeneratedRegex("\\b(AKIA|ASIA)[A-Z0-9]{12,}\\b", RegexOptions.CultureInvariant)]
    private static partial Regex AccessKeyId();
}

/// <summary>
/// The blob store in S3: <c>blobs/XX/HASH</c> under the prefix. A blob that exists is not written again,
/// and each write is one PutObject, which S3 makes visible whole or not at all, so concurrent writers of
/// the same content are harmless and a reader never sees a torn blob. It never lists or renames.
/// </summary>
public sealed class S3BlobStore : IBlobStore
{
    private readonly S3Objects _objects;

    internal S3BlobStore(S3Objects objects) => _objects = objects;

    /// <inheritdoc />
    public async Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        if (await _objects.ExistsAsync(path, cancellationToken).ConfigureAwait(false))
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
            if (!await _objects.ExistsAsync(path, cancellationToken).ConfigureAwait(false))
            {
                throw;
            }
        }
    }

    /// <inheritdoc />
    public Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default) => _objects.GetAsync(PathOf(key), cancellationToken);

    /// <inheritdoc />
    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => _objects.ExistsAsync(PathOf(key), cancellationToken);

    private static string PathOf(string key) =>
        key.Length == 64 && key.All(char.IsAsciiHexDigitLower)
            ? $"blobs/{key[..2]}/{key}"
            : throw new FlowException($"'{key}' is not a blob key (a lower-case SHA-256).");
}

/// <summary>
/// The metadata store in S3, laid out like the local one: <c>FLOW/RUN/run.json</c>,
/// <c>FLOW/RUN/tasks/STEP.TASK.json</c> and <c>FLOW/RUN/logs/STEP.TASK.ATTEMPT.STREAM</c> under the prefix.
/// Runs and tasks are found by listing their folder's prefix.
/// </summary>
public sealed class S3MetadataStore : IMetadataStore
{
    private readonly S3Objects _objects;

    internal S3MetadataStore(S3Objects objects) => _objects = objects;

    /// <inheritdoc />
    public async Task CreateRunAsync(RunRecord run, CancellationToken cancellationToken = default)
    {
        if (await _objects.ExistsAsync(RunFile(run.Flow, run.RunId), cancellationToken).ConfigureAwait(false))
        {
            throw new FlowException($"Run {run.Flow}/{run.RunId} exists already.");
        }

        await UpdateRunAsync(run, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task UpdateRunAsync(RunRecord run, CancellationToken cancellationToken = default) =>
        _objects.PutAsync(RunFile(run.Flow, run.RunId), RecordJson.Serialize(run), null, cancellationToken);

    /// <inheritdoc />
    public async Task<RunRecord?> GetRunAsync(string flow, string runId, CancellationToken cancellationToken = default)
    {
        var bytes = await _objects.GetAsync(RunFile(flow, runId), cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : RecordJson.Deserialize<RunRecord>(bytes, $"run {flow}/{runId}");
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<RunRecord>> ListRunsAsync(string flow, CancellationToken cancellationToken = default)
    {
        var runIds = (await _objects.ListAsync(Ids.Check(flow, "flow name"), folders: true, cancellationToken).ConfigureAwait(false))
            .Where(Ids.IsValid)
            .ToList();
        var files = await _objects.GetManyAsync(runIds.Select(id => RunFile(flow, id)).ToList(), cancellationToken).ConfigureAwait(false);
        return files.Select(bytes => RecordJson.Deserialize<RunRecord>(bytes, $"a run of {flow}")).ToList();
    }

    /// <inheritdoc />
    public Task PutTaskAsync(TaskRecord task, CancellationToken cancellationToken = default) =>
        _objects.PutAsync(TaskFile(task.Flow, task.RunId, task.Step, task.TaskId), RecordJson.Serialize(task), null, cancellationToken);

    /// <inheritdoc />
    public async Task<TaskRecord?> GetTaskAsync(string flow, string runId, string step, long taskId, CancellationToken cancellationToken = default)
    {
        var bytes = await _objects.GetAsync(TaskFile(flow, runId, step, taskId), cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : RecordJson.Deserialize<TaskRecord>(bytes, $"task {runId}/{step}/{taskId}");
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<TaskRecord>> ListTasksAsync(string flow, string runId, CancellationToken cancellationToken = default)
    {
        var folder = $"{RunFolder(flow, runId)}/tasks";
        var names = (await _objects.ListAsync(folder, folders: false, cancellationToken).ConfigureAwait(false))
            .Where(name => name.EndsWith(".json", StringComparison.Ordinal))
            .ToList();
        var files = await _objects.GetManyAsync(names.Select(name => $"{folder}/{name}").ToList(), cancellationToken).ConfigureAwait(false);
        return files.Select(bytes => RecordJson.Deserialize<TaskRecord>(bytes, $"a task of run {flow}/{runId}")).ToList();
    }

    /// <inheritdoc />
    public Task PutLogAsync(string flow, string runId, string step, long taskId, int attempt, string stream, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        _objects.PutAsync(LogFile(flow, runId, step, taskId, attempt, stream), content, null, cancellationToken);

    /// <inheritdoc />
    public Task<byte[]?> GetLogAsync(string flow, string runId, string step, long taskId, int attempt, string stream, CancellationToken cancellationToken = default) =>
        _objects.GetAsync(LogFile(flow, runId, step, taskId, attempt, stream), cancellationToken);

    private static string RunFolder(string flow, string runId) => $"{Ids.Check(flow, "flow name")}/{Ids.Check(runId, "run id")}";

    private static string RunFile(string flow, string runId) => $"{RunFolder(flow, runId)}/run.json";

    private static string TaskFile(string flow, string runId, string step, long taskId) =>
        $"{RunFolder(flow, runId)}/tasks/{Ids.Check(step, "step name")}.{taskId}.json";

    private static string LogFile(string flow, string runId, string step, long taskId, int attempt, string stream) =>
        $"{RunFolder(flow, runId)}/logs/{Ids.Check(step, "step name")}.{taskId}.{attempt}.{(stream is "stdout" or "stderr" ? stream : throw new ArgumentException("stdout or stderr", nameof(stream)))}";
}

/// <summary>Opens S3 datastores; kept apart so that a local run never loads the AWS SDK.</summary>
internal static class S3Datastores
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static FlowDatastore Open(string root) => Open(root, null, null);

    public static FlowDatastore Open(string root, AmazonS3Config? config, AWSCredentials? credentials)
    {
        var location = S3Root.Parse(root);
        var objects = new S3Objects(S3Clients.Create(config, credentials), location, credentials);
        return new FlowDatastore(new S3BlobStore(objects), new S3MetadataStore(objects), location.ToString());
    }
}
