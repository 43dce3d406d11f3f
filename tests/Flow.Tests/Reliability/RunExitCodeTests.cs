using NUnit.Framework;

namespace Flow.Tests.Reliability;

/// <summary>Once a run has started, its failure exits with 1, whatever failed: a task, or the datastore under the run.</summary>
public class RunExitCodeTests : ReliabilityTest
{
    [Test]
    public void ALocalDatastoreBrokenMidRunExitsWithOne()
    {
        // Two children that sleep; meanwhile the run's folder is replaced by a file, so nothing more of the run can be stored.
        var environment = Env(("FLOW_TEST_ITEMS", "2"), ("FLOW_TEST_SLEEP_MS", "3000"), ("FLOW_TEST_FAULT_INDEX", "-1"));
        ProcessResult result;
        using (var run = TestProcess.StartProgram(TestFlows, Work, environment, "FaultFlow", "run", "--datastore-root", Root))
        {
            run.WaitUntil(() => run.Error.Contains("[Start/1] done", StringComparison.Ordinal), "the start step is done");
            var folder = Stored.RunFolder("FaultFlow", Stored.RunIds("FaultFlow").Single());
            Directory.Move(folder, Path.Combine(Work, "moved"));
            File.WriteAllText(folder, "not a folder");
            result = run.WaitForExit(TestProcess.Patience);
        }

        Assert.That(result.Code, Is.EqualTo(1), $"the run started, so its failure is exit code 1, not 2 (bad command line) or a crash.\n{result}");
        Assert.That(result.Error, Does.Contain($"Run {RunIdStarted(result)} stopped before it finished"), result.ToString());
    }
}
