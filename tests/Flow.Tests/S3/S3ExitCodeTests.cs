using Flow.Tests.Reliability;
using NUnit.Framework;

namespace Flow.Tests.S3;

/// <summary>
/// Exit codes that scripts rely on when the datastore fails: 1 once the run has started (the run failed), 2 only
/// for what was wrong before it started.
/// </summary>
public class S3ExitCodeTests
{
    private static MotoServer Moto => MotoServer.Current;

    private string _work = "";

    [SetUp]
    public void CreateFolder() => _work = Directory.CreateTempSubdirectory("flow-s3-exit-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_work, recursive: true);

    [Test]
    public void TheServerGoingAwayMidRunExitsWithOneAndTheRunResumesOnceItIsBack()
    {
        using var proxy = new LoopbackProxy(Moto.Port);
        var environment = Moto.AwsEnvironment(proxy.Endpoint);
        environment["FLOW_DATASTORE_ROOT"] = $"s3://{MotoServer.Bucket}/exit-{Guid.NewGuid():N}";

        // Two children wait at a gate: the server goes away meanwhile, so the run has started and cannot record its end.
        var gate = Directory.CreateDirectory(Path.Combine(_work, "gate")).FullName;
        var faults = new Dictionary<string, string>(environment) { ["FLOW_TEST_ITEMS"] = "2", ["FLOW_TEST_GATE"] = gate, ["FLOW_TEST_FAULT_INDEX"] = "-1" };
        ProcessResult failed;
        using (var run = TestProcess.StartProgram(RepoPaths.TestFlowsDll, _work, faults, "FaultFlow", "run"))
        {
            run.WaitUntil(() => Directory.EnumerateFiles(gate, "ready.*").Any(), "a child task is under way");
            proxy.Stop();
            File.WriteAllText(Path.Combine(gate, "open"), "");
            failed = run.WaitForExit(TestProcess.Patience);
        }

        Assert.That(failed.Code, Is.EqualTo(1), $"the run started, so its failure is exit code 1, not 2 (bad command line).\n{failed}");
        Assert.That(failed.Error, Does.Contain("did not answer"), failed.ToString());
        Assert.That(failed.Error + failed.Output, Does.Not.Contain(MotoServer.SecretKey).And.Not.Contain(MotoServer.AccessKey));
        var runId = ReliabilityTest.RunIdStarted(failed);
        Assert.That(failed.Error, Does.Contain($"resume it with: dotnet run -- FaultFlow resume --origin-run-id {runId}"), failed.ToString());

        proxy.Start();
        var resumed = TestProcess.RunProgram(RepoPaths.TestFlowsDll, _work, new Dictionary<string, string>(faults) { ["FLOW_TEST_GATE"] = "" }, "FaultFlow", "resume", "--origin-run-id", runId);
        Assert.That(resumed.Code, Is.EqualTo(0), resumed.ToString());
        Assert.That(resumed.Output, Does.Contain("total = 1,"), resumed.ToString());
    }

    [Test]
    public void AMissingBucketBeforeTheRunStartsExitsWithTwo()
    {
        var environment = Moto.AwsEnvironment();
        environment["FLOW_DATASTORE_ROOT"] = $"s3://no-such-bucket-{Guid.NewGuid():N}/x";
        var result = TestProcess.RunProgram(RepoPaths.TestFlowsDll, _work, environment, "FaultFlow", "run");
        Assert.That(result.Code, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.StartWith("error: ").And.Contain("does not exist"), result.ToString());
    }
}
