using System.Text.Json.Nodes;
using NUnit.Framework;

namespace Flow.Tests.Argo;

/// <summary><c>deploy argo</c>: what it writes for each shape of flow, checked against Argo's own schema, and what it refuses.</summary>
public class ArgoManifestTests
{
    private string _work = "";

    [SetUp]
    public void CreateWork() => _work = Directory.CreateTempSubdirectory("flow-argo-").FullName;

    [TearDown]
    public void DeleteWork() => Directory.Delete(_work, recursive: true);

    [TestCase("BranchFlow")]
    [TestCase("ForeachFlow")]
    [TestCase("ResourcesFlow")]
    [TestCase("NestedFlow")]
    [TestCase("SlurmFlow")]
    [TestCase("ChoiceFlow")]
    [TestCase("ParamFlow")]
    [TestCase("FlakyFlow")]
    [TestCase("HangFlow")]
    [TestCase("LoopFlow")]
    [TestCase("PollFlow")]
    [TestCase("ShortcutFlow")]
    public void EveryManifestValidatesAgainstArgosSchema(string flow)
    {
        var files = ArgoDeploy.ToFolder(flow, _work, null, "--secret", "flow-s3", "--service-account", "flow-runner", "--namespace", "ml", "--timezone", "Europe/Paris");
        var name = flow.ToLowerInvariant();
        var expected = flow == "ChoiceFlow" ? new[] { $"{name}.cronworkflow.yaml", $"{name}.workflowtemplate.yaml" } : [$"{name}.workflowtemplate.yaml"];
        Assert.That(files.Keys.Order(StringComparer.Ordinal), Is.EqualTo(expected));
        foreach (var (file, yaml) in files)
        {
            var kind = file.Contains(".cronworkflow.", StringComparison.Ordinal) ? "CronWorkflow" : "WorkflowTemplate";
            Assert.That(ArgoSchema.Errors(yaml, kind), Is.Empty, $"{file}:\n{yaml}");
            Assert.That((string?)ArgoSchema.ToJson(yaml)["kind"], Is.EqualTo(kind));
            Assert.That(yaml, Does.Not.Contain(ArgoDeploy.AccessKey).And.Not.Contain(ArgoDeploy.SecretKey).And.Not.Contain("AWS_SECRET_ACCESS_KEY"), "no credential is written into a manifest");
        }
    }

    [Test]
    public void TheSchemaCatchesWhatArgoWouldRefuse()
    {
        // The validator itself: a number where Argo wants an IntOrString, and a task without a name, are errors.
        var yaml = ArgoDeploy.ToFolder("FlakyFlow", _work)["flakyflow.workflowtemplate.yaml"];
        Assert.That(ArgoSchema.Errors(yaml.Replace("limit: \"2\"", "limit: 2", StringComparison.Ordinal), "WorkflowTemplate"), Is.Not.Empty);
        Assert.That(ArgoSchema.Errors(yaml.Replace("- name: create-run\n        template: create-run", "- template: create-run", StringComparison.Ordinal), "WorkflowTemplate"), Is.Not.Empty);
        Assert.That(ArgoSchema.Errors(yaml, "WorkflowTemplate"), Is.Empty);
    }

    [Test]
    public void EachStepIsADagTaskAndAJoinWaitsForEveryBranch()
    {
        var spec = Manifest("BranchFlow");
        var main = Tasks(spec, "main");
        Assert.That(main.Keys, Is.EqualTo(new[] { "create-run", "start", "a", "b", "join", "end" }));
        Assert.That((string?)main["start"]["depends"], Is.EqualTo("create-run.Succeeded"), "the run is recorded before its first task");
        Assert.That((string?)main["join"]["depends"], Is.EqualTo("(a.Succeeded) && (b.Succeeded)"));
        Assert.That(PathOf(main["a"]), Is.EqualTo("..0"));
        Assert.That(PathOf(main["b"]), Is.EqualTo("..1"));
        Assert.That((string?)spec["spec"]!["onExit"], Is.EqualTo("finish-run"));
        var start = ArgoDeploy.Templates(spec)["step-start"]["container"]!;
        Assert.That(Strings(start["args"]), Is.EqualTo(new[] { "argo", "step", "Start", "--run-id", "{{workflow.name}}", "--path", "{{inputs.parameters.path}}", "--iteration", "{{inputs.parameters.iteration}}", "--outputs", "/tmp/flow" }));
        Assert.That((string?)start["image"], Is.EqualTo("registry.example/flows/app:1.0"));
        Assert.That(start["env"]!.AsArray().Select(e => ((string)e!["name"]!, (string)e["value"]!)), Is.EquivalentTo(new[] { ("FLOW_DATASTORE", "s3"), ("FLOW_DATASTORE_ROOT", "s3://flow-tests/argo"), ("AWS_REGION", "eu-west-1") }));
        Assert.That(start["envFrom"], Is.Null, "no secret named, none used: the pod's service account gives access");
    }

