using NUnit.Framework;

namespace Flow.Tests.Reliability;

/// <summary>Once a run has started, its failure exits with 1, whatever failed: a task, or the datastore under the run.</summary>
public class RunExitCodeTests : ReliabilityTest
{
    [Test]
    public void ALocalDatastoreBrokenMidRunExitsWithOneAndNoWorkerCrashes()
    {
        // Two children wait at a gate; meanwhile the run's folder is replaced by a file, so nothing more of the run can be stored.
        var gate = Directory.CreateDirectory(Path.Combine(Work, "gate")).FullName;
        var environment = Env(("FLOW_TEST_ITEMS", "2"), ("FLOW_TEST_GATE", gate), ("FLOW_TEST_FAULT_INDEX", "-1"));
        ProcessResult result;
        using (var run = TestProcess.StartProgram(TestFlows, Work, environment, "FaultFlow", "run", "--datastore-root", Root))
        {
            run.WaitUntil(() => Directory.EnumerateFiles(gate, "ready.*").Any(), "a child task is under way");
            var folder = Stored.RunFolder("FaultFlow", Stored.RunIds("FaultFlow").Single());
            Directory.Move(folder, Path.Combine(Work, "moved"));
            File.WriteAllText(folder, "not a folder");
            File.WriteAllText(Path.Combine(gate, "open"), "");
            result = run.WaitForExit(TestProcess.Patience);
        }

        var runId = RunIdStarted(result);
        Assert.That(result.Code, Is.EqualTo(1), $"the run started, so its failure is exit code 1, not 2 (bad command line) or a crash.\n{result}");
        Assert.That(result.Error, Does.Contain($"error: The datastore at {Root} failed under run FaultFlow/{runId}: "), result.ToString());
        Assert.That(result.Error, Does.Contain($"Run {runId} stopped before it finished; once the cause is fixed, resume it with: dotnet run -- FaultFlow resume --origin-run-id {runId}"), result.ToString());

        // A worker whose task cannot be stored replies with a failed record: it does not crash, so no stack trace is forwarded.
        Assert.That(result.Error, Does.Not.Contain("Unhandled exception").And.Not.Contain("exit code 134").And.Not.Contain("   at "), result.ToString());
        Assert.That(result.Error, Does.Contain($"failed: Flow.FlowException: Task {runId}/Work/").And.Contain($"but the datastore at {Root} could not store its logs and record"), result.ToString());
    }

    [Test]
    public void InProcessADatastoreBrokenUnderTasksFailsTheTasksAndTheRunWaitsForThemAll()
    {
        // As with workers, but the tasks run in the scheduler's process: a task whose record cannot be stored fails,
        // and the run ends only after every task it started.
        var gate = Directory.CreateDirectory(Path.Combine(Work, "gate")).FullName;
        var environment = Env(("FLOW_TEST_ITEMS", "2"), ("FLOW_TEST_GATE", gate), ("FLOW_TEST_FAULT_INDEX", "-1"));
        ProcessResult result;
        using (var run = TestProcess.StartProgram(TestFlows, Work, environment, "FaultFlow", "run", "--isolation", "InProcess", "--datastore-root", Root))
        {
            run.WaitUntil(() => Directory.EnumerateFiles(gate, "ready.*").Count() == 2, "both child tasks are under way");
            var folder = Stored.RunFolder("FaultFlow", Stored.RunIds("FaultFlow").Single());
            Directory.Move(folder, Path.Combine(Work, "moved"));
            File.WriteAllText(folder, "not a folder");
            File.WriteAllText(Path.Combine(gate, "open"), "");
            result = run.WaitForExit(TestProcess.Patience);
        }

        var runId = RunIdStarted(result);
        Assert.That(result.Code, Is.EqualTo(1), result.ToString());
        Assert.That(result.Error, Does.Contain($"error: The datastore at {Root} failed under run FaultFlow/{runId}: "), result.ToString());
        Assert.That(result.Error, Does.Not.Contain("Unhandled exception").And.Not.Contain("   at "), result.ToString());
        Assert.That(result.Error, Does.Contain($"failed: Flow.FlowException: Task {runId}/Work/").And.Contain($"but the datastore at {Root} could not store its logs and record"), result.ToString());
    }

    [Test]
    public void TheResumeHintOfAProgramWithSeveralFlowsNamesTheFlow()
    {
        var failed = RunFlow("FaultFlow", Env(("FLOW_TEST_ITEMS", "2"), ("FLOW_TEST_FAULT", "throw")), "run");
        Assert.That(failed.Code, Is.EqualTo(1), failed.ToString());
        Assert.That(failed.Error, Does.Contain($"Fix the step, then resume with: dotnet run -- FaultFlow resume --origin-run-id {RunIdStarted(failed)}"), failed.ToString());
    }

