using Flow.Cli;
using NUnit.Framework;

namespace Flow.Tests.Runtime;

public class CommandLineTests
{
    private string _root = "";

    [SetUp]
    public void CreateDatastore() => _root = Directory.CreateTempSubdirectory("flow-test-").FullName;

    [TearDown]
    public void DeleteDatastore() => Directory.Delete(_root, recursive: true);

    // The tests run inside the test host, which cannot be started as a worker: tasks run in-process here.
    private (int Code, string Output, string Error) Run<TFlow>(params string[] args)
        where TFlow : FlowSpec, IFlowDefinitionProvider<TFlow>
    {
        var output = new StringWriter();
        var error = new StringWriter();
        string[] extra = args.Length > 0 && args[0] is "run" or "resume" && !args.Contains("--help") ? ["--isolation", "InProcess"] : [];
        var code = FlowApp.Run([.. args, .. extra, "--datastore-root", _root], FlowApp.DefinitionOf<TFlow>(), output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Test]
    public void RunSucceedsWithExitCodeZero()
    {
        var (code, _, error) = Run<ConditionalFlow>("run", "--value", "9");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), error);
        Assert.That(error, Does.Contain("succeeded: 3 tasks"));
    }

    [Test]
    public void AFailedRunExitsWithOne()
    {
        var (code, _, error) = Run<FailingFlow>("run");
        Assert.That(code, Is.EqualTo(ExitCodes.RunFailed));
        Assert.That(error, Does.Contain("failed in task").And.Contain("Boom"));
    }

    [Test]
    public void AnOutputThatCannotBeFlushedAfterASuccessfulRunKeepsExitCodeZero()
    {
        // As when stdout is a pipe that a reader (| head) closed: the run is stored as it ended, and did not stop.
        var error = new StringWriter();
        var code = FlowApp.Run(["run", "--value", "9", "--isolation", "InProcess", "--datastore-root", _root], FlowApp.DefinitionOf<ConditionalFlow>(), new UnflushableWriter(), error);
        Assert.That(code, Is.EqualTo(ExitCodes.Success), error.ToString());
        Assert.That(error.ToString(), Does.Contain("succeeded: 3 tasks").And.Contain("not all of its output could be written").And.Not.Contain("stopped before it finished"));
    }

    [TestCase("frobnicate")]
    [TestCase("run", "--no-such-option")]
    [TestCase("run", "--value", "seven")]
    [TestCase("run", "--max-workers", "0")]
    public void BadInputExitsWithTwoAndSaysWhy(params string[] args)
    {
        var (code, _, error) = Run<ConditionalFlow>(args);
        Assert.That(code, Is.EqualTo(ExitCodes.UsageError));
        Assert.That(error, Does.StartWith("error: "));
    }

    [Test]
    public void ARequiredParameterIsNamedInTheError()
    {
        var (code, _, error) = Run<ParameterFlow>("run");
        Assert.That(code, Is.EqualTo(ExitCodes.UsageError));
        Assert.That(error, Does.Contain("--name is required"));
    }

    [Test]
    public void RunHelpListsTheParametersWithTheirHelp()
    {
        var (code, output, _) = Run<ParameterFlow>("run", "--help");
        Assert.That(code, Is.EqualTo(ExitCodes.Success));
        Assert.That(output, Does.Contain("--alpha").And.Contain("The learning rate.").And.Contain("--name").And.Contain("--max-workers"));
    }

    [Test]
    public void ShowPrintsEveryStepWithItsTransitions()
    {
        var (code, output, _) = Run<NestedForeachFlow>("show");
        Assert.That(code, Is.EqualTo(ExitCodes.Success));
        Assert.That(output, Does.Contain("Start").And.Contain("foreach").And.Contain("-> Rows").And.Contain("for each of Outer (int)"));
        Assert.That(output, Does.Contain("JoinRows").And.Contain("join"));
    }

    [Test]
    public void ShowMarksConditionalTargets()
    {
        var (_, output, _) = Run<ConditionalFlow>("show");
        Assert.That(output, Does.Contain("conditional").And.Contain("Big | Small"));
    }

    [TestCase("text", "  Loop   loop         -> Loop (again) | End  [Retry(Times = 1)]")]
    [TestCase("dot", "  \"Loop\" -> \"Loop\" [style=dashed, label=\"again\"];")]
    [TestCase("mermaid", "    Loop -. again .-> Loop")]
    public void ShowMarksALoop(string format, string line)
    {
        var (code, output, _) = Run<CountingLoopFlow>("show", "--format", format);
        Assert.That(code, Is.EqualTo(ExitCodes.Success));
        Assert.That(output.Split('\n').Select(l => l.TrimEnd('\r')), Has.Member(line), output);
    }

    [Test]
    public void ShowAndCheckSayWhichStepsGoToSlurm()
    {
        var (_, show, _) = Run<SlurmMarkedFlow>("show");
        Assert.That(show, Does.Contain("[Resources(Cpu = 4, Gpu = 1, Memory = 8000)] [Slurm(Partition = gpu, Arguments = --exclusive)]"));
        var (code, check, _) = Run<SlurmMarkedFlow>("check");
        Assert.That(code, Is.EqualTo(ExitCodes.Success));
        Assert.That(check, Does.Contain("Start runs on Slurm: sbatch --cpus-per-task=4 --mem=8000 --gres=gpu:1 --partition=gpu --exclusive"));
        Assert.That(check, Does.Contain("End runs here"));
    }

    [Test]
    public void RunHelpNamesTheLoopCap()
    {
        var (_, output, _) = Run<CountingLoopFlow>("run", "--help");
        Assert.That(output, Does.Contain("--max-loop-iterations"));
    }

    [Test]
    public void CheckReportsAValidFlow()
    {
        var (code, output, _) = Run<MergeFlow>("check");
        Assert.That(code, Is.EqualTo(ExitCodes.Success));
        Assert.That(output, Does.Contain("MergeFlow is valid: 5 steps"));
    }

    private sealed class UnflushableWriter : StringWriter
    {
        public override void Flush() => throw new IOException("Broken pipe");

        public override Task FlushAsync(CancellationToken cancellationToken) => throw new IOException("Broken pipe");
    }
}
