using System.Buffers.Binary;
using System.Security.Cryptography;
using Flow.Datastore;
using MessagePack;
using MessagePack.Resolvers;

namespace Flow.Serialization;

/// <summary>
/// A serialized artifact value and its content hash. Small values are held as bytes; a large
/// <c>byte[]</c> is held as the array itself (serialized as MessagePack <c>bin</c> without a copy); a large
/// stored value is read from the datastore only when it is used, and then streamed.
/// </summary>
public sealed class ArtifactValue
{
    private ReadOnlyMemory<byte>? _data;
    private readonly byte[]? _binary;
    private readonly StoredBlob? _stored;

    private ArtifactValue(ReadOnlyMemory<byte> data, string hash)
    {
        _data = data;
        Hash = hash;
        Length = data.Length;
    }

    private ArtifactValue(byte[] binary, string hash)
    {
        _binary = binary;
        Hash = hash;
        Length = BinaryHeader(binary.Length).Length + (long)binary.Length;
    }

    private ArtifactValue(StoredBlob stored)
    {
        _stored = stored;
        Hash = stored.Key;
        Length = stored.Length;
    }

    /// <summary>The MessagePack bytes (read, or assembled, on first use for a large value).</summary>
    public ReadOnlyMemory<byte> Data => _data ??= Materialize();

    /// <summary>The SHA-256 of <see cref="Data"/>, lower-case hex.</summary>
    public string Hash { get; }

    /// <summary>The length of <see cref="Data"/> in bytes.</summary>
    public long Length { get; }

    /// <summary>Whether the bytes are in memory (false for a large value held as its array, or not read yet).</summary>
    internal bool IsInMemory => _data is not null;

    /// <summary>The array of a large <c>byte[]</c> value held without a copy.</summary>
    internal byte[]? Binary => _binary;

    /// <summary>Wraps bytes, computing their hash.</summary>
    public static ArtifactValue FromBytes(ReadOnlyMemory<byte> data) => new(data, ComputeHash(data.Span));

    /// <summary>Wraps bytes whose hash is known, verifying it.</summary>
    public static ArtifactValue FromBytes(ReadOnlyMemory<byte> data, string expectedHash, string what)
    {
        var actual = ComputeHash(data.Span);
        if (!string.Equals(actual, expectedHash, StringComparison.Ordinal))
        {
            throw Corrupt(what, actual, expectedHash);
        }

        return new ArtifactValue(data, expectedHash);
    }

