using NUnit.Framework;

namespace Flow.Tests.Reliability;

/// <summary>An artifact that cannot be stored because it nests without end: the task fails naming it, the worker survives.</summary>
public class ArtifactDepthTests : ReliabilityTest
{
    [TestCase("cycle")]
    [TestCase("deep")]
    public void AnArtifactWithAReferenceCycleOrTooDeepFailsItsTaskNamingIt(string shape)
    {
        var result = RunFlow("CycleFlow", Env(("FLOW_TEST_SHAPE", shape)), "run");
        var runId = RunIdStarted(result);
        Assert.That(result.Code, Is.EqualTo(1), result.ToString());
        Assert.That(result.Error, Does.Contain($"failed in task {runId}/Start/1: "), result.ToString());
        Assert.That(result.Error, Does.Contain("Cannot store artifact 'Tree' (TreeNode): its value nests more than 500 levels deep")
            .And.Contain("reference cycle"), result.ToString());
        Assert.That(result.Error, Does.Not.Contain("exit code").And.Not.Contain("Stack overflow"), result.ToString());
        Assert.That(Stored.RunJson("CycleFlow", runId).GetProperty("status").GetString(), Is.EqualTo("Failed"), result.ToString());
        Stored.AssertEveryRecordIsWhole("CycleFlow");
    }

    [Test]
    public void AnArtifactWithAReferenceCycleFailsItsTaskInProcessToo()
    {
        var result = RunFlow("CycleFlow", null, "run", "--isolation", "InProcess");
        Assert.That(result.Code, Is.EqualTo(1), result.ToString());
        Assert.That(result.Error, Does.Contain("Cannot store artifact 'Tree' (TreeNode)"), result.ToString());
    }
}