    [Test]
    public void AForeachFansOutWithTheParameterItsParentWrites()
    {
        var spec = Manifest("NestedFlow");
        var templates = ArgoDeploy.Templates(spec);
        var main = Tasks(spec, "main");
        Assert.That(main.Keys, Is.EqualTo(new[] { "create-run", "start", "start-each", "joinrows", "end" }));
        Assert.That((string?)main["start-each"]["withParam"], Is.EqualTo("{{tasks.start.outputs.parameters.foreach}}"));
        Assert.That((string?)main["start-each"]["template"], Is.EqualTo("foreach-start"));
        Assert.That(PathOf(main["start-each"]), Is.EqualTo("..{{item}}"));
        Assert.That((string?)main["joinrows"]["depends"], Is.EqualTo("start-each.Succeeded || start-each.Skipped"), "Argo skips a fan-out over no elements");

        // The inner foreach is a template inside the outer one's.
        var outer = Tasks(spec, "foreach-start");
        Assert.That(outer.Keys, Is.EqualTo(new[] { "prepare", "spread", "spread-each", "joincells" }));
        Assert.That(outer["prepare"].ContainsKey("depends"), Is.False, "the first step of an element starts its template");
        Assert.That(PathOf(outer["spread-each"]), Is.EqualTo("{{inputs.parameters.path}}.{{item}}"));
        Assert.That(Tasks(spec, "foreach-spread").Keys, Is.EqualTo(new[] { "multiply" }));
        Assert.That(templates["step-start"]["outputs"]!["parameters"]!.AsArray().Select(p => (string?)p!["valueFrom"]!["path"]), Is.EqualTo(new[] { "/tmp/flow/next", "/tmp/flow/foreach", "/tmp/flow/iteration" }));
    }

    [Test]
    public void AConditionalStepsSuccessorsRunWhenItChoseThem()
    {
        var main = Tasks(Manifest("ChoiceFlow"), "main");
        Assert.That((string?)main["low"]["when"], Is.EqualTo("'{{tasks.choose.outputs.parameters.next}}' == 'Low'"));
        Assert.That((string?)main["high"]["when"], Is.EqualTo("'{{tasks.choose.outputs.parameters.next}}' == 'High'"));
        Assert.That((string?)main["merge"]["depends"], Is.EqualTo("low.Succeeded || high.Succeeded"), "whichever way was taken");
        Assert.That(main["merge"].ContainsKey("when"), Is.False);
    }

    [Test]
    public void ALoopIsATemplateThatCallsItselfUntilItChoosesAnotherStep()
    {
        var spec = Manifest("LoopFlow");
        var loop = Tasks(spec, "loop-count");
        Assert.That((string?)Tasks(spec, "main")["count"]["template"], Is.EqualTo("loop-count"));
        Assert.That((string?)loop["again"]["template"], Is.EqualTo("loop-count"));
        Assert.That((string?)loop["again"]["when"], Is.EqualTo("'{{tasks.iteration.outputs.parameters.next}}' == 'Count'"));
        Assert.That(loop["again"]["arguments"]!["parameters"]!.AsArray().Select(p => (string?)p!["value"]), Is.EqualTo(new[] { "{{inputs.parameters.path}}", "{{tasks.iteration.outputs.parameters.iteration}}" }));
        Assert.That(Tasks(spec, "foreach-spread")["work"]["template"]!.ToString(), Is.EqualTo("loop-work"), "a loop inside a foreach loops for each element");
    }