    /// <summary>The SHA-256 of some bytes, lower-case hex.</summary>
    public static string ComputeHash(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>A <c>byte[]</c> value serialized as MessagePack <c>bin</c>, held as the array itself.</summary>
    internal static ArtifactValue FromBinary(byte[] value) => new(value, BinaryHash(value));

    /// <summary>A stored value that is read (and verified) only when it is used.</summary>
    internal static ArtifactValue Deferred(IBlobStore store, string key, long length, string what, string datastore) =>
        new(new StoredBlob(store, key, length, what, datastore));

    /// <summary>The hash <paramref name="value"/> has when serialized as MessagePack <c>bin</c>.</summary>
    internal static string BinaryHash(byte[] value)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(BinaryHeader(value.Length));
        hash.AppendData(value);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The segments to store: the bytes, or the <c>bin</c> header and the array.</summary>
    internal IReadOnlyList<ReadOnlyMemory<byte>> Segments =>
        _binary is not null && _data is null
            ? [BinaryHeader(_binary.Length), _binary]
            : [Data];

    /// <summary>Reads a large stored <c>byte[]</c> straight into its array, hashing it on the way; null when the value is not a plain <c>bin</c>.</summary>
    internal byte[]? TryReadBinary()
    {
        if (_binary is not null)
        {
            return (byte[])_binary.Clone();
        }

        if (_stored is null || _data is not null)
        {
            return null;
        }

        using var stream = _stored.Open();
        Span<byte> header = stackalloc byte[5];
        if (stream.ReadAtLeast(header[..1], 1, throwOnEndOfStream: false) < 1)
        {
            throw _stored.Truncated();
        }

        var size = header[0] switch { 0xc4 => 1, 0xc5 => 2, 0xc6 => 4, _ => 0 };
        if (size == 0)
        {
            return null;
        }

        if (stream.ReadAtLeast(header.Slice(1, size), size, throwOnEndOfStream: false) < size)
        {
            throw _stored.Truncated();
        }
        long length = size switch
        {
            1 => header[1],
            2 => BinaryPrimitives.ReadUInt16BigEndian(header[1..]),
            _ => BinaryPrimitives.ReadUInt32BigEndian(header[1..]),
        };
        if (1 + size + length != Length || length > Array.MaxLength)
        {
            return null;
        }

        var result = GC.AllocateUninitializedArray<byte>((int)length);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(header[..(1 + size)]);

        // Each chunk is hashed on another thread while the next one is read: reading (copying from the page cache
        // into fresh memory) and hashing take about as long as each other, so this takes half as long.
        var read = 0;
        Task hashing = Task.CompletedTask;
        try
        {
            while (read < result.Length)
            {
                var n = stream.Read(result, read, Math.Min(result.Length - read, 4 << 20));
                if (n == 0)
                {
                    throw _stored.Truncated();
                }

                hashing.GetAwaiter().GetResult();
                var (offset, count) = (read, n);
                hashing = Task.Run(() => hash.AppendData(result, offset, count));
                read += n;
            }
        }
        finally
        {
            // The hash must not be in use when it is disposed, whatever happened to the reading.
            hashing.Wait();
        }

        if (stream.ReadByte() != -1)
        {
            throw _stored.Corrupt("it is longer than recorded");
        }

        var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
        return string.Equals(actual, Hash, StringComparison.Ordinal) ? result : throw _stored.Corrupt(actual);
    }

    internal static FlowException Corrupt(string what, string actual, string expected) =>
        new($"The stored data of {what} is corrupt: its content hash is {actual}, expected {expected}.");

    private static byte[] BinaryHeader(int length) => length switch
    {
        <= byte.MaxValue => [0xc4, (byte)length],
        <= ushort.MaxValue => [0xc5, (byte)(length >> 8), (byte)length],
        _ => [0xc6, (byte)(length >> 24), (byte)(length >> 16), (byte)(length >> 8), (byte)length],
    };

    private ReadOnlyMemory<byte> Materialize()
    {
        if (_binary is not null)
        {
            var header = BinaryHeader(_binary.Length);
            var bytes = new byte[header.Length + _binary.Length];
            header.CopyTo(bytes, 0);
            _binary.CopyTo(bytes, header.Length);
            return bytes;
        }

        return _stored!.ReadAll();
    }

    private sealed class StoredBlob(IBlobStore store, string key, long length, string what, string datastore)
    {
        public string Key => key;

        public long Length => length;

        public Stream Open() =>
            store.OpenReadAsync(key).GetAwaiter().GetResult() ?? throw Missing();

        public byte[] ReadAll()
        {
            var bytes = store.GetAsync(key).GetAwaiter().GetResult() ?? throw Missing();
            var actual = ComputeHash(bytes);
            return string.Equals(actual, key, StringComparison.Ordinal) ? bytes : throw Corrupt(actual);
        }

        public FlowException Corrupt(string detail) =>
            new($"{ArtifactValue.Corrupt(what, detail, key).Message} Remove blob {key} from the datastore at {datastore} and run the step that wrote it again.");

        public FlowException Truncated() => Corrupt("it is shorter than recorded");

        private FlowException Missing() =>
            new($"The data of {what} is missing from the datastore at {datastore} (blob {key}); run the step that wrote it again.");
    }
}

/// <summary>
/// How Flow serializes artifacts: MessagePack, contract-less, read in its untrusted-data mode, and
/// LZ4-compressed where that makes the value markedly smaller.
/// </summary>
public static class FlowSerializer
{
    /// <summary>From this size a <c>byte[]</c> is stored from its array and read into its array, without copies.</summary>
    internal const int LargeBinary = 1 << 20;

    private const int CompressFrom = 1024;
    private const int CompressUpTo = 64 << 20;
    private const int Sample = 64 << 10;

    /// <summary>The options every artifact is read with (plain or LZ4-compressed data alike).</summary>
    public static MessagePackSerializerOptions Options => Resolved.Options;

