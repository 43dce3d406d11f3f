using Flow.Cli;
using Flow.Datastore;
using Flow.Execution;
using Flow.Tests.Infrastructure;
using Flow.Tests.Scripts;
using Microsoft.CodeAnalysis;
using NUnit.Framework;

namespace Flow.Tests.Cache;

/// <summary>
/// The files of a [Cache] step's key: the scripts it runs with a constant path and its [Cache(Files = ...)]. Editing
/// one runs the step again, unchanged it is cloned, and a missing one fails the run before its tasks.
/// </summary>
[NonParallelizable]
public class CacheFileTests
{
    private string _root = "";
    private string _files = "";
    private string? _python;

    [SetUp]
    public void CreateFolders()
    {
        _root = Directory.CreateTempSubdirectory("flow-test-").FullName;
        _files = Directory.CreateTempSubdirectory("flow-test-files-").FullName;
        _python = Environment.GetEnvironmentVariable(Script.PythonVariable);
    }

    [TearDown]
    public void Cleanup()
    {
        Environment.SetEnvironmentVariable(Script.PythonVariable, _python);
        Directory.Delete(_root, recursive: true);
        Directory.Delete(_files, recursive: true);
    }

    private FlowDatastore Store => FlowDatastore.Local(_root);

    private string FilePath(string name) => Path.Combine(_files, name);

    // A C# string literal of a path of the test's files.
    private string Literal(string name) => "\"" + FilePath(name).Replace("\\", "\\\\", StringComparison.Ordinal) + "\"";

    // A flow whose Featurize step is cached on a lookup file named in Files, and reads it.
    private string LookupFlow(string file = "lookup.csv") => $$"""
        using Flow;

        public partial class FileFlow : FlowSpec
        {
            public int X { get; set; }

            public string Y { get; set; } = "";

            [Step] public void Start() { X = 1; Next(Featurize); }

            [Step, Cache(Files = new[] { {{Literal(file)}} })]
            public void Featurize()
            {
                Y = System.IO.File.ReadAllText({{Literal("lookup.csv")}}).Trim() + X;
                Next(End);
            }

            [Step] public void End() => System.Console.WriteLine(Y);
        }
        """;

    // A flow whose Featurize step runs a Python script, through a helper, with a constant path.
    private string ScriptFlow => $$"""
        using Flow;

        public partial class FileFlow : FlowSpec
        {
            private const string Prepare = {{Literal("prepare.py")}};

            public int X { get; set; }

            public string Y { get; set; } = "";

            [Step] public void Start() { X = 1; Next(Featurize); }

            [Step, Cache]
            public void Featurize()
            {
                Y = Run();
                Next(End);
            }

            private string Run() => Script.Run<string>(Prepare, new { X });

            [Step] public void End() => System.Console.WriteLine(Y);
        }
        """;

    private static FlowDefinition Compile(string source)
    {
        var (_, output) = GeneratorHarness.Generate(GeneratorHarness.Compile(source, OutputKind.DynamicallyLinkedLibrary));
        var type = GeneratorHarness.Load(output).GetType("FileFlow")!;
        return (FlowDefinition)typeof(FlowApp).GetMethod(nameof(FlowApp.DefinitionOf))!.MakeGenericMethod(type).Invoke(null, null)!;
    }

    private async Task<RunResult> RunAsync(FlowDefinition flow)
    {
        var result = await new LocalScheduler(flow, new RunOptions { Log = TextWriter.Null, Output = TextWriter.Null, Datastore = Store, User = "tester" }).RunAsync();
        Assert.That(result.Succeeded, Is.True, result.Error?.ToString());
        return result;
    }

