using Flow.Datastore;
using Flow.Tests.Infrastructure;
using Flow.Tests.Reliability;
using NUnit.Framework;

namespace Flow.Tests.S3;

/// <summary>Steps on Slurm with the S3 datastore: the jobs read and write the run's data in the bucket, nothing locally.</summary>
public class S3SlurmTests
{
    private static MotoServer Moto => MotoServer.Current;

    [Test]
    public async Task TheBranchSampleOnSlurmAndS3GivesTheLocalResults()
    {
        var work = Directory.CreateTempSubdirectory("flow-s3-slurm-").FullName;
        try
        {
            var cluster = SlurmCluster.Shared;
            var local = TestProcess.RunProgram(RepoPaths.SampleDll("BranchFlow"), work, null, "run", "--datastore-root", Path.Combine(work, "local"));
            Assert.That(local.Code, Is.EqualTo(0), local.ToString());

            var datastore = Moto.NewDatastore(out var root);
            var environment = Moto.AwsEnvironment();
            foreach (var (name, value) in cluster.Environment)
            {
                environment[name] = value;
            }

            environment[DatastoreConfig.RootVariable] = root;
            var result = TestProcess.RunProgram(RepoPaths.SampleDll("BranchFlow"), work, environment, "run", "--with", "slurm");
            Assert.That(result.Code, Is.EqualTo(0), result.ToString());
            Assert.That(result.Output, Does.Contain("out = 3"), result.ToString());
            Assert.That(result.Error, Does.Contain("submitted to Slurm as job"), result.ToString());
            Assert.That(result.Error + result.Output, Does.Not.Contain(MotoServer.SecretKey));

            var end = await datastore.Metadata.ListTasksAsync("BranchFlow", ReliabilityTest.RunIdStarted(result));
            var expected = await new StoredData(Path.Combine(work, "local")).EndArtifactKeysAsync("BranchFlow", ReliabilityTest.RunIdStarted(local));
            Assert.That(end.Single(t => t.Step == "End").Artifacts.ToDictionary(a => a.Key, a => a.Value.Key), Is.EqualTo(expected));
            Assert.That(Directory.Exists(Path.Combine(work, ".flow")), Is.False, "nothing is stored locally");
            Assert.That(Directory.EnumerateFileSystemEntries(Path.Combine(work, ".flow-slurm")), Is.Empty, "the run's job scripts and Slurm output are removed at its end");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