    [Test]
    public void ParametersAreWorkflowArgumentsWithTheirDefaults()
    {
        var choice = Manifest("ChoiceFlow");
        Assert.That(choice["spec"]!["arguments"]!["parameters"]!.ToJsonString(), Is.EqualTo("""[{"name":"number","value":"7"}]"""));
        var user = "user." + global::Flow.Execution.LocalScheduler.DefaultUser().ToLowerInvariant();
        Assert.That(Strings(ArgoDeploy.Templates(choice)["create-run"]["container"]!["args"]), Is.EqualTo(new[]
        {
            "ChoiceFlow", "argo", "start", "--run-id", "{{workflow.name}}",
            "--production-token", global::Flow.Deploy.Deployments.Token(new global::Flow.Graph.FlowGraph("ChoiceFlow", "ChoiceFlow", [], [], []), user), "--branch", user,
            "--number", "{{workflow.parameters.number}}",
        }), "the run is created in the deployment's namespace (by default the user's own branch) with the workflow's parameters");
        Assert.That(Manifest("ParamFlow")["spec"]!["arguments"]!["parameters"]!.ToJsonString(), Is.EqualTo("""[{"name":"seed"},{"name":"note","value":""}]"""), "a required parameter has no default: Argo asks for it; a null default is empty, which the run reads as not given");
        Assert.That(Manifest("BranchFlow")["spec"]!.AsObject().ContainsKey("arguments"), Is.False);
    }

    [Test]
    public void ResourcesRetryTimeoutAndEnvironmentBecomeTheContainersSettings()
    {
        var resources = ArgoDeploy.Templates(Manifest("ResourcesFlow"));
        Assert.That(resources["step-train"]["container"]!["resources"]!.ToJsonString(), Is.EqualTo("""{"requests":{"cpu":"16","memory":"4096Mi"},"limits":{"cpu":"16","memory":"4096Mi","nvidia.com/gpu":"1"}}"""));
        Assert.That(resources["step-load"]["container"]!["resources"]!.ToJsonString(), Is.EqualTo("""{"requests":{"cpu":"1","memory":"200000Mi"},"limits":{"cpu":"1","memory":"200000Mi"}}"""));
        Assert.That(resources["step-start"]["container"]!.AsObject().ContainsKey("resources"), Is.False);

        var flaky = ArgoDeploy.Templates(Manifest("FlakyFlow"))["step-work"];
        Assert.That(flaky["retryStrategy"]!.ToJsonString(), Is.EqualTo("""{"limit":"2"}"""));
        Assert.That(Strings(flaky["container"]!["args"]), Does.Contain("{{retries}}"), "each retry runs as the next attempt");

        var hang = ArgoDeploy.Templates(Manifest("HangFlow"));
        Assert.That((string?)hang["step-spin"]["activeDeadlineSeconds"], Is.EqualTo("3"));
        Assert.That(hang["step-end"].ContainsKey("activeDeadlineSeconds"), Is.False);

        var high = ArgoDeploy.Templates(Manifest("ChoiceFlow"))["step-high"]["container"]!["env"]!.AsArray();
        Assert.That(high.Any(e => (string?)e!["name"] == "FLOW_TEST_VERDICT" && (string?)e["value"] == "high"), Is.True, high.ToJsonString());
    }

    [Test]
    public void AScheduleIsACronWorkflowOfTheTemplateInItsTimeZone()
    {
        var files = ArgoDeploy.ToFolder("ChoiceFlow", _work, null, "--timezone", "Europe/Paris", "--namespace", "ml");
        var cron = ArgoSchema.ToJson(files["choiceflow.cronworkflow.yaml"]);
        Assert.That(cron["spec"]!.ToJsonString(), Is.EqualTo("""{"schedules":["30 6 * * *"],"timezone":"Europe/Paris","workflowSpec":{"workflowTemplateRef":{"name":"choiceflow"}}}"""));
        Assert.That((string?)cron["metadata"]!["namespace"], Is.EqualTo("ml"));
    }

    [Test]
    public void TheSecretAndServiceAccountGiveThePodsTheirAccess()
    {
        var spec = ArgoSchema.ToJson(ArgoDeploy.ToFolder("BranchFlow", _work, null, "--secret", "flow-s3", "--service-account", "flow-runner")["branchflow.workflowtemplate.yaml"]);
        Assert.That((string?)spec["spec"]!["serviceAccountName"], Is.EqualTo("flow-runner"));
        foreach (var template in ArgoDeploy.Templates(spec).Values.Where(t => t.ContainsKey("container")))
        {
            Assert.That(template["container"]!["envFrom"]!.ToJsonString(), Is.EqualTo("""[{"secretRef":{"name":"flow-s3"}}]"""), (string?)template["name"]);
        }
    }

