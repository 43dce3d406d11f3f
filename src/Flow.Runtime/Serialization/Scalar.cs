using System.Buffers.Binary;
using System.Text;
using MessagePack;

namespace Flow.Serialization;

/// <summary>
/// Writes and reads the commonest artifact types (numbers, booleans, short strings) in MessagePack by hand,
/// producing exactly the bytes MessagePack's standard formatters produce (the smallest encoding of each value).
/// A process that only stores such values never runs the MessagePack library: it is not precompiled, and building
/// its resolvers and compiling its reader and writer cost a fresh process (every worker) tens of milliseconds.
/// </summary>
internal static class Scalar
{
    // Strings up to this many UTF-16 characters: their encoding stays under the size from which values may be compressed.
    private const int ShortString = 256;

    /// <summary>The MessagePack bytes of a scalar value, or null for any other value (or a long string).</summary>
    public static byte[]? TryWrite<T>(T value)
    {
        if (typeof(T) == typeof(int))
        {
            return Integer((int)(object)value!);
        }

        if (typeof(T) == typeof(long))
        {
            return Integer((long)(object)value!);
        }

        if (typeof(T) == typeof(bool))
        {
            return [(bool)(object)value! ? (byte)0xc3 : (byte)0xc2];
        }

        if (typeof(T) == typeof(double))
        {
            var bytes = new byte[9];
            bytes[0] = 0xcb;
            BinaryPrimitives.WriteDoubleBigEndian(bytes.AsSpan(1), (double)(object)value!);
            return bytes;
        }

        if (typeof(T) == typeof(float))
        {
            var bytes = new byte[5];
            bytes[0] = 0xca;
            BinaryPrimitives.WriteSingleBigEndian(bytes.AsSpan(1), (float)(object)value!);
            return bytes;
        }

        if (typeof(T) == typeof(string) && (value is null || ((string)(object)value).Length <= ShortString))
        {
            return value is null ? [0xc0] : String((string)(object)value);
        }

        return null;
    }

    /// <summary>
    /// Reads a scalar of type <typeparamref name="T"/> stored uncompressed; false (nothing read) for other types
    /// and for compressed data, which the serializer reads. Data of another type throws as the serializer would.
    /// </summary>
    public static bool TryRead<T>(ReadOnlyMemory<byte> data, out T? value)
    {
        value = default;
        if (!(typeof(T) == typeof(int) || typeof(T) == typeof(long) || typeof(T) == typeof(double) || typeof(T) == typeof(bool) || typeof(T) == typeof(float) || typeof(T) == typeof(string)))
        {
            return false;
        }

        var span = data.Span;

        // Empty, or LZ4 blocks (an array or extension header): the serializer reads or rejects it.
        if (span.Length == 0 || span[0] is (>= 0x90 and <= 0x9f) or 0xdc or 0xdd or (>= 0xc7 and <= 0xc9) or (>= 0xd4 and <= 0xd8))
        {
            return false;
        }

        try
        {
            object? read = typeof(T) == typeof(int) ? checked((int)ReadInteger(span))
                : typeof(T) == typeof(long) ? ReadInteger(span)
                : typeof(T) == typeof(double) ? ReadDouble(span)
                : typeof(T) == typeof(float) ? ReadSingle(span)
                : typeof(T) == typeof(bool) ? ReadBoolean(span)
                : ReadString(span);
            value = (T?)read;
            return true;
        }
        catch (OverflowException e)
        {
            throw new MessagePackSerializationException($"Failed to deserialize {typeof(T).FullName} value: it does not fit.", e);
        }
    }

    private static byte[] Integer(long value)
    {
        if (value >= 0)
        {
            return value switch
            {
                <= 0x7f => [(byte)value],
                <= byte.MaxValue => [0xcc, (byte)value],
                <= ushort.MaxValue => Big(0xcd, (ulong)value, 2),
                <= uint.MaxValue => Big(0xce, (ulong)value, 4),
                _ => Big(0xcf, (ulong)value, 8),
            };
        }

        return value switch
        {
            >= -32 => [unchecked((byte)value)],
            >= sbyte.MinValue => [0xd0, unchecked((byte)value)],
            >= short.MinValue => Big(0xd1, unchecked((ulong)value), 2),
            >= int.MinValue => Big(0xd2, unchecked((ulong)value), 4),
            _ => Big(0xd3, unchecked((ulong)value), 8),
        };
    }

