using System.Buffers;
using MessagePack;

namespace Flow.Serialization;

/// <summary>
/// Writes and reads the commonest artifact types (numbers, booleans, short strings) with MessagePack's
/// writer and reader directly, producing exactly the bytes its standard formatters produce. A process that
/// only stores such values never builds the serializer's resolvers, which costs a fresh process (every
/// worker) tens of milliseconds before its first task.
/// </summary>
internal static class Scalar
{
    // Strings up to this many UTF-16 characters: their encoding stays under the size from which values may be compressed.
    private const int ShortString = 256;

    /// <summary>The MessagePack bytes of a scalar value, or null for any other value (or a long string).</summary>
    public static byte[]? TryWrite<T>(T value)
    {
        if (typeof(T) == typeof(int) || typeof(T) == typeof(long) || typeof(T) == typeof(double) || typeof(T) == typeof(bool) || typeof(T) == typeof(float))
        {
            var buffer = new ArrayBufferWriter<byte>(16);
            var writer = new MessagePackWriter(buffer);
            if (typeof(T) == typeof(int))
            {
                writer.Write((int)(object)value!);
            }
            else if (typeof(T) == typeof(long))
            {
                writer.Write((long)(object)value!);
            }
            else if (typeof(T) == typeof(double))
            {
                writer.Write((double)(object)value!);
            }
            else if (typeof(T) == typeof(float))
            {
                writer.Write((float)(object)value!);
            }
            else
            {
                writer.Write((bool)(object)value!);
            }

            writer.Flush();
            return buffer.WrittenSpan.ToArray();
        }

        if (typeof(T) == typeof(string) && (value is null || ((string)(object)value).Length <= ShortString))
        {
            var buffer = new ArrayBufferWriter<byte>(64);
            var writer = new MessagePackWriter(buffer);
            writer.Write((string?)(object?)value);
            writer.Flush();
            return buffer.WrittenSpan.ToArray();
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

        var reader = new MessagePackReader(data);
        if (reader.End || reader.NextMessagePackType is MessagePackType.Array or MessagePackType.Extension)
        {
            // Empty, or LZ4 blocks (an array or extension header): the serializer reads or rejects it.
            return false;
        }

        try
        {
            object? read = typeof(T) == typeof(int) ? reader.ReadInt32()
                : typeof(T) == typeof(long) ? reader.ReadInt64()
                : typeof(T) == typeof(double) ? reader.ReadDouble()
                : typeof(T) == typeof(float) ? reader.ReadSingle()
                : typeof(T) == typeof(bool) ? reader.ReadBoolean()
                : reader.ReadString();
            value = (T?)read;
            return true;
        }
        catch (Exception e) when (e is MessagePackSerializationException or OverflowException or EndOfStreamException)
        {
            throw new MessagePackSerializationException($"Failed to deserialize {typeof(T).FullName} value.", e);
        }
    }
}
