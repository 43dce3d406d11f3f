using System.Security.Cryptography;
using MessagePack;
using MessagePack.Resolvers;

namespace Flow.Serialization;

/// <summary>A serialized artifact value and its content hash.</summary>
public sealed class ArtifactValue
{
    private ArtifactValue(ReadOnlyMemory<byte> data, string hash)
    {
        Data = data;
        Hash = hash;
    }

    /// <summary>The MessagePack bytes.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The SHA-256 of <see cref="Data"/>, lower-case hex.</summary>
    public string Hash { get; }

    /// <summary>Wraps bytes, computing their hash.</summary>
    public static ArtifactValue FromBytes(ReadOnlyMemory<byte> data) => new(data, ComputeHash(data.Span));

    /// <summary>Wraps bytes whose hash is known, verifying it.</summary>
    public static ArtifactValue FromBytes(ReadOnlyMemory<byte> data, string expectedHash, string what)
    {
        var actual = ComputeHash(data.Span);
        if (!string.Equals(actual, expectedHash, StringComparison.Ordinal))
        {
            throw new FlowException($"The stored data of {what} is corrupt: its content hash is {actual}, expected {expectedHash}.");
        }

        return new ArtifactValue(data, expectedHash);
    }

    /// <summary>The SHA-256 of some bytes, lower-case hex.</summary>
    public static string ComputeHash(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));
}

/// <summary>
/// How Flow serializes artifacts: MessagePack, contract-less, read in its untrusted-data mode, and
/// LZ4-compressed where that makes the value markedly smaller.
/// </summary>
public static class FlowSerializer
{
    private const int CompressFrom = 1024;
    private const int CompressUpTo = 64 << 20;

    /// <summary>The options every artifact is read with (plain or LZ4-compressed data alike).</summary>
    public static MessagePackSerializerOptions Options { get; } = MessagePackSerializerOptions.Standard
        .WithResolver(ContractlessStandardResolver.Instance)
        .WithSecurity(MessagePackSecurity.UntrustedData)
        .WithCompression(MessagePackCompression.Lz4BlockArray);

    private static MessagePackSerializerOptions Plain { get; } = Options.WithCompression(MessagePackCompression.None);

    /// <summary>Serializes one value; values of a kilobyte or more are compressed when that saves at least a tenth.</summary>
    public static ArtifactValue Serialize<T>(T value)
    {
        var plain = MessagePackSerializer.Serialize(value, Plain);
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

    /// <summary>Deserializes one value, naming the artifact when the data does not fit its type.</summary>
    public static T Deserialize<T>(ArtifactValue value, string what)
    {
        try
        {
            return MessagePackSerializer.Deserialize<T>(value.Data, Options);
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
            result.Add(Serialize(value));
        }

        return result;
    }
}
