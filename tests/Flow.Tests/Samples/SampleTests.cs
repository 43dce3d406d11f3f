using NUnit.Framework;

namespace Flow.Tests.Samples;

/// <summary>The seed samples, run as a user runs them: their built programs, with a command line.</summary>
public class SampleTests
{
    [TestCase("BranchFlow", "out = 3")]
    [TestCase("ForeachFlow", "out = 122")]
    public void SampleRunPrintsItsResult(string sample, string expected)
    {
        var result = Run(sample, "run");
        Assert.That(result.Code, Is.EqualTo(0), result.ToString());
        Assert.That(result.Output.Split('\n').Select(l => l.Trim()), Has.Some.EndsWith(expected), result.ToString());
    }

    [Test]
    public void ResourcesFlowRunsOnAMachineSmallerThanItAsksFor()
    {
        var result = Run("ResourcesFlow", "run");
        Assert.That(result.Code, Is.EqualTo(0), result.ToString());
        Assert.That(result.Output, Does.Contain("train saw ").And.Contain("load saw "), result.ToString());
    }

    /// <summary>Runs a built sample in a folder of its own, with Flow's variables of the test process left out.</summary>
    public static ProcessResult Run(string sample, params string[] args) =>
        TestProcess.RunProgram(RepoPaths.SampleDll(sample), Directory.CreateTempSubdirectory("flow-sample-").FullName, null, args);
}
