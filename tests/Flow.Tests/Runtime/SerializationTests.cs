using Flow.Serialization;
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
}