    [Test]
    public async Task EditingAFileNamedInFilesRunsTheStepAgain()
    {
        File.WriteAllText(FilePath("lookup.csv"), "a");
        var flow = Compile(LookupFlow());
        Assert.That(flow.Graph["Featurize"].Cache!.Files, Is.EqualTo(new[] { FilePath("lookup.csv") }));

        var first = await RunAsync(flow);
        Assert.That(first.Artifact<string>("Y"), Is.EqualTo("a1"));
        var unchanged = await RunAsync(flow);
        Assert.That(unchanged.CachedCount, Is.EqualTo(1), "the file as it was: the task is cloned");

        File.WriteAllText(FilePath("lookup.csv"), "b");
        var edited = await RunAsync(flow);
        Assert.That(edited.CachedCount, Is.Zero, "the file edited: the task runs again");
        Assert.That(edited.Artifact<string>("Y"), Is.EqualTo("b1"));
        var tasks = await Store.Metadata.ListTasksAsync("FileFlow", edited.RunId);
        var keys = (await Store.Metadata.ListTasksAsync("FileFlow", first.RunId)).Concat(tasks).Where(t => t.Step == "Featurize").Select(t => t.CacheKey).ToList();
        Assert.That(keys.Distinct().Count(), Is.EqualTo(2));

        var again = await RunAsync(flow);
        Assert.That(again.CachedCount, Is.EqualTo(1), "and the edited file's task serves the next run");
        Assert.That(again.Artifact<string>("Y"), Is.EqualTo("b1"));
    }

    [Test]
    public async Task EditingTheScriptACachedStepRunsRunsItAgain()
    {
        Environment.SetEnvironmentVariable(Script.PythonVariable, Interpreters.Python);
        File.WriteAllText(FilePath("prepare.py"), "from flow_script import inputs, output\noutput(\"v1-\" + str(inputs[\"x\"]))\n");
        var flow = Compile(ScriptFlow);
        Assert.That(flow.Graph["Featurize"].Cache!.Files, Is.EqualTo(new[] { FilePath("prepare.py") }), "found by the generator, through the helper");

        var first = await RunAsync(flow);
        Assert.That(first.Artifact<string>("Y"), Is.EqualTo("v1-1"));
        var unchanged = await RunAsync(flow);
        Assert.That(unchanged.CachedCount, Is.EqualTo(1), "the script as it was: the task is cloned");

        File.WriteAllText(FilePath("prepare.py"), "from flow_script import inputs, output\noutput(\"v2-\" + str(inputs[\"x\"]))\n");
        var edited = await RunAsync(flow);
        Assert.That(edited.CachedCount, Is.Zero, "the script edited: the task runs again");
        Assert.That(edited.Artifact<string>("Y"), Is.EqualTo("v2-1"));
    }

    [Test]
    public async Task AFileIsHashedOncePerRun()
    {
        File.WriteAllText(FilePath("lookup.csv"), "a");
        var flow = Compile(LookupFlow());
        var first = await RunAsync(flow);
        var run = (await Store.Metadata.GetRunAsync("FileFlow", first.RunId))!;
        var start = (await Store.Metadata.ListTasksAsync("FileFlow", first.RunId)).Single(t => t.Step == "Start");
        var node = flow.Graph["Featurize"];
        var pending = new PendingTask("Featurize", [start.Pathspec], [], null, 0, null);
        var cache = new StepCache(flow.Graph, Store, run);

        var key = cache.Key(node, pending, [start]);
        File.WriteAllText(FilePath("lookup.csv"), "b");
        Assert.That(cache.Key(node, pending, [start]), Is.EqualTo(key), "within one run, the file is read once: the key of every task is the same");
        Assert.That(new StepCache(flow.Graph, Store, run).Key(node, pending, [start]), Is.Not.EqualTo(key), "the next run reads it again");
    }