    /// <summary>Serializes one value; values of a kilobyte or more are compressed when that saves at least a tenth.</summary>
    public static ArtifactValue Serialize<T>(T value)
    {
        if (Scalar.TryWrite(value) is { } scalar)
        {
            return ArtifactValue.FromBytes(scalar);
        }

        if (value is byte[] { Length: >= LargeBinary } binary && !Compresses(binary))
        {
            return ArtifactValue.FromBinary(binary);
        }

        // The depth guard counts on this pass; the compressed pass below writes a value that passed it.
        var plain = MessagePackSerializer.Serialize(value, new DepthCountingOptions(Resolved.Plain));
        if (plain.Length >= CompressFrom && plain.Length <= CompressUpTo)
        {
            var compressed = MessagePackSerializer.Serialize(value, Options);
            if (compressed.Length <= plain.Length * 9L / 10)
            {
                return ArtifactValue.FromBytes(compressed);
            }
        }

        return ArtifactValue.FromBytes(plain);
    }

    /// <summary>Serializes the value of an artifact; a value that nests too deep (a reference cycle) is an error naming it.</summary>
    public static ArtifactValue SerializeArtifact<T>(T value, string artifact)
    {
        try
        {
            return Serialize(value);
        }
        catch (Exception e) when (FindTooDeep(e) is { } tooDeep)
        {
            throw new FlowException(
                $"Cannot store artifact '{artifact}' ({typeof(T).Name}): its value nests more than {tooDeep.MaximumDepth} levels deep, "
                + "most likely because it refers back to itself (a reference cycle, such as a child node pointing at its parent). "
                + "Store it without the back references (rebuild them after reading), or flatten it.",
                tooDeep);
        }
    }

    /// <summary>Deserializes one value, naming the artifact when the data does not fit its type.</summary>
    public static T Deserialize<T>(ArtifactValue value, string what)
    {
        if (typeof(T) == typeof(byte[]) && !value.IsInMemory && value.TryReadBinary() is { } binary)
        {
            return (T)(object)binary;
        }

        try
        {
            return Scalar.TryRead(value.Data, out T? scalar) ? scalar! : MessagePackSerializer.Deserialize<T>(value.Data, Options);
        }
        catch (MessagePackSerializationException e)
        {
            throw new FlowException($"Cannot read {what} as {typeof(T).Name}: {e.Message}", e);
        }
    }

    /// <summary>Serializes each element of a foreach artifact on its own, so a child reads only its element.</summary>
    public static IReadOnlyList<ArtifactValue> SerializeEach<T>(IEnumerable<T>? values, string artifact)
    {
        if (values is null)
        {
            throw new FlowException($"The foreach artifact '{artifact}' is null; set it to a collection before calling Next.");
        }

        var result = values is IReadOnlyCollection<T> c ? new List<ArtifactValue>(c.Count) : new List<ArtifactValue>();
        foreach (var value in values)
        {
            result.Add(SerializeArtifact(value, $"{artifact}[{result.Count}]"));
        }

        return result;
    }

    // The MessagePack options, built (with their resolvers) only when a value needs more than the scalar path.
    private static class Resolved
    {
        public static readonly MessagePackSerializerOptions Options = MessagePackSerializerOptions.Standard
            .WithResolver(DepthGuardResolver.Instance)
            .WithSecurity(MessagePackSecurity.UntrustedData)
            .WithCompression(MessagePackCompression.Lz4BlockArray);

        public static readonly MessagePackSerializerOptions Plain = Options.WithCompression(MessagePackCompression.None);
    }

    /// <summary>Whether values of <paramref name="type"/> cannot change in place (and hold no references): a restored value still held is the stored value.</summary>
    internal static bool IsImmutable(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal)
            || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(TimeSpan)
            || type == typeof(DateOnly) || type == typeof(TimeOnly) || type == typeof(Guid);
    }

    // MessagePack wraps what a formatter throws in its own exception.
    private static ArtifactTooDeepException? FindTooDeep(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is ArtifactTooDeepException tooDeep)
            {
                return tooDeep;
            }
        }

        return null;
    }

    // Whether LZ4 shrinks a sample of the array by a tenth: a large array is compressed whole only then.
    private static bool Compresses(byte[] value)
    {
        if (value.Length > CompressUpTo)
        {
            return false;
        }

        var sample = value.AsSpan(0, Sample).ToArray();
        var compressed = MessagePackSerializer.Serialize(sample, Options);
        return compressed.Length <= sample.Length * 9L / 10;
    }
}
