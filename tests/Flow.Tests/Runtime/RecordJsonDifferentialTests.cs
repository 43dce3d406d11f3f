using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Flow.Datastore;
using Flow.Execution;
using NUnit.Framework;

namespace Flow.Tests.Runtime;

/// <summary>
/// The hand-written record JSON against <see cref="JsonSerializer"/> with the same contract (web defaults, enums
/// by name, nulls left out, every settable property): every record type, with every property given a value
/// that is not its default, is written to the same JSON and reads back the same. A property added to a record
/// and forgotten in the writer or the reader fails here.
/// </summary>
public class RecordJsonDifferentialTests
{
    private static readonly JsonSerializerOptions Contract = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { OnlySettableProperties } },
    };

    private static IEnumerable<Type> RecordTypes() => [typeof(RunRecord), typeof(TaskRecord), typeof(TaskRequest)];

    [TestCaseSource(nameof(RecordTypes))]
    public void EveryPropertyIsWrittenAsTheSerializerWritesIt(Type type)
    {
        var record = Filled(type, type.Name);
        var expected = JsonNode.Parse(JsonSerializer.SerializeToUtf8Bytes(record, type, Contract))!.AsObject();
        var actual = JsonNode.Parse(Write(type, record))!.AsObject();

        // Every settable property has a value that is not left out, so a writer that forgets one shows here.
        Assert.That(expected.Select(p => p.Key), Is.EquivalentTo(SettableProperties(type).Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name))));
        Assert.That(JsonNode.DeepEquals(actual, expected), Is.True, $"hand-written:\n{actual}\nserializer:\n{expected}");
    }

    [TestCaseSource(nameof(RecordTypes))]
    public void EveryPropertyReadsBackAsTheSerializerReadsIt(Type type)
    {
        var record = Filled(type, type.Name);
        var json = JsonSerializer.SerializeToUtf8Bytes(record, type, Contract);
        var read = Read(type, json);
        Assert.That(
            JsonNode.DeepEquals(JsonNode.Parse(JsonSerializer.SerializeToUtf8Bytes(read, type, Contract)), JsonNode.Parse(json)),
            Is.True,
            $"read back:\n{JsonSerializer.Serialize(read, type, Contract)}\nwritten:\n{JsonSerializer.Serialize(record, type, Contract)}");
    }

    [TestCaseSource(nameof(RecordTypes))]
    public void ARecordWithOnlyItsRequiredPropertiesIsWrittenAsTheSerializerWritesIt(Type type)
    {
        var record = Activator.CreateInstance(type)!;
        foreach (var property in SettableProperties(type).Where(p => p.GetCustomAttribute<System.Runtime.CompilerServices.RequiredMemberAttribute>() is not null))
        {
            property.SetValue(record, Value(property.PropertyType, property.Name));
        }

        var expected = JsonNode.Parse(JsonSerializer.SerializeToUtf8Bytes(record, type, Contract));
        Assert.That(JsonNode.DeepEquals(JsonNode.Parse(Write(type, record)), expected), Is.True, $"serializer:\n{expected}");
    }

    private static byte[] Write(Type type, object record) =>
        (byte[])typeof(RecordJson).GetMethod(nameof(RecordJson.Serialize))!.MakeGenericMethod(type).Invoke(null, [record])!;

    private static object Read(Type type, byte[] json)
    {
        var read = typeof(RecordJsonDifferentialTests).GetMethod(nameof(ReadAs), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(type);
        return read.Invoke(null, [json])!;
    }

    private static T ReadAs<T>(byte[] json) => RecordJson.Deserialize<T>(json, "a test record");

    private static void OnlySettableProperties(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }

        foreach (var property in info.Properties.Where(p => p.Set is null).ToList())
        {
            info.Properties.Remove(property);
        }
    }

    private static IEnumerable<PropertyInfo> SettableProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true } && p.GetCustomAttribute<JsonIgnoreAttribute>() is null);

    // An instance with every settable property set to a value that is not its default and differs from its neighbours'.
    private static object Filled(Type type, string seed)
    {
        var instance = type == typeof(ArtifactRef)
            ? new ArtifactRef(Hash(seed), $"{seed}-type", seed.Length + 100)
            : Activator.CreateInstance(type)!;
        foreach (var property in SettableProperties(type))
        {
            property.SetValue(instance, Value(property.PropertyType, $"{seed}.{property.Name}"));
        }

        return instance;
    }

    private static object Value(Type type, string seed)
    {
        // A hash that is the same in every process, so that a failure shows the same data again.
        var number = (int)(BitConverter.ToUInt32(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(seed))) % 1000) + 1;
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            return $"{seed} <\"é\">";
        }

        if (type == typeof(long))
        {
            return (long)number * 1_000_000_007L;
        }

        if (type == typeof(int))
        {
            return number;
        }

        if (type == typeof(bool))
        {
            return true;
        }

        if (type == typeof(DateTimeOffset))
        {
            return new DateTimeOffset(2026, 12, 4, 21, 30, 0, TimeSpan.Zero).AddTicks(number * 12_345);
        }

        if (type == typeof(byte[]))
        {
            return new byte[] { 0, (byte)number, 0xff };
        }

        if (type.IsEnum)
        {
            return Enum.GetValues(type).Cast<object>().Last();
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() is var generic
            && (generic == typeof(IReadOnlyList<>) || generic == typeof(IReadOnlyDictionary<,>)))
        {
            var arguments = type.GetGenericArguments();
            if (arguments.Length == 1)
            {
                var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(arguments[0]))!;
                list.Add(Value(arguments[0], $"{seed}[0]"));
                list.Add(Value(arguments[0], $"{seed}[1]"));
                return list;
            }

            var dictionary = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(arguments))!;
            dictionary.Add(Value(arguments[0], $"{seed}.key"), Value(arguments[1], $"{seed}.value"));
            return dictionary;
        }

        if (type.IsClass && type.Namespace?.StartsWith("Flow", StringComparison.Ordinal) == true)
        {
            return Filled(type, seed);
        }

        throw new AssertionException($"The record test cannot make a value of {type}: teach {nameof(Value)} this type.");
    }

    private static string Hash(string seed) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(seed)));
}