    [Test]
    public void ARunIdFileThatCannotBeWrittenIsBadInputAndCreatesNoRun()
    {
        var file = Path.Combine(Work, "no-such-folder", "id.txt");
        var result = RunFlow("FaultFlow", Env(("FLOW_TEST_ITEMS", "1")), "run", "--run-id-file", file);
        Assert.That(result.Code, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.StartWith($"error: Cannot write the run id to {file}:"), result.ToString());
        Assert.That(Directory.Exists(Path.Combine(Root, "FaultFlow")) ? Stored.RunIds("FaultFlow") : [], Is.Empty, "no run is created");
    }

    [Test]
    public void ARunThatCannotBeCreatedLeavesTheRunIdFileAsItWas()
    {
        var file = Path.Combine(Work, "id.txt");
        File.WriteAllText(file, "1-earlier\n");
        File.WriteAllText(Root, "not a folder");
        var result = RunFlow("FaultFlow", Env(("FLOW_TEST_ITEMS", "1")), "run", "--run-id-file", file);
        Assert.That(result.Code, Is.Not.EqualTo(0), result.ToString());
        Assert.That(File.ReadAllText(file), Is.EqualTo("1-earlier\n"), "the id of an earlier run stays until a new run exists");

        var missing = Path.Combine(Work, "new-id.txt");
        RunFlow("FaultFlow", Env(("FLOW_TEST_ITEMS", "1")), "run", "--run-id-file", missing);
        Assert.That(File.Exists(missing), Is.False, "checking that the file can be written leaves nothing behind");
    }

    [Test]
    public void ARunIdFileIsReplacedWholeSoThatAReaderNeverSeesItHalfWritten()
    {
        var file = Path.Combine(Work, "id.txt");
        File.WriteAllText(file, "1-earlier\n");

        // A reader that opened the file before the run still reads the earlier id whole: the new id is written to
        // another file and renamed over it, not written into the file the reader has (truncated, then filled).
        using var reader = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var result = RunFlow("FaultFlow", Env(("FLOW_TEST_ITEMS", "1")), "run", "--run-id-file", file);
        Assert.That(result.Code, Is.EqualTo(0), result.ToString());
        Assert.That(new StreamReader(reader).ReadToEnd(), Is.EqualTo("1-earlier\n"));
        Assert.That(File.ReadAllText(file), Is.EqualTo(RunIdStarted(result) + "\n"));
        Assert.That(Directory.GetFiles(Work, "*.tmp"), Is.Empty, "no temporary file is left beside it");
    }

    [Test]
    public void ARunIdFileThatIsALinkOrNotAPlainFileIsWrittenThrough()
    {
        // A link to a file: the file it points to gets the id, and the link stays.
        var target = Path.Combine(Work, "target.txt");
        File.WriteAllText(target, "1-earlier\n");
        var link = Path.Combine(Work, "id-link.txt");
        File.CreateSymbolicLink(link, target);
        var result = RunFlow("FaultFlow", Env(("FLOW_TEST_ITEMS", "1")), "run", "--run-id-file", link);
        Assert.That(result.Code, Is.EqualTo(0), result.ToString());
        Assert.That(new FileInfo(link).LinkTarget, Is.EqualTo(target));
        Assert.That(File.ReadAllText(target), Is.EqualTo(RunIdStarted(result) + "\n"));

        // Standard output: the id is a line of it, among the program's other output.
        result = RunFlow("FaultFlow", Env(("FLOW_TEST_ITEMS", "1")), "run", "--run-id-file", "/dev/stdout");
        Assert.That(result.Code, Is.EqualTo(0), result.ToString());
        Assert.That(result.Output.Split('\n'), Does.Contain(RunIdStarted(result)));
    }

    [Test]
    public async Task ARunIdFileThatIsANamedPipeGivesItsReaderTheId()
    {
        var pipe = Path.Combine(Work, "id.pipe");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [pipe]))
        {
            await mkfifo.WaitForExitAsync();
            Assert.That(mkfifo.ExitCode, Is.Zero, "mkfifo");
        }

        // The reader waits for a writer, and reads to the end: the id, then the end when the run closes the pipe.
        var read = Task.Run(() => File.ReadAllText(pipe));
        var result = RunFlow("FaultFlow", Env(("FLOW_TEST_ITEMS", "1")), "run", "--run-id-file", pipe);
        Assert.That(result.Code, Is.EqualTo(0), result.ToString());
        Assert.That(await read.WaitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo(RunIdStarted(result) + "\n"));
    }

    [Test]
    public void ARunIdFileGetsTheRunId()
    {
        var file = Path.Combine(Work, "id.txt");
        var result = RunFlow("FaultFlow", Env(("FLOW_TEST_ITEMS", "1")), "run", "--run-id-file", file);
        Assert.That(result.Code, Is.EqualTo(0), result.ToString());
        Assert.That(File.ReadAllText(file), Is.EqualTo(RunIdStarted(result) + "\n"));
    }
}
