using Flow.Cli;
using Flow.Execution;
using NUnit.Framework;

namespace Flow.Tests.Runtime;

public class SchedulerTests
{
    private string _root = "";

    [SetUp]
    public void CreateDatastore() => _root = Directory.CreateTempSubdirectory("flow-test-").FullName;

    [TearDown]
    public void DeleteDatastore() => Directory.Delete(_root, recursive: true);

    private Task<RunResult> RunAsync<TFlow>(Dictionary<string, string>? parameters = null, int workers = 2)
        where TFlow : FlowSpec, IFlowDefinitionProvider<TFlow> =>
        new LocalScheduler(FlowApp.DefinitionOf<TFlow>(), new RunOptions { MaxWorkers = workers, Log = TextWriter.Null, Output = TextWriter.Null, Datastore = Flow.Datastore.FlowDatastore.Local(_root) }).RunAsync(parameters);

    [Test]
    public async Task ParametersAreParsedWithTheirTypesAndDefaults()
    {
        var result = await RunAsync<ParameterFlow>(new() { ["Name"] = "n", ["Mode"] = "careful", ["Verbose"] = "true" });
        Assert.That(result.Succeeded, Is.True, result.Error?.ToString());
        Assert.That(result.Artifact<string>("Summary"), Is.EqualTo("n:0.5:Careful:True"));
        Assert.That(result.Artifact<double>("Alpha"), Is.EqualTo(0.5));
    }

    [Test]
    public void ARequiredParameterMustBeGiven()
    {
        var e = Assert.ThrowsAsync<FlowException>(() => RunAsync<ParameterFlow>());
        Assert.That(e!.Message, Does.Contain("--name is required"));
    }

    [TestCase("Alpha", "fast", "--alpha expects a number (Double), got 'fast'")]
    [TestCase("Mode", "7", "--mode expects one of Fast, Careful, got '7'")]
    [TestCase("Verbose", "maybe", "--verbose expects true or false, got 'maybe'")]
    public void AParameterOfTheWrongTypeIsAClearError(string name, string value, string message)
    {
        var e = Assert.ThrowsAsync<FlowException>(() => RunAsync<ParameterFlow>(new() { ["Name"] = "n", [name] = value }));
        Assert.That(e!.Message, Does.Contain(message));
    }

    [Test]
    public void AnUnknownParameterIsAClearError()
    {
        var e = Assert.ThrowsAsync<FlowException>(() => RunAsync<ParameterFlow>(new() { ["Name"] = "n", ["Beta"] = "1" }));
        Assert.That(e!.Message, Does.Contain("has no parameter 'Beta'; it has Alpha (--alpha), Name (--name)"));
    }

    [Test]
    public async Task AParameterIsNamedByItsPropertyOrByItsOption()
    {
        var result = await RunAsync<ParameterFlow>(new() { ["name"] = "n", ["--alpha"] = "0.25", ["Verbose"] = "true" });
        Assert.That(result.Artifact<string>("Name"), Is.EqualTo("n"));
        Assert.That(result.Artifact<double>("Alpha"), Is.EqualTo(0.25));

        var e = Assert.ThrowsAsync<FlowException>(() => RunAsync<ParameterFlow>(new() { ["Name"] = "n", ["name"] = "m" }));
        Assert.That(e!.Message, Does.StartWith("Parameter Name (--name) is given twice"));
    }

