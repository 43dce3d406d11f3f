using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Flow.Scripts;

/// <summary>
/// The JSON of a script call: System.Text.Json with camelCase property names (read case-insensitively), named
/// floating-point literals, and numeric and byte arrays as raw little-endian files in the call's folder, referenced as
/// <c>{"$flow": "binary", "dtype": "float64", "file": "in-0.bin", "length": N}</c>.
/// </summary>
internal static class ScriptJson
{
    [ThreadStatic]
    private static ScriptExchange? t_exchange;

    public static JsonSerializerOptions Options { get; } = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            PropertyNameCaseInsensitive = true,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            MaxDepth = 256,
        };
        options.Converters.Add(new NumericArrayConverter<double>());
        options.Converters.Add(new NumericArrayConverter<float>());
        options.Converters.Add(new NumericArrayConverter<int>());
        options.Converters.Add(new NumericArrayConverter<long>());
        options.Converters.Add(new NumericListConverter<double>());
        options.Converters.Add(new NumericListConverter<float>());
        options.Converters.Add(new NumericListConverter<int>());
        options.Converters.Add(new NumericListConverter<long>());
        options.Converters.Add(new BytesConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>Writes <paramref name="value"/> to <paramref name="path"/>, its arrays to files beside it.</summary>
    public static void Write(ScriptExchange exchange, string path, object? value)
    {
        t_exchange = exchange;
        try
        {
            using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
            if (value is null)
            {
                stream.Write("{}"u8);
            }
            else
            {
                JsonSerializer.Serialize(stream, value, value.GetType(), Options);
            }
        }
        finally
        {
            t_exchange = null;
        }
    }

    /// <summary>Reads a <typeparamref name="T"/> from <paramref name="path"/>, its arrays from the files it references.</summary>
    public static T? Read<T>(ScriptExchange exchange, string path)
    {
        t_exchange = exchange;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            return JsonSerializer.Deserialize<T>(stream, Options);
        }
        finally
        {
            t_exchange = null;
        }
    }

    private static ScriptExchange Exchange => t_exchange ?? throw new InvalidOperationException("Arrays of a script call are written and read only by Flow.Script.");

    internal static string DType<T>() =>
        typeof(T) == typeof(double) ? "float64"
        : typeof(T) == typeof(float) ? "float32"
        : typeof(T) == typeof(int) ? "int32"
        : typeof(T) == typeof(long) ? "int64"
        : typeof(T) == typeof(byte) ? "bytes"
        : throw new NotSupportedException(typeof(T).Name);

    private static void WriteReference<T>(Utf8JsonWriter writer, T[] value)
        where T : unmanaged
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Flow.Script passes arrays as little-endian files; this machine is big-endian.");
        }

        var file = Exchange.NewFile("in");
        using (var stream = new FileStream(Path.Combine(Exchange.Folder, file), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None))
        {
            stream.Write(MemoryMarshal.AsBytes(value.AsSpan()));
        }

        writer.WriteStartObject();
        writer.WriteString("$flow", "binary");
        writer.WriteString("dtype", DType<T>());
        writer.WriteString("file", file);
        writer.WriteNumber("length", value.Length);
        writer.WriteEndObject();
    }

    // A {"$flow": "binary", ...} reference: its dtype and its file's bytes (checked against its length).
    private static (string DType, byte[] Bytes) ReadReference(ref Utf8JsonReader reader, Type target)
    {
        string? kind = null, dtype = null, file = null;
        long length = -1;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "$flow": kind = reader.GetString(); break;
                case "dtype": dtype = reader.GetString(); break;
                case "file": file = reader.GetString(); break;
                case "length": length = reader.GetInt64(); break;
                default: reader.Skip(); break;
            }
        }

        if (kind != "binary" || dtype is null || file is null || length < 0)
        {
            throw new JsonException($"Expected an array for {Describe(target)}, or a binary reference {{\"$flow\": \"binary\", \"dtype\", \"file\", \"length\"}}; got an object without them.");
        }

        if (file.Length == 0 || Path.GetFileName(file) != file || file is "." or "..")
        {
            throw new JsonException($"The binary reference names '{file}'; it must be a file name in the call's folder.");
        }

        var size = dtype switch
        {
            "float64" or "int64" => 8,
            "float32" or "int32" => 4,
            "bytes" or "uint8" => 1,
            _ => throw new JsonException($"The binary reference has dtype '{dtype}'; Flow reads float64, float32, int64, int32 and bytes."),
        };
        var path = Path.Combine(Exchange.Folder, file);
        if (!File.Exists(path))
        {
            throw new JsonException($"The binary file '{file}' the script's output references does not exist.");
        }

        var bytes = File.ReadAllBytes(path);
        if (bytes.LongLength != length * size)
        {
            throw new JsonException($"The binary file '{file}' has {bytes.LongLength} bytes; {length} values of {dtype} take {length * size}.");
        }

        return (dtype, bytes);
    }

    private static string Describe(Type type) => type == typeof(byte[]) ? "byte[]" : type.GetElementType()!.Name + "[]";

    /// <summary>double[], float[], int[], long[]: a binary file on the way in; a binary file, a JSON array or a single number on the way out.</summary>
    private sealed class NumericArrayConverter<T> : JsonConverter<T[]>
        where T : unmanaged
    {
        public override bool HandleNull => false;

        public override void Write(Utf8JsonWriter writer, T[] value, JsonSerializerOptions options) => WriteReference(writer, value);

        public override T[]? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    var (dtype, bytes) = ReadReference(ref reader, typeToConvert);
                    return Convert(dtype, bytes);
                case JsonTokenType.StartArray:
                    var list = new List<T>();
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        list.Add(ReadNumber(ref reader));
                    }

                    return [.. list];
                default:
                    // R writes a vector of one value as that value.
                    return [ReadNumber(ref reader)];
            }
        }

        private static T ReadNumber(ref Utf8JsonReader reader)
        {
            if (reader.TokenType == JsonTokenType.String && (typeof(T) == typeof(double) || typeof(T) == typeof(float)))
            {
                var text = reader.GetString();
                double special = text switch
                {
                    "NaN" => double.NaN,
                    "Infinity" => double.PositiveInfinity,
                    "-Infinity" => double.NegativeInfinity,
                    _ => throw new JsonException($"Expected a number for {typeof(T).Name}[], got the string \"{text}\"."),
                };
                return typeof(T) == typeof(double) ? (T)(object)special : (T)(object)(float)special;
            }

            if (reader.TokenType != JsonTokenType.Number)
            {
                throw new JsonException($"Expected a number for an element of {typeof(T).Name}[], got {reader.TokenType}.");
            }

            // Each branch boxed on its own: a conditional expression would widen them all to double.
            object value;
            if (typeof(T) == typeof(double))
            {
                value = reader.GetDouble();
            }
            else if (typeof(T) == typeof(float))
            {
                value = reader.GetSingle();
            }
            else if (typeof(T) == typeof(int))
            {
                value = reader.TryGetInt32(out var i) ? i : throw new JsonException($"{Text(ref reader)} is not an Int32 (for int[]).");
            }
            else
            {
                value = reader.TryGetInt64(out var l) ? l : throw new JsonException($"{Text(ref reader)} is not an Int64 (for long[]).");
            }

            return (T)value;
        }

        private static string Text(ref Utf8JsonReader reader) => System.Text.Encoding.UTF8.GetString(reader.ValueSpan);

        // The script's array in its own type, converted to T where no value can change beyond a float's rounding.
        private static T[] Convert(string dtype, byte[] bytes)
        {
            if (dtype == DType<T>())
            {
                return MemoryMarshal.Cast<byte, T>(bytes).ToArray();
            }

            var target = typeof(T);
            switch (dtype)
            {
                case "float64" when target == typeof(float):
                    return (T[])(object)Array.ConvertAll(MemoryMarshal.Cast<byte, double>(bytes).ToArray(), v => (float)v);
                case "float32" when target == typeof(double):
                    return (T[])(object)Array.ConvertAll(MemoryMarshal.Cast<byte, float>(bytes).ToArray(), v => (double)v);
                case "int32" when target == typeof(double):
                    return (T[])(object)Array.ConvertAll(MemoryMarshal.Cast<byte, int>(bytes).ToArray(), v => (double)v);
                case "int64" when target == typeof(double):
                    return (T[])(object)Array.ConvertAll(MemoryMarshal.Cast<byte, long>(bytes).ToArray(), v => (double)v);
                case "int32" when target == typeof(float):
                    return (T[])(object)Array.ConvertAll(MemoryMarshal.Cast<byte, int>(bytes).ToArray(), v => (float)v);
                case "int32" when target == typeof(long):
                    return (T[])(object)Array.ConvertAll(MemoryMarshal.Cast<byte, int>(bytes).ToArray(), v => (long)v);
                case "int64" when target == typeof(int):
                    var longs = MemoryMarshal.Cast<byte, long>(bytes);
                    var ints = new int[longs.Length];
                    for (var k = 0; k < longs.Length; k++)
                    {
                        ints[k] = longs[k] is >= int.MinValue and <= int.MaxValue
                            ? (int)longs[k]
                            : throw new JsonException($"Element {k} of the script's int64 array, {longs[k]}, does not fit the int[] it is read into.");
                    }

                    return (T[])(object)ints;
                case "float64" when target == typeof(long) || target == typeof(int):
                    // R's numbers are doubles: whole ones are read into integers, any other is refused.
                    var doubles = MemoryMarshal.Cast<byte, double>(bytes);
                    var whole = new T[doubles.Length];
                    var limit = target == typeof(int) ? int.MaxValue + 1.0 : 9223372036854775808.0;
                    for (var k = 0; k < doubles.Length; k++)
                    {
                        var v = doubles[k];
                        if (Math.Floor(v) != v || v >= limit || v < -limit)
                        {
                            throw new JsonException($"Element {k} of the script's float64 array, {v}, is not a whole number that fits the {target.Name}[] it is read into; convert the values in the script (as.integer() in R, .astype('{DType<T>()}') in numpy).");
                        }

                        whole[k] = target == typeof(int) ? (T)(object)(int)v : (T)(object)(long)v;
                    }

                    return whole;
                default:
                    throw new JsonException($"The script returned {dtype} values where {target.Name}[] is expected; convert them in the script (as.integer() in R, .astype('{DType<T>().Replace("bytes", "uint8", StringComparison.Ordinal)}') in numpy).");
            }
        }
    }

    /// <summary>List&lt;double&gt;, List&lt;float&gt;, List&lt;int&gt;, List&lt;long&gt;: as the arrays.</summary>
    private sealed class NumericListConverter<T> : JsonConverter<List<T>>
        where T : unmanaged
    {
        private readonly NumericArrayConverter<T> _array = new();

        public override bool HandleNull => false;

        public override void Write(Utf8JsonWriter writer, List<T> value, JsonSerializerOptions options) => WriteReference(writer, value.ToArray());

        public override List<T>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            _array.Read(ref reader, typeof(T[]), options) is { } values ? [.. values] : null;
    }

    /// <summary>byte[]: a binary file on the way in (bytes in Python, a raw vector in R); a binary file or base64 on the way out.</summary>
    private sealed class BytesConverter : JsonConverter<byte[]>
    {
        public override bool HandleNull => false;

        public override void Write(Utf8JsonWriter writer, byte[] value, JsonSerializerOptions options) => WriteReference(writer, value);

        public override byte[]? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
        {
            JsonTokenType.String => reader.GetBytesFromBase64(),
            JsonTokenType.StartObject => ReadReference(ref reader, typeToConvert).Bytes,
            _ => throw new JsonException($"Expected bytes (a binary reference or base64) for byte[], got {reader.TokenType}."),
        };
    }
}

/// <summary>One script call's folder: its inputs, its output, and the arrays beside them. Deleted with the call.</summary>
internal sealed class ScriptExchange(string folder)
{
    private int _files;

    public string Folder { get; } = folder;

    public string NewFile(string prefix) => $"{prefix}-{Interlocked.Increment(ref _files)}.bin";
}
