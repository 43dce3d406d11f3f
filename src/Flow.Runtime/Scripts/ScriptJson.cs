using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Flow.Scripts;

/// <summary>
/// The JSON of a script call: System.Text.Json with camelCase property names (read case-insensitively), named
/// floating-point literals, and numeric and byte arrays as raw little-endian files in the call's folder, referenced as
/// <c>{"$flow": "binary", "dtype": "float64", "file": "in-0.bin", "length": N}</c>; a rectangular array (<c>double[,]</c>)
/// adds <c>"shape": [rows, columns]</c>, its values in row-major (C) order.
/// </summary>
internal static class ScriptJson
{
    [ThreadStatic]
    private static ScriptExchange? t_exchange;

    /// <summary>The options of the inputs.</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions(collections: null);

    /// <summary>The options of a Python script's output.</summary>
    private static JsonSerializerOptions PythonOptions { get; } = CreateOptions(new CollectionConverterFactory(singleValues: false));

    /// <summary>The options of an R script's output: a single value is read as a collection of one (jsonlite's auto_unbox).</summary>
    private static JsonSerializerOptions ROptions { get; } = CreateOptions(new CollectionConverterFactory(singleValues: true));

    private static JsonSerializerOptions CreateOptions(JsonConverterFactory? collections)
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
        options.Converters.Add(new NumericMatrixConverter<double>());
        options.Converters.Add(new NumericMatrixConverter<float>());
        options.Converters.Add(new NumericMatrixConverter<int>());
        options.Converters.Add(new NumericMatrixConverter<long>());
        options.Converters.Add(new BytesConverter());
        if (collections is not null)
        {
            options.Converters.Add(collections);
        }

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
            return JsonSerializer.Deserialize<T>(stream, exchange.SingleValuesAsCollections ? ROptions : PythonOptions);
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
        where T : unmanaged => WriteReference<T>(writer, value.AsSpan(), null);