    [Test]
    public void WithoutOutputTheManifestsGoToStandardOutput()
    {
        var result = ArgoDeploy.Run("ChoiceFlow", _work, null, "--image", "app:1");
        Assert.That(result.Code, Is.EqualTo(0), result.ToString());
        var documents = result.Output.Split("---\n");
        Assert.That(documents.Select(d => (string?)ArgoSchema.ToJson(d)["kind"]), Is.EqualTo(new[] { "WorkflowTemplate", "CronWorkflow" }));
        Assert.That(ArgoSchema.Errors(documents[0], "WorkflowTemplate"), Is.Empty);
    }

    [Test]
    public void WithCardAndNoCacheArePassedOnToTheTasks()
    {
        var yaml = ArgoDeploy.ToFolder("TitleModels", _work, null, "--with", "card", "--no-cache").Single(f => f.Key.EndsWith(".workflowtemplate.yaml", StringComparison.Ordinal)).Value;
        Assert.That(ArgoSchema.Errors(yaml, "WorkflowTemplate"), Is.Empty, yaml);
        var templates = ArgoDeploy.Templates(ArgoSchema.ToJson(yaml));
        var steps = templates.Where(t => t.Key.StartsWith("step-", StringComparison.Ordinal)).ToList();
        Assert.That(steps, Is.Not.Empty);
        foreach (var (name, template) in steps)
        {
            var args = Strings(template["container"]!["args"]);
            Assert.That(string.Join(" ", args), Does.Contain(" --with card "), name);
            Assert.That(args.Contains("--no-cache"), Is.EqualTo(name == "step-train"), $"{name}: only the [Cache] step looks anything up");
        }

        foreach (var name in new[] { "create-run", "finish-run" })
        {
            Assert.That(Strings(templates[name]["container"]!["args"]), Does.Not.Contain("--with").And.Not.Contain("--no-cache"), name);
        }

        var plain = ArgoDeploy.ToFolder("TitleModels", _work).Single(f => f.Key.EndsWith(".workflowtemplate.yaml", StringComparison.Ordinal)).Value;
        Assert.That(plain, Does.Not.Contain("--with").And.Not.Contain("--no-cache"));
    }

    [TestCase(new[] { "--image", "app:1", "--with", "slurm" }, "deploy argo takes only --with card (every task stores its default card), not --with slurm.")]
    [TestCase(new string[] { }, "deploy argo needs --image")]
    [TestCase(new[] { "--image", "app:1", "--secret", "Not_A_Name" }, "'Not_A_Name' is not a Kubernetes name for --secret")]
    [TestCase(new[] { "--image", "app:1", "--timezone", "Mars/Olympus" }, "'Mars/Olympus' is not a time zone")]
    [TestCase(new[] { "--image", "app:1", "--replicas", "3" }, "--replicas")]
    public void BadInputIsRefusedWithExitCodeTwo(string[] args, string message)
    {
        var result = ArgoDeploy.Run("BranchFlow", _work, null, args);
        Assert.That(result.Code, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain(message), result.ToString());
        Assert.That(result.Output, Is.Empty);
    }

    [Test]
    public void ALocalDatastoreIsRefused()
    {
        var environment = ArgoDeploy.Environment(Path.Combine(_work, "store"));
        var result = ArgoDeploy.Run("BranchFlow", _work, environment, "--image", "app:1");
        Assert.That(result.Code, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain("Flows on Argo need an S3 datastore").And.Contain("--datastore-root s3://BUCKET/PREFIX"), result.ToString());
    }

    [Test]
    public void AnOutputFolderThatCannotBeWrittenIsRefused()
    {
        var file = Path.Combine(_work, "taken");
        File.WriteAllText(file, "a file, not a folder");
        var result = ArgoDeploy.Run("BranchFlow", _work, null, "--image", "app:1", "--output", file);
        Assert.That(result.Code, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain("Cannot write the WorkflowTemplate to").And.Contain("Give --output a folder that can be written"), result.ToString());
    }

