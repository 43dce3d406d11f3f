using Flow.Serialization;
using MessagePack;
using MessagePack.Resolvers;
using NUnit.Framework;

namespace Flow.Tests.Runtime;

public class SerializationTests
{
    [Test]
    public void ACompressibleValueIsStoredCompressedAndReadsBack()
    {
        var text = new string('a', 100_000);
        var value = FlowSerializer.Serialize(text);
        Assert.That(value.Data.Length, Is.LessThan(10_000));
        Assert.That(FlowSerializer.Deserialize<string>(value, "text"), Is.EqualTo(text));
    }

    [Test]
    public void ASmallOrIncompressibleValueIsStoredPlain()
    {
        var bytes = new byte[50_000];
        new Random(7).NextBytes(bytes);
        var value = FlowSerializer.Serialize(bytes);
        Assert.That(value.Data.Length, Is.GreaterThanOrEqualTo(50_000));
        Assert.That(FlowSerializer.Deserialize<byte[]>(value, "bytes"), Is.EqualTo(bytes));
    }

    [Test]
    public void IdenticalValuesHaveIdenticalHashes()
    {
        Assert.That(FlowSerializer.Serialize(new List<int> { 1, 2, 3 }).Hash, Is.EqualTo(FlowSerializer.Serialize(new[] { 1, 2, 3 }).Hash));
        Assert.That(FlowSerializer.Serialize("a").Hash, Is.Not.EqualTo(FlowSerializer.Serialize("b").Hash));
    }

    [Test]
    public void DataThatDoesNotMatchItsHashIsRejectedWithItsName()
    {
        var value = FlowSerializer.Serialize(42);
        var e = Assert.Throws<FlowException>(() => ArtifactValue.FromBytes(new byte[] { 1, 2, 3 }, value.Hash, "artifact X of run 1/Start/1"));
        Assert.That(e!.Message, Does.Contain("artifact X of run 1/Start/1").And.Contain("corrupt"));
    }

    [Test]
    public void DataOfTheWrongShapeIsAClearError()
    {
        var value = FlowSerializer.Serialize("not a number");
        var e = Assert.Throws<FlowException>(() => FlowSerializer.Deserialize<int>(value, "artifact X"));
        Assert.That(e!.Message, Does.StartWith("Cannot read artifact X as Int32"));
    }

    private static readonly MessagePackSerializerOptions Standard = MessagePackSerializerOptions.Standard.WithResolver(ContractlessStandardResolver.Instance);

    private static IEnumerable<TestCaseData> Scalars()
    {
        foreach (var i in new[] { 0, 1, -1, 127, 128, -32, -33, 255, 256, -129, 65535, 65536, int.MaxValue, int.MinValue })
        {
            yield return new TestCaseData(i).SetName($"Int {i}");
        }

        foreach (var l in new[] { 0L, -1L, uint.MaxValue, (long)uint.MaxValue + 1, long.MaxValue, long.MinValue, int.MinValue - 1L })
        {
            yield return new TestCaseData(l).SetName($"Long {l}");
        }

        foreach (var d in new[] { 0.0, -0.0, 1.5, double.NaN, double.PositiveInfinity, double.MaxValue, double.Epsilon })
        {
            yield return new TestCaseData(d).SetName($"Double {d}");
        }

        yield return new TestCaseData(3.25f).SetName("Float");
        yield return new TestCaseData(true).SetName("True");
        yield return new TestCaseData(false).SetName("False");
        foreach (var text in new[] { "", "a", "ünïcødé ✓", new string('x', 31), new string('x', 32), new string('x', 255), new string('y', 256) })
        {
            yield return new TestCaseData(text).SetName($"String of {text.Length}");
        }
    }

    [TestCaseSource(nameof(Scalars))]
    public void AScalarIsStoredAsTheStandardMessagePackBytesAndReadsBack<T>(T value)
    {
        var stored = FlowSerializer.Serialize(value);
        Assert.That(stored.Data.ToArray(), Is.EqualTo(MessagePackSerializer.Serialize(value, Standard)), "the same bytes (and so the same hash) as the serializer's own formatters");
        Assert.That(FlowSerializer.Deserialize<T>(stored, "artifact X"), Is.EqualTo(value));
        Assert.That(MessagePackSerializer.Deserialize<T>(stored.Data, FlowSerializer.Options), Is.EqualTo(value), "readable by the serializer too");
    }

    [Test]
    public void ANullStringIsStoredAsNil()
    {
        var stored = FlowSerializer.Serialize<string?>(null);
        Assert.That(stored.Data.ToArray(), Is.EqualTo(new byte[] { 0xc0 }));
        Assert.That(FlowSerializer.Deserialize<string?>(stored, "artifact X"), Is.Null);
    }

    [Test]
    public void ALongStringIsStillCompressedAndAnyStoredFormReadsAsAScalar()
    {
        var text = string.Concat(Enumerable.Repeat("abc", 1000));
        var stored = FlowSerializer.Serialize(text);
        Assert.That(stored.Data.Length, Is.LessThan(1000), "compressed");
        Assert.That(FlowSerializer.Deserialize<string>(stored, "artifact X"), Is.EqualTo(text));

        // A number written by the serializer itself, in a wider encoding than the smallest, reads the same.
        var wide = ArtifactValue.FromBytes(new byte[] { 0xd2, 0, 0, 0, 7 });
        Assert.That(FlowSerializer.Deserialize<long>(wide, "artifact X"), Is.EqualTo(7L));
        Assert.That(FlowSerializer.Deserialize<double>(FlowSerializer.Serialize(7), "artifact X"), Is.EqualTo(7.0));
    }

    [Test]
    public void NumbersOfOtherEncodingsReadAsTheSerializerReadsThem()
    {
        // A uint64 above long.MaxValue, an int64, a float32 and a float64, read as double and as float.
        var bigUnsigned = new byte[] { 0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe };
        var negative = new byte[] { 0xd3, 0x80, 0, 0, 0, 0, 0, 0, 1 };
        var single = new byte[] { 0xca, 0x40, 0x49, 0x0f, 0xdb };
        var wide = new byte[] { 0xcb, 0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18 };
        foreach (var data in new[] { bigUnsigned, negative, single, wide })
        {
            var value = ArtifactValue.FromBytes(data);
            Assert.That(FlowSerializer.Deserialize<double>(value, "artifact X"), Is.EqualTo(MessagePackSerializer.Deserialize<double>(data, FlowSerializer.Options)));
            Assert.That(FlowSerializer.Deserialize<float>(value, "artifact X"), Is.EqualTo(MessagePackSerializer.Deserialize<float>(data, FlowSerializer.Options)));
        }
    }

    [TestCase(new byte[] { 0xa3, (byte)'a', (byte)'b', (byte)'c' }, "Int32")]
    [TestCase(new byte[] { 0xcd, 0xff, 0xff }, "Boolean")]
    [TestCase(new byte[] { 0xda }, "String")]
    [TestCase(new byte[] { 0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, "Int32")]
    public void ScalarDataOfTheWrongTypeOrCutShortIsAClearError(byte[] data, string type)
    {
        var value = ArtifactValue.FromBytes(data);
        var e = Assert.Throws<FlowException>(() => _ = type switch
        {
            "Int32" => (object)FlowSerializer.Deserialize<int>(value, "artifact X"),
            "Boolean" => FlowSerializer.Deserialize<bool>(value, "artifact X"),
            _ => FlowSerializer.Deserialize<string>(value, "artifact X"),
        });
        Assert.That(e!.Message, Does.StartWith($"Cannot read artifact X as {type}"));
    }
}
