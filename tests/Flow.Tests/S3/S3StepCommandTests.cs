using Flow.Datastore;
using Flow.Tests.Reliability;
using NUnit.Framework;

namespace Flow.Tests.S3;

/// <summary>A whole run driven task by task through the <c>step</c> command on S3, as a cluster backend would.</summary>
public class S3StepCommandTests
{
    private static MotoServer Moto => MotoServer.Current;

    [TestCase("BranchFlow", "out = 3")]
    [TestCase("ForeachFlow", "out = 122")]
    public async Task ARunDrivenThroughTheStepCommandStoresWhatANormalRunStores(string sample, string printed)
    {
        var work = Directory.CreateTempSubdirectory("flow-s3-step-").FullName;
        try
        {
            var datastore = Moto.NewDatastore(out var root);
            var environment = Moto.AwsEnvironment();
            environment[DatastoreConfig.RootVariable] = root;
            await StepCommandTests.AssertStepByStepEqualsARunAsync(sample, printed, datastore, work, environment);
            Assert.That(Directory.Exists(Path.Combine(work, ".flow")), Is.False, "nothing is stored locally");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
