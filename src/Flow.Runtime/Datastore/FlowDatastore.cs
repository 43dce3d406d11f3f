using System.Collections.Concurrent;
using Flow.Serialization;

namespace Flow.Datastore;

/// <summary>
/// The blob and metadata stores of one datastore, with artifact reads verified against their hash and
/// recently read blobs kept in memory (a foreach's tasks read the same parent artifacts).
/// </summary>
public sealed class FlowDatastore
{
    private const long CacheLimit = 256L << 20;
    private readonly ConcurrentDictionary<string, ArtifactValue> _cache = new(StringComparer.Ordinal);
    private long _cached;

    /// <summary>Wraps a blob store and a metadata store.</summary>
    public FlowDatastore(IBlobStore blobs, IMetadataStore metadata, string description)
    {
        Blobs = blobs;
        Metadata = metadata;
        Description = description;
    }

    /// <summary>The blob store.</summary>
    public IBlobStore Blobs { get; }

    /// <summary>The metadata store.</summary>
    public IMetadataStore Metadata { get; }

    /// <summary>Where the datastore is: its folder, or <c>s3://bucket/prefix</c>; reopened from this by workers.</summary>
    public string Description { get; }

    /// <summary>The local datastore in <paramref name="root"/> (default: the configured local root, else <c>.flow</c> in the working directory).</summary>
    public static FlowDatastore Local(string? root = null)
    {
        root ??= DatastoreConfig.Resolve(kind: "local").Root;
        var full = Path.GetFullPath(root);
        return new FlowDatastore(new LocalBlobStore(full), new LocalMetadataStore(full), full);
    }

    /// <summary>The S3 datastore at <paramref name="root"/> (<c>s3://bucket/prefix</c>), with a client from the AWS SDK's standard settings unless <paramref name="config"/> or <paramref name="credentials"/> say otherwise.</summary>
    public static FlowDatastore S3(string root, Amazon.S3.AmazonS3Config? config = null, Amazon.Runtime.AWSCredentials? credentials = null) =>
        S3Datastores.Open(root, config, credentials);

    /// <summary>The datastore that <paramref name="config"/> names (default: <see cref="DatastoreConfig.Resolve(string?, string?)"/>: command line, environment, config file, <c>.flow</c>).</summary>
    public static FlowDatastore FromConfiguration(DatastoreConfig? config = null)
    {
        config ??= DatastoreConfig.Resolve();
        return config.Kind == DatastoreKind.S3 ? S3Datastores.Open(config.Root) : Local(config.Root);
    }

    /// <summary>Values up to this size (serialized) are kept in the record that refers to them rather than in a blob.</summary>
    public const int InlineUpTo = 256;

    /// <summary>Stores a serialized value; identical values are stored once, and small ones in the returned reference itself.</summary>
    public async Task<ArtifactRef> PutAsync(ArtifactValue value, string type, CancellationToken cancellationToken = default)
    {
        if (value.Length <= InlineUpTo)
        {
            return new ArtifactRef(value.Hash, type, value.Length) { Inline = value.Data.ToArray() };
        }

        await Blobs.PutAsync(value.Hash, value.Segments, cancellationToken).ConfigureAwait(false);
        Remember(value);
        return new ArtifactRef(value.Hash, type, value.Length);
    }

    /// <summary>
    /// Reads the value a reference names and checks it against its hash; <paramref name="what"/> names it in errors.
    /// A large value is read only when it is used, and then streamed.
    /// </summary>
    public Task<ArtifactValue> GetAsync(ArtifactRef reference, string what, CancellationToken cancellationToken = default)
    {
        if (reference.Inline is { } inline)
        {
            try
            {
                return Task.FromResult(ArtifactValue.FromBytes(inline, reference.Key, what));
            }
            catch (FlowException e)
            {
                throw new FlowException($"{e.Message} The record that holds it was changed after it was written.", e);
            }
        }

        return reference.Size >= FlowSerializer.LargeBinary
            ? Task.FromResult(ArtifactValue.Deferred(Blobs, reference.Key, reference.Size, what, Description))
            : GetAsync(reference.Key, what, cancellationToken);
    }

    /// <summary>Reads a stored value and checks it against its hash; <paramref name="what"/> names it in errors.</summary>
    public async Task<ArtifactValue> GetAsync(string key, string what, CancellationToken cancellationToken = default)
    {
        if (_cache.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var bytes = await Blobs.GetAsync(key, cancellationToken).ConfigureAwait(false)
            ?? throw new FlowException($"The data of {what} is missing from the datastore at {Description} (blob {key}); run the step that wrote it again.");
        ArtifactValue value;
        try
        {
            value = ArtifactValue.FromBytes(bytes, key, what);
        }
        catch (FlowException e)
        {
            throw new FlowException($"{e.Message} Remove blob {key} from the datastore at {Description} and run the step that wrote it again.", e);
        }

        Remember(value);
        return value;
    }

    /// <summary>Reads the stored artifacts named in <paramref name="refs"/>.</summary>
    public async Task<Dictionary<string, ArtifactValue>> GetAllAsync(IReadOnlyDictionary<string, ArtifactRef> refs, string owner, CancellationToken cancellationToken = default)
    {
        var values = new Dictionary<string, ArtifactValue>(StringComparer.Ordinal);
        foreach (var (name, reference) in refs)
        {
            values[name] = await GetAsync(reference, $"artifact {name} of {owner}", cancellationToken).ConfigureAwait(false);
        }

        return values;
    }

    private void Remember(ArtifactValue value)
    {
        if (!value.IsInMemory || value.Length > CacheLimit / 8)
        {
            return;
        }

        if (Interlocked.Add(ref _cached, value.Length) > CacheLimit)
        {
            _cache.Clear();
            Interlocked.Exchange(ref _cached, value.Length);
        }

        _cache.TryAdd(value.Hash, value);
    }
}
