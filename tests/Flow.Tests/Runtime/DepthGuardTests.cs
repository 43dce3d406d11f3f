using Flow.Serialization;
using NUnit.Framework;

namespace Flow.Tests.Runtime;

/// <summary>Values are written only as deep as they can be read back; deeper ones, and cycles, are an error naming the artifact.</summary>
public class DepthGuardTests
{
    public sealed class Link
    {
        public int Value { get; set; }

        public Link? Next { get; set; }

        public List<Link> Others { get; set; } = [];
    }

    private static Link Chain(int length)
    {
        var head = new Link { Value = 0 };
        var node = head;
        for (var i = 1; i < length; i++)
        {
            node = node.Next = new Link { Value = i };
        }

        return head;
    }

    [Test]
    public void AValueThatNestsDeeplyButWithinTheLimitIsWrittenAndReadBack()
    {
        var stored = FlowSerializer.SerializeArtifact(Chain(400), "Chain");
        var read = FlowSerializer.Deserialize<Link>(stored, "artifact Chain");
        var count = 0;
        for (var node = read; node is not null; node = node.Next)
        {
            Assert.That(node.Value, Is.EqualTo(count++));
        }

        Assert.That(count, Is.EqualTo(400));
    }

    [Test]
    public void AValueTooDeepToReadBackIsAnErrorNamingTheArtifact()
    {
        var e = Assert.Throws<FlowException>(() => FlowSerializer.SerializeArtifact(Chain(600), "Chain"));
        Assert.That(e!.Message, Does.StartWith("Cannot store artifact 'Chain' (Link): its value nests more than 500 levels deep"));
    }

    [Test]
    public void AReferenceCycleThroughACollectionIsAnErrorAndTheNextValueIsWrittenAsUsual()
    {
        var parent = new Link { Value = 1 };
        parent.Others.Add(new Link { Value = 2, Next = parent });
        var e = Assert.Throws<FlowException>(() => FlowSerializer.SerializeArtifact(parent, "Graph"));
        Assert.That(e!.Message, Does.Contain("'Graph'").And.Contain("reference cycle"));

        // The depth count starts again from zero on the thread after an error.
        Assert.That(FlowSerializer.Deserialize<Link>(FlowSerializer.SerializeArtifact(Chain(450), "Chain"), "Chain").Value, Is.EqualTo(0));
    }

    [Test]
    public void AForeachElementWithACycleIsNamedByItsIndex()
    {
        var cyclic = new Link { Value = 1 };
        cyclic.Next = cyclic;
        var e = Assert.Throws<FlowException>(() => FlowSerializer.SerializeEach(new[] { new Link(), cyclic }, "Items"));
        Assert.That(e!.Message, Does.StartWith("Cannot store artifact 'Items[1]' (Link)"));
    }
}
