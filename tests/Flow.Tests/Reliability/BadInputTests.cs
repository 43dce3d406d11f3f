using NUnit.Framework;

namespace Flow.Tests.Reliability;

/// <summary>Bad input gets a clear message and a non-zero exit, and changes nothing in the datastore.</summary>
public class BadInputTests : ReliabilityTest
{
    private PreparedRun? _prepared;

    private string _runId = "";

    [OneTimeSetUp]
    public void RunOnce() => _prepared = new PreparedRun("FaultFlow", "total = 14");

    [OneTimeTearDown]
    public void DeleteTheRun() => _prepared?.Dispose();

    [SetUp]
    public void CopyTheRun()
    {
        _prepared!.CopyTo(Root);
        _runId = _prepared.RunId;
    }

    [TestCase("../..", "'../..' is not a valid run id")]
    [TestCase("../../etc", "'../../etc' is not a valid run id")]
    [TestCase(".flow", "'.flow' is not a valid run id")]
    [TestCase("not a run!", "'not a run!' is not a valid run id")]
    [TestCase("1700000000000-abcd", "Run FaultFlow/1700000000000-abcd is not in the datastore")]
    public void ResumeOfABadOriginRunIdSaysWhy(string origin, string message)
    {
        var result = RunFlow("FaultFlow", null, "resume", "Join", "--origin-run-id", origin);
        AssertRejected(result, message);
    }

    [TestCase("NoSuchStep", "Flow FaultFlow has no step 'NoSuchStep'. Its steps are: Start, Work, Join, End.")]
    [TestCase("../Join", "has no step '../Join'")]
    [TestCase("Start", "Resuming from Start would run everything again")]
    public void ResumeFromABadStepSaysWhy(string step, string message)
    {
        var result = RunFlow("FaultFlow", null, "resume", step, "--origin-run-id", _runId);
        AssertRejected(result, message);
    }

    [Test]
    public void ResumeInADatastoreWithoutRunsSaysSo()
    {
        var result = TestProcess.RunProgram(TestFlows, Work, null, "FaultFlow", "resume", "--datastore-root", Path.Combine(Work, "empty"));
        Assert.That(result.Code, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.StartWith("error: ").And.Contain("There is no run of FaultFlow"), result.ToString());
    }

    [Test]
    public void ADatastoreRootThatIsAFileSaysSo()
    {
        var file = Path.Combine(Work, "not-a-folder");
        File.WriteAllText(file, "");
        var result = TestProcess.RunProgram(TestFlows, Work, null, "FaultFlow", "run", "--datastore-root", file);
        Assert.That(result.Code, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.StartWith("error: ").And.Contain($"The datastore at {file} is a file"), result.ToString());
    }

    [TestCase("garbage")]
    [TestCase("../../x")]
    [TestCase("RUN/Join")]
    [TestCase("../Join/6")]
    [TestCase("{run}/Join/six")]
    [TestCase("{run}/Join/6/7")]
    public void TheStepCommandRejectsAnInputThatIsNotATaskPath(string input)
    {
        input = input.Replace("{run}", _runId, StringComparison.Ordinal);
        var result = RunFlow("FaultFlow", null, "step", "End", "--run-id", _runId, "--task-id", "7", "--input", input);
        AssertRejected(result, $"'{input}' is not a task path; write RUN/STEP/TASK");
        Assert.That(Stored.TaskJsons("FaultFlow", _runId)["End.7"].GetProperty("status").GetString(), Is.EqualTo("Succeeded"), "bad input must not overwrite the task's record");
    }

    [TestCase("--run-id", "../..", "'../..' is not a valid run id")]
    [TestCase("--run-id", "1700000000000-abcd", "Run FaultFlow/1700000000000-abcd is not in the datastore")]
    public void TheStepCommandRejectsABadRunId(string option, string value, string message)
    {
        var result = RunFlow("FaultFlow", null, "step", "End", option, value, "--task-id", "7", "--input", $"{_runId}/Join/6");
        AssertRejected(result, message);
    }

    [Test]
    public void TheStepCommandRejectsAnUnknownStep()
    {
        var result = RunFlow("FaultFlow", null, "step", "Nope", "--run-id", _runId, "--task-id", "7");
        AssertRejected(result, "Flow FaultFlow has no step 'Nope'");
    }

    [TestCase("runs")]
    [TestCase("runs", "--all")]
    [TestCase("dump", "{run}")]
    [TestCase("logs", "{run}/End")]
    [TestCase("tag", "list", "{run}")]
    [TestCase("step", "End", "--run-id", "{run}", "--task-id", "7", "--input", "{run}/Join/6")]
    public void ACommandOnADatastoreThatDoesNotExistSaysSo(params string[] args)
    {
        var missing = Path.Combine(Work, "no-such-datastore");
        var result = TestProcess.RunProgram(TestFlows, Work, null, ["FaultFlow", .. args.Select(a => a.Replace("{run}", _runId, StringComparison.Ordinal)), "--datastore-root", missing]);
        Assert.That(result.Code, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.StartWith($"error: There is no datastore at {missing}: the folder does not exist."), result.ToString());
        Assert.That(Directory.Exists(missing), Is.False, "looking must not create it");
    }

    [Test]
    public void RunsWithoutADatastoreInTheWorkingFolderSaysSo()
    {
        var empty = Directory.CreateDirectory(Path.Combine(Work, "elsewhere")).FullName;
        var result = TestProcess.RunProgram(TestFlows, empty, null, "FaultFlow", "runs");
        Assert.That(result.Code, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain($"There is no datastore at {Path.Combine(empty, ".flow")}"), result.ToString());
    }

    [Test]
    public void AParameterOfTheWrongTypeSaysWhich()
    {
        var result = RunFlow("ParamFlow", null, "run", "--seed", "seven");
        Assert.That(result.Code, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.StartWith("error: ").And.Contain("seven").And.Contain("--seed"), result.ToString());
        Assert.That(Stored.RunIds("ParamFlow"), Is.Empty, "a rejected run leaves nothing behind");
    }

    [Test]
    public void AnUnknownFlowOfAProgramWithSeveralSaysWhichItHas()
    {
        var result = TestProcess.RunProgram(TestFlows, Work, null, "NoFlow", "run");
        Assert.That(result.Code, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain("unknown flow 'NoFlow'").And.Contain("FaultFlow"), result.ToString());
    }

    private void AssertRejected(ProcessResult result, string message)
    {
        Assert.That(result.Code, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.StartWith("error: ").And.Contain(message), result.ToString());
        Assert.That(result.Error, Does.Not.Contain("   at "), $"a user error is a sentence, not a stack trace.\n{result}");
        Assert.That(Stored.RunIds("FaultFlow"), Is.EqualTo(new[] { _runId }), $"a rejected command must not create a run.\n{result}");
        Assert.That(Stored.TaskJsons("FaultFlow", _runId), Has.Count.EqualTo(7), $"a rejected command must not add tasks.\n{result}");
    }
}