    [TestCase(7, "big")]
    [TestCase(1, "small")]
    public async Task AConditionalStepTakesOneBranch(int value, string path)
    {
        var result = await RunAsync<ConditionalFlow>(new() { ["Value"] = value.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        Assert.That(result.Succeeded, Is.True, result.Error?.ToString());
        Assert.That(result.Artifact<string>("Path"), Is.EqualTo(path));
        Assert.That(result.TaskCount, Is.EqualTo(3));
    }

    [Test]
    public async Task NestedForeachJoinsEachLevelInOrderWithItsIndex()
    {
        var result = await RunAsync<NestedForeachFlow>();
        Assert.That(result.Succeeded, Is.True, result.Error?.ToString());
        Assert.That(result.Artifact<List<string>>("Cells"), Is.EqualTo(new[] { "r1a@0", "r1b@1", "r2a@0", "r2b@1", "r3a@0", "r3b@1" }));
        Assert.That(result.TaskCount, Is.EqualTo(1 + 3 + 6 + 3 + 1 + 1));
    }

    [Test]
    public async Task RetryRunsAFlakyStepAgain()
    {
        var result = await RunAsync<RetryFlow>();
        Assert.That(result.Succeeded, Is.True, result.Error?.ToString());
        Assert.That(result.Artifact<int>("Attempts"), Is.EqualTo(3));
    }

    [Test]
    public async Task CatchTurnsAFailureIntoAnArtifactAndTheFlowGoesOn()
    {
        var result = await RunAsync<CatchFlow>();
        Assert.That(result.Succeeded, Is.True, result.Error?.ToString());
        Assert.That(result.Artifact<string>("After"), Is.EqualTo("bad input"));
        Assert.That(result.Artifact<StepError?>("Failure")!.Type, Is.EqualTo("System.ArgumentException"));
    }

    [Test]
    public async Task AFailingStepFailsTheRunAndNamesTheTask()
    {
        var result = await RunAsync<FailingFlow>();
        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.FailedTask, Does.EndWith("/Boom/2"));
        Assert.That(result.Error!.Message, Is.EqualTo("the boom step failed"));
        Assert.That(result.TaskCount, Is.EqualTo(2), "the end step must not run after a failure");
    }

    [Test]
    public async Task BranchesAreIsolatedAndMergeArtifactsTakesWhatTheyAgreeOn()
    {
        var result = await RunAsync<MergeFlow>(workers: 1);
        Assert.That(result.Succeeded, Is.True, result.Error?.ToString());
        Assert.That(result.Artifact<int>("Total"), Is.EqualTo(21), "A's mutation of Items must not leak into B");
        Assert.That(result.Artifact<string>("Shared"), Is.EqualTo("same"));
        Assert.That(result.Artifact<int>("Differs"), Is.EqualTo(3));
        Assert.That(result.Artifact<List<int>>("Items"), Is.Empty, "an excluded artifact keeps the join's own value");
        Assert.That(result.Artifact<List<string>>("Notes"), Is.EqualTo(new[] { "from start" }), "a list the join leaves at its initial value is merged");
    }

    [Test]
    public async Task ARunOfAFlowInAProjectIsOnTheUsersOwnBranchAndNeverInProduction()
    {
        var result = await new LocalScheduler(FlowApp.DefinitionOf<ProjectFlow>(), new RunOptions { User = "Ann.Lee", Log = TextWriter.Null, Output = TextWriter.Null, Datastore = Flow.Datastore.FlowDatastore.Local(_root) }).RunAsync();
        Assert.That(result.Succeeded, Is.True, result.Error?.ToString());
        var client = new Flow.Client.FlowClient(Flow.Datastore.FlowDatastore.Local(_root)) { Namespace = "project:title_models" };
        var run = (await client.Flow("ProjectFlow").ListAsync()).Single();
        Assert.That(run.SystemTags, Does.Contain("project:title_models").And.Contain("project_branch:user.ann.lee").And.Contain("user:Ann.Lee"));
        Assert.That(run.SystemTags.Where(t => t.StartsWith("production:", StringComparison.Ordinal)), Is.Empty);
        Assert.That(GraphPrinter.Text(FlowApp.DefinitionOf<ProjectFlow>().Graph), Does.StartWith("Flow ProjectFlow (project: title_models)"));
    }

    [Test]
    public async Task AnEmptyForeachRunsItsJoinWithNoInputs()
    {
        var result = await RunAsync<EmptyForeachFlow>();
        Assert.That(result.Succeeded, Is.True, result.Error?.ToString());
        Assert.That(result.Artifact<int>("Seen"), Is.EqualTo(0));
    }

    [Test]
    public void MaxWorkersMustBePositive()
    {
        Assert.Throws<FlowException>(() => new LocalScheduler(FlowApp.DefinitionOf<RetryFlow>(), new RunOptions { MaxWorkers = 0 }));
    }
}
