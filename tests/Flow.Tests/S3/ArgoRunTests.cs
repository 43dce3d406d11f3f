using Flow.Client;
using Flow.Datastore;
using Flow.Tests.Argo;
using Flow.Tests.Reliability;
using NUnit.Framework;

namespace Flow.Tests.S3;

/// <summary>
/// The WorkflowTemplate that <c>deploy argo</c> writes, run by <see cref="ArgoInterpreter"/> against S3 (moto): each
/// container a process of the flow's program. The run it stores must be the run that <c>run</c> stores, task for task.
/// </summary>
public class ArgoRunTests
{
    private string _work = "";

    private static MotoServer Moto => MotoServer.Current;

    [SetUp]
    public void CreateWork() => _work = Directory.CreateTempSubdirectory("flow-argo-run-").FullName;

    [TearDown]
    public void DeleteWork() => Directory.Delete(_work, recursive: true);

    [TestCase("BranchFlow", "out = 3", new string[] { })]
    [TestCase("ForeachFlow", "out = 122", new string[] { })]
    [TestCase("NestedFlow", "rows = 42,82,122", new string[] { })]
    [TestCase("ChoiceFlow", "7 is low, score 17", new string[] { })]
    [TestCase("ChoiceFlow", "12 is high, score 28", new[] { "number", "12" })]
    [TestCase("LoopFlow", "rounds = 5, iterations = [0,1,2,3,4], height = 30, other = -1, steps = [1,2,3]", new string[] { })]
    [TestCase("PollFlow", "tries = 3, found", new string[] { })]
    [TestCase("PollFlow", "tries = 4, gave up", new[] { "limit", "4" })]
    [TestCase("ShortcutFlow", "value = 20", new string[] { })]
    [TestCase("ShortcutFlow", "value = -30", new[] { "initial", "-3" })]
    [TestCase("ParamFlow", "seed 3: values = 603,605,607,609,611,613", new[] { "seed", "3" })]
    public Task TheWorkflowStoresWhatALocalRunStores(string flow, string printed, string[] parameters) =>
        AssertArgoRunEqualsALocalRunAsync(flow, printed, parameters, Moto.AwsEnvironment());

    [Test]
    public Task AnEmptyForeachGoesStraightToItsJoin()
    {
        var environment = Moto.AwsEnvironment();
        environment["FLOW_TEST_ITEMS"] = "0";
        return AssertArgoRunEqualsALocalRunAsync("FaultFlow", "total = 0", [], environment);
    }

    private async Task AssertArgoRunEqualsALocalRunAsync(string flow, string printed, string[] parameters, Dictionary<string, string> environment)
    {
        var datastore = Moto.NewDatastore(out var root);
        environment[DatastoreConfig.RootVariable] = root;
        var arguments = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < parameters.Length; i += 2)
        {
            arguments[parameters[i]] = parameters[i + 1];
        }

        var (dll, prefix) = ArgoDeploy.Program(flow);
        var local = TestProcess.RunProgram(dll, _work, environment, [.. prefix, "run", .. arguments.SelectMany(a => new[] { "--" + a.Key, a.Value })]);
        Assert.That(local.Code, Is.EqualTo(0), local.ToString());
        var localId = ReliabilityTest.RunIdStarted(local);

        var argo = Workflow(flow, environment);
        Assert.That(await argo.RunAsync(arguments), Is.EqualTo("Succeeded"), Containers(argo));

        var runs = new FlowClient(datastore) { Namespace = null }.Flow(flow);
        var expected = await runs.GetAsync(localId);
        var actual = await runs.GetAsync(argo.WorkflowName);
        Assert.That(actual.Status, Is.EqualTo(RunStatus.Succeeded), "the exit handler recorded the end");
        Assert.That(actual.FinishedAt, Is.Not.Null);
        var expectedRecord = (await datastore.Metadata.GetRunAsync(flow, localId))!;
        var actualRecord = (await datastore.Metadata.GetRunAsync(flow, argo.WorkflowName))!;
        Assert.That(actualRecord.Parameters.ToDictionary(p => p.Key, p => p.Value.Key), Is.EqualTo(expectedRecord.Parameters.ToDictionary(p => p.Key, p => p.Value.Key)), "the same parameters");

        await AssertSameTasksAsync(expected, actual);
        Assert.That(await (await actual.EndTaskAsync())!.StdoutAsync(), Does.Contain(printed));

