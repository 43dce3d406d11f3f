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

    [Test]
    public void TheServerGoingAwayWhileAStepTaskRunsExitsWithOne()
    {
        var work = Directory.CreateTempSubdirectory("flow-s3-step-").FullName;
        try
        {
            using var proxy = new LoopbackProxy(Moto.Port);
            var environment = Moto.AwsEnvironment(proxy.Endpoint);
            environment[DatastoreConfig.RootVariable] = $"s3://{MotoServer.Bucket}/step-exit-{Guid.NewGuid():N}";
            environment["FLOW_TEST_ITEMS"] = "1";
            var run = TestProcess.RunProgram(RepoPaths.TestFlowsDll, work, environment, "FaultFlow", "run", "--isolation", "InProcess");
            Assert.That(run.Code, Is.EqualTo(0), run.ToString());
            var runId = ReliabilityTest.RunIdStarted(run);

            // The task waits at a gate once it has read its inputs; the server goes away meanwhile, so nothing of it can be stored.
            var gate = Directory.CreateDirectory(Path.Combine(work, "gate")).FullName;
            environment["FLOW_TEST_GATE"] = gate;
            ProcessResult result;
            using (var step = TestProcess.StartProgram(RepoPaths.TestFlowsDll, work, environment, "FaultFlow", "step", "Work", "--run-id", runId, "--task-id", "9", "--input", $"{runId}/Start/1", "--foreach-index", "0"))
            {
                step.WaitUntil(() => File.Exists(Path.Combine(gate, "ready.0")), "the task is under way");
                proxy.Stop();
                File.WriteAllText(Path.Combine(gate, "open"), "");
                result = step.WaitForExit(TestProcess.Patience);
            }

            Assert.That(result.Code, Is.EqualTo(1), $"the task started, so a datastore failure is the task's (1), not bad input (2).\n{result}");
            Assert.That(result.Error, Does.Contain($"Task {runId}/Work/9 failed, and its failure is not recorded"), result.ToString());
            Assert.That(result.Error, Does.Not.Contain("   at "), result.ToString());
            Assert.That(result.Error + result.Output, Does.Not.Contain(MotoServer.SecretKey).And.Not.Contain(MotoServer.AccessKey));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