    // The values in a file of the call's folder, and the reference to it; a shape only for more than one dimension.
    private static void WriteReference<T>(Utf8JsonWriter writer, ReadOnlySpan<T> value, int[]? shape)
        where T : unmanaged
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Flow.Script passes arrays as little-endian files; this machine is big-endian.");
        }

        var file = Exchange.NewFile("in");
        using (var stream = new FileStream(Path.Combine(Exchange.Folder, file), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None))
        {
            // In slices: the bytes of an array over 2 GiB do not fit one span.
            var slice = (1 << 30) / Unsafe.SizeOf<T>();
            for (var start = 0; start < value.Length; start += slice)
            {
                stream.Write(MemoryMarshal.AsBytes(value.Slice(start, Math.Min(slice, value.Length - start))));
            }
        }

        writer.WriteStartObject();
        writer.WriteString("$flow", "binary");
        writer.WriteString("dtype", DType<T>());
        writer.WriteString("file", file);
        writer.WriteNumber("length", value.Length);
        if (shape is not null)
        {
            writer.WriteStartArray("shape");
            foreach (var size in shape)
            {
                writer.WriteNumberValue(size);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    // A {"$flow": "binary", ...} reference: its dtype, its file's bytes (checked against its length) and its shape (null
    // for a 1-D array; checked against its length).
    private static (string DType, byte[] Bytes, long[]? Shape) ReadReference(ref Utf8JsonReader reader, Type target)
    {
        string? kind = null, dtype = null, file = null;
        long length = -1;
        List<long>? shape = null;
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
                case "shape" when reader.TokenType == JsonTokenType.Null: break;
                case "shape":
                    if (reader.TokenType != JsonTokenType.StartArray)
                    {
                        throw new JsonException($"The binary reference's shape is {reader.TokenType}; it must be an array of sizes, [rows, columns].");
                    }

                    shape = [];
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        shape.Add(reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var extent) && extent >= 0
                            ? extent
                            : throw new JsonException("The binary reference's shape must be an array of sizes (whole numbers, 0 or more), [rows, columns]."));
                    }

                    break;
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

        if (shape is not null && (shape.Any(extent => extent > int.MaxValue) || shape.Aggregate(1.0, (product, extent) => product * extent) != length))
        {
            throw new JsonException($"The binary reference has shape [{string.Join(", ", shape)}] but length {length}; the sizes' product must be the length.");
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

        var fileLength = new FileInfo(path).Length;
        if (length > long.MaxValue / size || fileLength != length * size)
        {
            throw new JsonException($"The binary file '{file}' has {fileLength} bytes; {length} values of {dtype} take {(length > long.MaxValue / size ? "more" : (length * size).ToString(System.Globalization.CultureInfo.InvariantCulture))}.");
        }

        if (fileLength > Array.MaxLength)
        {
            throw new JsonException($"The script returned an array of {fileLength} bytes ({length} values of {dtype}); Flow reads arrays of at most {Array.MaxLength} bytes from a script: return it in parts, or write it to a file and return the file's path.");
        }

        var bytes = File.ReadAllBytes(path);

        return (dtype, bytes, shape?.ToArray());
    }

    private static string Describe(Type type) =>
        type.IsArray ? type.GetElementType()!.Name.Replace("Byte", "byte", StringComparison.Ordinal) + (type.GetArrayRank() == 2 ? "[,]" : "[]")
        : type.IsGenericType ? type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)] + "<" + string.Join(", ", type.GetGenericArguments().Select(Describe)) + ">"
        : type.Name;

    private static string Shape(long[] shape) => string.Join(" × ", shape);

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
                    var (dtype, bytes, shape) = ReadReference(ref reader, typeToConvert);
                    if (shape is not null && shape.Length != 1)
                    {
                        throw new JsonException($"The script returned an array of {shape.Length} dimensions ({Shape(shape)}) where {typeof(T).Name}[] is expected; read it as {typeof(T).Name}[,] or a list of rows (List<{typeof(T).Name}[]>), or flatten it in the script.");
                    }

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
        internal static T[] Convert(string dtype, byte[] bytes, string? expected = null)
        {
            expected ??= typeof(T).Name + "[]";
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
                            throw new JsonException($"Element {k} of the script's float64 array, {v}, is not a whole number that fits the {expected} it is read into; convert the values in the script (as.integer() in R, .astype('{DType<T>()}') in numpy).");
                        }

                        whole[k] = target == typeof(int) ? (T)(object)(int)v : (T)(object)(long)v;
                    }

                    return whole;
                default:
                    throw new JsonException($"The script returned {dtype} values where {expected} is expected; convert them in the script (as.integer() in R, .astype('{DType<T>().Replace("bytes", "uint8", StringComparison.Ordinal)}') in numpy).");
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

    /// <summary>
    /// double[,], float[,], int[,], long[,]: a binary file with a shape on the way in (a 2-D numpy array, an R matrix);
    /// a binary file with a shape, or a JSON array of rows of equal length, on the way out.
    /// </summary>
    private sealed class NumericMatrixConverter<T> : JsonConverter<T[,]>
        where T : unmanaged
    {
        private readonly NumericArrayConverter<T> _row = new();

        public override bool HandleNull => false;

        public override void Write(Utf8JsonWriter writer, T[,] value, JsonSerializerOptions options) =>
            WriteReference<T>(writer, Values(value), [value.GetLength(0), value.GetLength(1)]);

        public override T[,]? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var name = typeof(T).Name + "[,]";
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    var (dtype, bytes, shape) = ReadReference(ref reader, typeToConvert);
                    if (shape is null || shape.Length != 2)
                    {
                        var what = shape is null ? "a 1-D array" : $"an array of {shape.Length} dimensions ({Shape(shape)})";
                        throw new JsonException($"The script returned {what} where {name} is expected; return a 2-D array (a numpy array of 2 dimensions, an R matrix).");
                    }

                    var values = NumericArrayConverter<T>.Convert(dtype, bytes, name);
                    var matrix = new T[shape[0], shape[1]];
                    values.CopyTo(Values(matrix));
                    return matrix;
                case JsonTokenType.StartArray:
                    var rows = new List<T[]>();
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        // A row is an array (or a binary reference): a flat list of numbers is not a matrix of one column.
                        if (reader.TokenType is not (JsonTokenType.StartArray or JsonTokenType.StartObject))
                        {
                            throw new JsonException($"Row {rows.Count} of the script's {name} is {reader.TokenType}, not an array; return a 2-D array or a list of rows, and a 1-D array as {typeof(T).Name}[].");
                        }

                        var row = _row.Read(ref reader, typeof(T[]), options) ?? throw new JsonException($"Row {rows.Count} of the script's {name} is null.");
                        if (rows.Count > 0 && row.Length != rows[0].Length)
                        {
                            throw new JsonException($"Row {rows.Count} of the script's {name} has {row.Length} values, row 0 has {rows[0].Length}; the rows of a {name} are of equal length.");
                        }

                        rows.Add(row);
                    }

                    var result = new T[rows.Count, rows.Count == 0 ? 0 : rows[0].Length];
                    var span = Values(result);
                    for (var i = 0; i < rows.Count; i++)
                    {
                        rows[i].CopyTo(span[(i * rows[i].Length)..]);
                    }

                    return result;
                default:
                    throw new JsonException($"Expected a 2-D array for {name} (a binary reference with a shape, or an array of rows), got {reader.TokenType}.");
            }
        }

        // The matrix's values in memory order: row-major, as numpy's C order.
        private static Span<T> Values(T[,] matrix) =>
            MemoryMarshal.CreateSpan(ref Unsafe.As<byte, T>(ref MemoryMarshal.GetArrayDataReference(matrix)), matrix.Length);
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
    /// <summary>
    /// Reading List&lt;T&gt;, T[] and the collection interfaces (those the converters above do not take): a JSON array, or
    /// a 2-D binary reference for a collection of numeric rows (List&lt;double[]&gt;, an R matrix's former form); with
    /// <c>singleValues</c>, a single value as a collection of one (R writes a vector of one value as that value).
    /// </summary>
    private sealed class CollectionConverterFactory(bool singleValues) : JsonConverterFactory
    {
        private static readonly Type[] s_interfaces =
        [
            typeof(IEnumerable<>), typeof(IList<>), typeof(ICollection<>), typeof(IReadOnlyList<>), typeof(IReadOnlyCollection<>),
        ];

        public override bool CanConvert(Type typeToConvert) => ElementOf(typeToConvert) is not null;

        public override JsonConverter? CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
            (JsonConverter?)Activator.CreateInstance(typeof(CollectionConverter<,>).MakeGenericType(typeToConvert, ElementOf(typeToConvert)!), [singleValues]);

        private static Type? ElementOf(Type type)
        {
            if (type.IsArray)
            {
                return type.GetArrayRank() == 1 && type != typeof(byte[]) ? type.GetElementType() : null;
            }

            if (!type.IsGenericType)
            {
                return null;
            }

            var definition = type.GetGenericTypeDefinition();
            return definition == typeof(List<>) || s_interfaces.Contains(definition) ? type.GetGenericArguments()[0] : null;
        }
    }

    private sealed class CollectionConverter<TCollection, TElement>(bool singleValues) : JsonConverter<TCollection>
        where TCollection : IEnumerable<TElement>
    {
        public override bool HandleNull => false;

        // Only outputs are read with this converter; were one written, it would be as the inputs are (Options has no factory).
        public override void Write(Utf8JsonWriter writer, TCollection value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value, typeof(TCollection), Options);

        public override TCollection? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var list = new List<TElement>();
            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray:
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        list.Add(JsonSerializer.Deserialize<TElement>(ref reader, options)!);
                    }

                    break;
                case JsonTokenType.StartObject when Rows() is { } rows:
                    var (dtype, bytes, shape) = ReadReference(ref reader, typeToConvert);
                    if (shape is null || shape.Length != 2)
                    {
                        var what = shape is null ? "a 1-D array" : $"an array of {shape.Length} dimensions ({Shape(shape)})";
                        throw new JsonException($"The script returned {what} where {Describe(typeof(TCollection))} (rows) is expected; return a 2-D array or a list of rows.");
                    }

                    list.AddRange(rows(dtype, bytes, (int)shape[0], (int)shape[1]));
                    break;
                case var token when singleValues:
                    try
                    {
                        list.Add(JsonSerializer.Deserialize<TElement>(ref reader, options)!);
                    }
                    catch (JsonException e)
                    {
                        throw new JsonException($"Expected an array for {Describe(typeof(TCollection))}, or a single {Describe(typeof(TElement))} (R's vector of one value), got {token}: {e.Message}", e);
                    }

                    break;
                default:
                    throw new JsonException($"Expected an array for {Describe(typeof(TCollection))}, got {reader.TokenType}.");
            }

            return typeof(TCollection).IsArray ? (TCollection)(object)list.ToArray() : (TCollection)(object)list;
        }

        // For a collection of numeric rows (double[], List<float>, IReadOnlyList<decimal>, ...): how to cut a 2-D
        // reference's values into them. A row is an array, or a List<T> where its type is one a List<T> is.
        private static Func<string, byte[], int, int, IEnumerable<TElement>>? Rows()
        {
            var element = typeof(TElement);
            var value = element.IsArray && element.GetArrayRank() == 1 ? element.GetElementType()
                : element.IsGenericType && element.GetGenericArguments() is [var argument] && element.IsAssignableFrom(typeof(List<>).MakeGenericType(argument)) ? argument
                : null;
            return value == typeof(double) ? Cut<double>
                : value == typeof(float) ? Cut<float>
                : value == typeof(int) ? Cut<int>
                : value == typeof(long) ? Cut<long>
                : value == typeof(decimal) ? CutDecimals
                : null;
        }

        private static IEnumerable<TElement> Cut<T>(string dtype, byte[] bytes, int rows, int columns)
            where T : unmanaged
        {
            var values = NumericArrayConverter<T>.Convert(dtype, bytes, Describe(typeof(TCollection)));
            for (var i = 0; i < rows; i++)
            {
                yield return Row(values.AsSpan(i * columns, columns).ToArray());
            }
        }

        private static IEnumerable<TElement> CutDecimals(string dtype, byte[] bytes, int rows, int columns)
        {
            var values = NumericArrayConverter<double>.Convert(dtype, bytes, Describe(typeof(TCollection)));
            for (var i = 0; i < rows; i++)
            {
                var row = new decimal[columns];
                for (var j = 0; j < columns; j++)
                {
                    var v = values[(i * columns) + j];
                    row[j] = double.IsFinite(v) && Math.Abs(v) < 7.9e28
                        ? (decimal)v
                        : throw new JsonException($"The value {v.ToString(System.Globalization.CultureInfo.InvariantCulture)} at row {i}, column {j} is not a decimal (for {Describe(typeof(TCollection))}).");
                }

                yield return Row(row);
            }
        }

        private static TElement Row<T>(T[] row) => typeof(TElement).IsArray ? (TElement)(object)row : (TElement)(object)new List<T>(row);
    }
}

/// <summary>One script call's folder: its inputs, its output, and the arrays beside them. Deleted with the call.</summary>
internal sealed class ScriptExchange(string folder, bool singleValuesAsCollections = false)
{
    private int _files;

    public string Folder { get; } = folder;

    /// <summary>Whether a single value is read as a collection of one (an R script's output).</summary>
    public bool SingleValuesAsCollections { get; } = singleValuesAsCollections;

    public string NewFile(string prefix) => $"{prefix}-{Interlocked.Increment(ref _files)}.bin";
}