        // The command line reads it back as it reads a local run.
        var dump = TestProcess.RunProgram(dll, _work, environment, [.. prefix, "dump", $"{argo.WorkflowName}/End"]);
        Assert.That(dump.Code, Is.EqualTo(0), dump.ToString());
        var logs = TestProcess.RunProgram(dll, _work, environment, [.. prefix, "logs", $"{argo.WorkflowName}/End"]);
        Assert.That(logs.Code, Is.EqualTo(0), logs.ToString());
        Assert.That(logs.Output, Does.Contain(printed));
        var listed = TestProcess.RunProgram(dll, _work, environment, [.. prefix, "runs", "--all"]);
        Assert.That(listed.Output, Does.Contain(argo.WorkflowName).And.Contain(localId), listed.ToString());
    }

    [Test]
    public async Task AFailedAttemptIsRetriedAsTheNextAttemptOfTheSameTask()
    {
        var datastore = Moto.NewDatastore(out var root);
        var environment = Moto.AwsEnvironment();
        environment[DatastoreConfig.RootVariable] = root;
        environment["FLOW_TEST_FAULT"] = "throw";
        environment["FLOW_TEST_FAULT_INDEX"] = "1";
        environment["FLOW_TEST_FAULT_ATTEMPTS"] = "1";

        var argo = Workflow("FlakyFlow", environment);
        Assert.That(await argo.RunAsync(), Is.EqualTo("Succeeded"), Containers(argo));
        var run = await new FlowClient(datastore) { Namespace = null }.Flow("FlakyFlow").GetAsync(argo.WorkflowName);
        var work = await run.StepAsync("Work");
        Assert.That(work.Select(t => t.Attempt).Order(), Is.EqualTo(new[] { 0, 0, 1 }));
        Assert.That(await (await run.EndTaskAsync())!.StdoutAsync(), Does.Contain("total = 5, retried = 1"));
        Assert.That(argo.Containers.Count(c => c.Code != 0), Is.EqualTo(1), "one failed attempt");
    }

    [Test]
    public async Task AFailedWorkflowIsRecordedFailedAndResumesLocally()
    {
        var datastore = Moto.NewDatastore(out var root);
        var environment = Moto.AwsEnvironment();
        environment[DatastoreConfig.RootVariable] = root;
        environment["FLOW_TEST_FAULT"] = "throw";
        environment["FLOW_TEST_FAULT_INDEX"] = "1";

        var argo = Workflow("FlakyFlow", environment);
        Assert.That(await argo.RunAsync(), Is.EqualTo("Failed"), Containers(argo));
        var failed = (await datastore.Metadata.GetRunAsync("FlakyFlow", argo.WorkflowName))!;
        Assert.That(failed.Status, Is.EqualTo(RunStatus.Failed));
        Assert.That(failed.FailedTask, Does.StartWith($"{argo.WorkflowName}/Work/"), "the exit handler names the task that failed");
        Assert.That(argo.Containers.Count(c => c.Code != 0), Is.EqualTo(3), "the first attempt and two retries");

        // Positions are the local scheduler's, so a local resume clones what succeeded on Argo and runs the rest.
        environment.Remove("FLOW_TEST_FAULT");
        var resume = TestProcess.RunProgram(RepoPaths.TestFlowsDll, _work, environment, "FlakyFlow", "resume", "--origin-run-id", argo.WorkflowName, "--isolation", "InProcess");
        Assert.That(resume.Code, Is.EqualTo(0), resume.ToString());
        var resumed = await new FlowClient(datastore) { Namespace = null }.Flow("FlakyFlow").GetAsync(ReliabilityTest.RunIdStarted(resume));
        var cloned = (await resumed.TasksAsync()).Where(t => t.ClonedFrom is not null).Select(t => t.Record.Position).Order(StringComparer.Ordinal);
        Assert.That(cloned, Is.EqualTo(new[] { "Start/", "Work/0", "Work/2" }));
        Assert.That(await (await resumed.EndTaskAsync())!.StdoutAsync(), Does.Contain("total = 5"));
    }

    [Test]
    public async Task AStepPastItsTimeoutFailsTheWorkflowAndTheRunIsRecordedFailed()
    {
        var datastore = Moto.NewDatastore(out var root);
        var environment = Moto.AwsEnvironment();
        environment[DatastoreConfig.RootVariable] = root;

        var argo = Workflow("HangFlow", environment);
        Assert.That(await argo.RunAsync(), Is.EqualTo("Failed"));
        var run = await new FlowClient(datastore) { Namespace = null }.Flow("HangFlow").GetAsync(argo.WorkflowName);
        Assert.That(run.Status, Is.EqualTo(RunStatus.Failed), "the exit handler recorded the failure");
        Assert.That(await run.StepAsync("End"), Is.Empty, "nothing ran after the step that timed out");
    }

    [Test]
    public async Task AProductionDeploymentsRunsAreInItsNamespaceOnItsBranchNamedForProjectAndBranch()
    {
        var datastore = Moto.NewDatastore(out var root);
        var environment = Moto.AwsEnvironment();
        environment[DatastoreConfig.RootVariable] = root;
        var files = ArgoDeploy.ToFolder("ScheduledFlow", _work, environment, "--production");
        Assert.That(files.Keys, Is.EquivalentTo(new[] { "nightly-titles-prod-scheduledflow.workflowtemplate.yaml", "nightly-titles-prod-scheduledflow.cronworkflow.yaml" }));
        var argo = new ArgoInterpreter(files["nightly-titles-prod-scheduledflow.workflowtemplate.yaml"], ArgoDeploy.Program("ScheduledFlow").Dll, _work, environment);
        Assert.That(await argo.RunAsync(new Dictionary<string, string> { ["day"] = "2026-11-30" }), Is.EqualTo("Succeeded"), Containers(argo));

        var run = await new FlowClient(datastore) { Namespace = null }.Flow("ScheduledFlow").GetAsync(argo.WorkflowName);
        var token = run.SystemTags.Single(t => t.StartsWith("production:", StringComparison.Ordinal));
        Assert.That(run.SystemTags, Does.Contain("project:nightly_titles").And.Contain("project_branch:prod").And.Contain("user:production"));
        Assert.That(await run.ArtifactAsync<string>("Report"), Is.EqualTo("titles of 2026-11-30"), "a backfill's parameter");
        Assert.That((await new FlowClient(datastore) { Namespace = token }.Flow("ScheduledFlow").LatestAsync())!.Id, Is.EqualTo(argo.WorkflowName));
        Assert.That(await new FlowClient(datastore) { Namespace = "user:" + global::Flow.Execution.LocalScheduler.DefaultUser() }.Flow("ScheduledFlow").LatestAsync(), Is.Null, "a production run is not the user's");
    }

    // Deploys the flow with the test's environment, and checks that the credentials in it stayed out.
    private ArgoInterpreter Workflow(string flow, Dictionary<string, string> environment)
    {
        var files = ArgoDeploy.ToFolder(flow, _work, environment);
        var yaml = files[$"{flow.ToLowerInvariant()}.workflowtemplate.yaml"];
        Assert.That(yaml, Does.Not.Contain(MotoServer.AccessKey).And.Not.Contain(MotoServer.SecretKey));
        Assert.That(ArgoSchema.Errors(yaml, "WorkflowTemplate"), Is.Empty);

        // The credentials reach the pods as a secret would give them: in the environment, not in the manifest.
        return new ArgoInterpreter(yaml, ArgoDeploy.Program(flow).Dll, _work, environment);
    }

    private static string Containers(ArgoInterpreter argo) =>
        string.Join("\n", argo.Containers.Select(c => $"{c.Code}: {string.Join(' ', c.Args)}"));

    // Tasks are matched by position (ids differ: the local scheduler counts, Argo's tasks hash their position).
    private static async Task AssertSameTasksAsync(Run expected, Run actual)
    {
        var local = (await expected.TasksAsync()).ToDictionary(t => t.Record.Position, StringComparer.Ordinal);
        var argo = (await actual.TasksAsync()).ToDictionary(t => t.Record.Position, StringComparer.Ordinal);
        Assert.That(argo.Keys.Order(StringComparer.Ordinal), Is.EqualTo(local.Keys.Order(StringComparer.Ordinal)), "the same tasks, by position");
        var localPositions = local.Values.ToDictionary(t => t.Pathspec, t => t.Record.Position, StringComparer.Ordinal);
        var argoPositions = argo.Values.ToDictionary(t => t.Pathspec, t => t.Record.Position, StringComparer.Ordinal);
        foreach (var (position, task) in local)
        {
            var driven = argo[position];
            Assert.That(driven.Status, Is.EqualTo(RunStatus.Succeeded), driven.Pathspec);
            Assert.That(driven.Step, Is.EqualTo(task.Step), position);
            Assert.That(driven.Iteration, Is.EqualTo(task.Iteration), position);
            Assert.That(driven.Record.Index, Is.EqualTo(task.Record.Index), $"index of {position}");
            Assert.That(driven.Artifacts.ToDictionary(a => a.Key, a => (a.Value.Key, a.Value.Type)), Is.EqualTo(task.Artifacts.ToDictionary(a => a.Key, a => (a.Value.Key, a.Value.Type))), $"artifacts of {position}");
            Assert.That(driven.Inputs.Select(i => argoPositions[i]), Is.EqualTo(task.Inputs.Select(i => localPositions[i])), $"inputs of {position}");
            Assert.That(driven.Record.Next, Is.EqualTo(task.Record.Next), $"next steps of {position}");
            Assert.That(driven.Record.ForeachElements?.Select(e => e.Key), Is.EqualTo(task.Record.ForeachElements?.Select(e => e.Key)), $"foreach elements of {position}");
        }
    }
}