    [Test]
    public async Task AMissingCacheFileFailsTheRunBeforeItsTasks()
    {
        var flow = Compile(LookupFlow("missing.csv"));
        var scheduler = new LocalScheduler(flow, new RunOptions { Log = TextWriter.Null, Output = TextWriter.Null, Datastore = Store, User = "tester" });

        var error = Assert.ThrowsAsync(Is.InstanceOf<FlowException>(), async () => await scheduler.RunAsync())!;
        Assert.That(error.Message, Does.Contain("Step Featurize").And.Contain($"'{FilePath("missing.csv")}', which was not found; tried {FilePath("missing.csv")}"));

        var run = (await Store.Metadata.ListRunsAsync("FileFlow")).Single();
        Assert.That(run.Status, Is.EqualTo(RunStatus.Failed));
        Assert.That(await Store.Metadata.ListTasksAsync("FileFlow", run.RunId), Is.Empty, "no task ran, Start included");
    }

    // The step command, in process, for a flow: its exit code and standard error.
    private (int Code, string Error) Step(FlowDefinition flow, params string[] args)
    {
        var error = new StringWriter();
        var code = FlowApp.Run([.. args, "--datastore-root", _root], flow, TextWriter.Null, error);
        return (code, error.ToString());
    }

    // A run started as Argo's containers start one, its Start task run by the step command, then Featurize's task.
    private (int Code, string Error) FeaturizeThroughTheStepCommand(FlowDefinition flow, string runId)
    {
        var started = Step(flow, "argo", "start", "--run-id", runId);
        Assert.That(started.Code, Is.EqualTo(ExitCodes.Success), started.Error);
        var start = Step(flow, "step", "Start", "--run-id", runId, "--task-id", "1");
        Assert.That(start.Code, Is.EqualTo(ExitCodes.Success), start.Error);
        return Step(flow, "step", "Featurize", "--run-id", runId, "--task-id", "2", "--input", $"{runId}/Start/1");
    }

    [Test]
    public async Task TheStepCommandKeysOnTheFilesAsTheSchedulerDoes()
    {
        File.WriteAllText(FilePath("lookup.csv"), "a");
        var flow = Compile(LookupFlow());
        Assert.That(FeaturizeThroughTheStepCommand(flow, "first").Code, Is.EqualTo(ExitCodes.Success));
        var (code, error) = FeaturizeThroughTheStepCommand(flow, "second");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), error);
        Assert.That(error, Does.Contain("Task second/Featurize/2 cached from first/Featurize/2."));

        File.WriteAllText(FilePath("lookup.csv"), "b");
        (code, error) = FeaturizeThroughTheStepCommand(flow, "edited");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), error);
        Assert.That(error, Does.Not.Contain("cached from"), "the file edited: the task runs");
        var edited = await Store.Metadata.GetTaskAsync("FileFlow", "edited", "Featurize", 2);
        Assert.That(edited!.ClonedFrom, Is.Null);
        Assert.That(edited.CacheKey, Is.Not.Null.And.Not.EqualTo((await Store.Metadata.GetTaskAsync("FileFlow", "first", "Featurize", 2))!.CacheKey));

        // The scheduler's key is the same: a local run of the same user clones the step command's task.
        var local = await new LocalScheduler(flow, new RunOptions { Log = TextWriter.Null, Output = TextWriter.Null, Datastore = Store, User = LocalScheduler.DefaultUser() }).RunAsync();
        Assert.That(local.CachedCount, Is.EqualTo(1));
        Assert.That((await Store.Metadata.ListTasksAsync("FileFlow", local.RunId)).Single(t => t.Step == "Featurize").ClonedFrom, Is.EqualTo("edited/Featurize/2"));

        File.Delete(FilePath("lookup.csv"));
        (code, error) = FeaturizeThroughTheStepCommand(flow, "missing");
        Assert.That(code, Is.Not.EqualTo(ExitCodes.Success), "a missing file is an error, not a warning");
        Assert.That(error, Does.Contain($"Step Featurize is [Cache]d on the contents of '{FilePath("lookup.csv")}', which was not found"));
        Assert.That(await Store.Metadata.GetTaskAsync("FileFlow", "missing", "Featurize", 2), Is.Null, "the task did not run");
    }
}