    private static byte[] Big(byte code, ulong value, int size)
    {
        var bytes = new byte[1 + size];
        bytes[0] = code;
        for (var i = 0; i < size; i++)
        {
            bytes[size - i] = (byte)(value >> (8 * i));
        }

        return bytes;
    }

    private static byte[] String(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        var header = length switch
        {
            <= 31 => 1,
            <= byte.MaxValue => 2,
            <= ushort.MaxValue => 3,
            _ => 5,
        };
        var bytes = new byte[header + length];
        switch (header)
        {
            case 1:
                bytes[0] = (byte)(0xa0 | length);
                break;
            case 2:
                bytes[0] = 0xd9;
                bytes[1] = (byte)length;
                break;
            case 3:
                bytes[0] = 0xda;
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(1), (ushort)length);
                break;
            default:
                bytes[0] = 0xdb;
                BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(1), (uint)length);
                break;
        }

        Encoding.UTF8.GetBytes(value, bytes.AsSpan(header));
        return bytes;
    }

    private static long ReadInteger(ReadOnlySpan<byte> span)
    {
        var code = span[0];
        var value = code switch
        {
            <= 0x7f => code,
            >= 0xe0 => (sbyte)code,
            0xcc => Body(span, 1)[0],
            0xcd => BinaryPrimitives.ReadUInt16BigEndian(Body(span, 2)),
            0xce => BinaryPrimitives.ReadUInt32BigEndian(Body(span, 4)),
            0xcf => checked((long)BinaryPrimitives.ReadUInt64BigEndian(Body(span, 8))),
            0xd0 => (sbyte)Body(span, 1)[0],
            0xd1 => BinaryPrimitives.ReadInt16BigEndian(Body(span, 2)),
            0xd2 => BinaryPrimitives.ReadInt32BigEndian(Body(span, 4)),
            0xd3 => BinaryPrimitives.ReadInt64BigEndian(Body(span, 8)),
            _ => throw Unexpected(code, "an integer"),
        };
        return value;
    }

    // As MessagePack's reader: any number, each converted straight to the type asked for (a uint64 too).
    private static double ReadDouble(ReadOnlySpan<byte> span) => span[0] switch
    {
        0xcb => BinaryPrimitives.ReadDoubleBigEndian(Body(span, 8)),
        0xca => BinaryPrimitives.ReadSingleBigEndian(Body(span, 4)),
        0xcf => BinaryPrimitives.ReadUInt64BigEndian(Body(span, 8)),
        _ => ReadInteger(span),
    };

    private static float ReadSingle(ReadOnlySpan<byte> span) => span[0] switch
    {
        0xcb => (float)BinaryPrimitives.ReadDoubleBigEndian(Body(span, 8)),
        0xca => BinaryPrimitives.ReadSingleBigEndian(Body(span, 4)),
        0xcf => BinaryPrimitives.ReadUInt64BigEndian(Body(span, 8)),
        _ => ReadInteger(span),
    };

    private static bool ReadBoolean(ReadOnlySpan<byte> span) => span[0] switch
    {
        0xc3 => true,
        0xc2 => false,
        var code => throw Unexpected(code, "a boolean"),
    };

    private static string? ReadString(ReadOnlySpan<byte> span)
    {
        var code = span[0];
        var (header, length) = code switch
        {
            0xc0 => (1, -1),
            >= 0xa0 and <= 0xbf => (1, code & 0x1f),
            0xd9 => (2, Body(span, 1)[0]),
            0xda => (3, BinaryPrimitives.ReadUInt16BigEndian(Body(span, 2))),
            0xdb => (5, checked((int)BinaryPrimitives.ReadUInt32BigEndian(Body(span, 4)))),
            _ => throw Unexpected(code, "a string"),
        };
        if (length < 0)
        {
            return null;
        }

        if (span.Length < header + length)
        {
            throw Cut();
        }

        return Encoding.UTF8.GetString(span.Slice(header, length));
    }

    // The bytes after a one-byte code, which must be there.
    private static ReadOnlySpan<byte> Body(ReadOnlySpan<byte> span, int size) =>
        span.Length > size ? span.Slice(1, size) : throw Cut();

    private static MessagePackSerializationException Unexpected(byte code, string expected) =>
        new($"Unexpected msgpack code {code} (0x{code:x2}) encountered where {expected} belongs.");

    private static MessagePackSerializationException Cut() => new("The data ends before the value does.");
}