    [Test]
    public void ALoopWithSeveralWaysOutTellsWhichWayItLeft()
    {
        var spec = Manifest("PollFlow");
        var loop = ArgoDeploy.Templates(spec)["loop-poll"];
        var output = loop["outputs"]!["parameters"]!.AsArray().Single()!;
        Assert.That((string?)output["name"], Is.EqualTo("next"));
        Assert.That((string?)output["valueFrom"]!["expression"], Is.EqualTo("tasks.iteration.outputs.parameters.next == 'Poll' ? tasks.again.outputs.parameters.next : tasks.iteration.outputs.parameters.next"),
            "the last iteration's choice: its own when it left, else the one of the loop it called again");
        var main = Tasks(spec, "main");
        Assert.That((string?)main["found"]["depends"], Is.EqualTo("poll.Succeeded"));
        Assert.That((string?)main["found"]["when"], Is.EqualTo("'{{tasks.poll.outputs.parameters.next}}' == 'Found'"));
        Assert.That((string?)main["gaveup"]["when"], Is.EqualTo("'{{tasks.poll.outputs.parameters.next}}' == 'GaveUp'"));
        Assert.That((string?)main["end"]["depends"], Is.EqualTo("found.Succeeded || gaveup.Succeeded"));

        // A loop with one way out leaves by it: no output, no condition.
        var loopFlow = Manifest("LoopFlow");
        Assert.That(ArgoDeploy.Templates(loopFlow)["loop-count"].ContainsKey("outputs"), Is.False);
        Assert.That(Tasks(loopFlow, "main")["fork"].ContainsKey("when"), Is.False);
    }

    [Test]
    public void AStepThatAConditionalStepMaySkipToRunsWhenChosenOrWhenItsOtherParentSucceeded()
    {
        var main = Tasks(Manifest("ShortcutFlow"), "main");
        Assert.That((string?)main["extra"]["when"], Is.EqualTo("'{{tasks.choose.outputs.parameters.next}}' == 'Extra'"));
        Assert.That((string?)main["finish"]["depends"], Is.EqualTo("choose.Succeeded || extra.Succeeded"));
        Assert.That((string?)main["finish"]["when"], Is.EqualTo("'{{tasks.choose.outputs.parameters.next}}' == 'Finish' || '{{tasks.extra.status}}' == 'Succeeded'"),
            "Extra comes after Choose, so when Finish's turn comes Choose ran and its choice can be read");
    }

    [Test]
    public void AStepChosenByAConditionalStepWhoseOtherParentCanRunWithoutItIsRefused()
    {
        var result = ArgoDeploy.Run("DetourFlow", _work, null, "--image", "app:1");
        Assert.That(result.Code, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain("Step Target follows conditional step Pick and step Around, which can run without Pick running first").And.Contain("Put a step between Pick and Target"), result.ToString());
        Assert.That(result.Output, Is.Empty);
    }

    [TestCase("Start", "x.1", "'x.1' is not a task path")]
    [TestCase("A", ".", "Step A stands inside 1 splits, so its path needs as many branch indices")]
    [TestCase("Nope", ".", "has no step 'Nope'")]
    public void ATaskOfAWorkflowWithABadPathIsBadInput(string step, string path, string message)
    {
        var environment = ArgoDeploy.Environment(Path.Combine(_work, "store"));
        Directory.CreateDirectory(Path.Combine(_work, "store"));
        var result = TestProcess.RunProgram(RepoPaths.SampleDll("ForeachFlow"), _work, environment, "argo", "step", step, "--run-id", "foreachflow-abcde", "--path", path);
        Assert.That(result.Code, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain(message), result.ToString());
    }

    private JsonNode Manifest(string flow) =>
        ArgoSchema.ToJson(ArgoDeploy.ToFolder(flow, _work)[$"{flow.ToLowerInvariant()}.workflowtemplate.yaml"]);

    private static Dictionary<string, JsonObject> Tasks(JsonNode spec, string template) =>
        ArgoDeploy.Templates(spec)[template]["dag"]!["tasks"]!.AsArray().ToDictionary(t => (string)t!["name"]!, t => t!.AsObject(), StringComparer.Ordinal);

    private static string? PathOf(JsonObject task) =>
        (string?)task["arguments"]!["parameters"]!.AsArray().Single(p => (string?)p!["name"] == "path")!["value"];

    private static string[] Strings(JsonNode? list) => list!.AsArray().Select(a => (string)a!).ToArray();
}
