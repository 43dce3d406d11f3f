using System.Text;
using Flow.Cli;
using Flow.Datastore;
using Flow.Execution;
using NUnit.Framework;

namespace Flow.Tests.Scripts;

[NonParallelizable]
public class ScriptFlowTests
{
    private string _root = "";
    private string? _python;
    private string? _rscript;

    [SetUp]
    public void CreateDatastore()
    {
        _python = Environment.GetEnvironmentVariable("FLOW_PYTHON");
        _rscript = Environment.GetEnvironmentVariable("FLOW_RSCRIPT");
        Environment.SetEnvironmentVariable("FLOW_PYTHON", Interpreters.Python);
        Environment.SetEnvironmentVariable("FLOW_RSCRIPT", Interpreters.Rscript);
        _root = Directory.CreateTempSubdirectory("flow-test-").FullName;
    }

    [TearDown]
    public void Cleanup()
    {
        Environment.SetEnvironmentVariable("FLOW_PYTHON", _python);
        Environment.SetEnvironmentVariable("FLOW_RSCRIPT", _rscript);
        Environment.SetEnvironmentVariable("FLOW_TEST_SCRIPT_FAIL", null);
        Environment.SetEnvironmentVariable("FLOW_TEST_SCRIPT_MARKER", null);
        Directory.Delete(_root, recursive: true);
    }

    private LocalScheduler Scheduler() => new(
        FlowApp.DefinitionOf<ScriptFlow>(),
        new RunOptions { MaxWorkers = 2, Log = TextWriter.Null, Output = TextWriter.Null, Datastore = FlowDatastore.Local(_root), User = "tester" });

    private Task<string> LogAsync(string runId, string step, string stream) => LogAsync(_root, "ScriptFlow", runId, step, stream);

    private static async Task<string> LogAsync(string root, string flow, string runId, string step, string stream)
    {
        var store = FlowDatastore.Local(root);
        var task = (await store.Metadata.ListTasksAsync(flow, runId)).Single(t => t.Step == step);
        var bytes = await store.Metadata.GetLogAsync(flow, runId, step, task.TaskId, task.Attempt, stream);
        return bytes is null ? "" : Encoding.UTF8.GetString(bytes);
    }

    [Test]
    public async Task APythonStepAndAnRStepRunWithTheirOutputInTheTasksLogs()
    {
        var result = await Scheduler().RunAsync();
        Assert.That(result.Succeeded, Is.True, result.Error?.ToString());
        Assert.That(result.Artifact<string>("Summary"), Is.EqualTo("0.75:1"));
        Assert.That(await LogAsync(result.RunId, "Py", "stdout"), Does.Contain("scoring shard s1\n"));
        Assert.That(await LogAsync(result.RunId, "Py", "stderr"), Does.Contain("python stderr line\n"));
        Assert.That(await LogAsync(result.RunId, "R", "stdout"), Does.Contain("fitting shard s1 \n"));
        Assert.That(await LogAsync(result.RunId, "R", "stderr"), Does.Contain("r stderr line\n"));
        Assert.That(await LogAsync(result.RunId, "Py", "stdout"), Does.Not.Contain("fitting"), "each task has its own script's lines");
    }

    [Test]
    public async Task AFailingScriptFailsItsStepAndResumeRunsItAgain()
    {
        Environment.SetEnvironmentVariable("FLOW_TEST_SCRIPT_FAIL", "1");
        var failed = await Scheduler().RunAsync();
        Assert.That(failed.Succeeded, Is.False);
        Assert.That(failed.FailedTask, Does.Contain("/Py/"));
        Assert.That(failed.Error!.Type, Is.EqualTo(typeof(ScriptException).FullName));
        Assert.That(failed.Error.Message, Does.Contain("RuntimeError: scoring failed on purpose"));
        Assert.That(await LogAsync(failed.RunId, "Py", "stderr"), Does.Contain("Traceback").And.Contain("RuntimeError: scoring failed on purpose"));

        Environment.SetEnvironmentVariable("FLOW_TEST_SCRIPT_FAIL", null);
        var resumed = await Scheduler().ResumeAsync();
        Assert.That(resumed.Succeeded, Is.True, resumed.Error?.ToString());
        Assert.That(resumed.ClonedCount, Is.EqualTo(2), "Start and R are cloned");
        Assert.That(resumed.Artifact<string>("Summary"), Is.EqualTo("0.75:1"));
    }

    [Test]
    public async Task AStepsTimeoutInProcessKillsItsScript()
    {
        var marker = Path.Combine(_root, "marker");
        Environment.SetEnvironmentVariable("FLOW_TEST_SCRIPT_MARKER", marker);
        var abandoned = new System.Collections.Concurrent.ConcurrentQueue<Task>();
        var result = await new LocalScheduler(
            FlowApp.DefinitionOf<ScriptTimeoutFlow>(),
            new RunOptions { MaxWorkers = 2, Log = TextWriter.Null, Output = TextWriter.Null, Datastore = FlowDatastore.Local(_root), Isolation = TaskIsolation.InProcess, AttemptAbandoned = abandoned.Enqueue }).RunAsync();
        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.Error!.Message, Does.Contain("timeout of 2 s"));

        // The abandoned attempt ends as soon as its script is killed, not when the script's two minutes are up.
        var ended = Task.WhenAll(abandoned);
        Assert.That(await Task.WhenAny(ended, Task.Delay(TimeSpan.FromSeconds(30))), Is.SameAs(ended), "the step returned");
        var pid = int.Parse((await File.ReadAllLinesAsync(marker))[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal), Is.False, "the script is killed");
    }

    [Test]
    public async Task InAWorkerProcessTheScriptIsFoundBesideTheProgramAndItsLinesLandInTheTasksLogs()
    {
        var datastore = Path.Combine(_root, "datastore");
        var result = Infrastructure.TestProcess.RunProgram(
            Infrastructure.RepoPaths.TestFlowsDll, _root, new Dictionary<string, string> { ["FLOW_PYTHON"] = Interpreters.Python }, "ScriptWorkerFlow", "run", "--datastore-root", datastore);
        Assert.That(result.Code, Is.EqualTo(0), result.ToString());
        Assert.That(result.Output, Does.Contain("doubled = 43"));
        Assert.That(result.Output, Does.Contain("[Start/1] twice.py in a worker: 21.5"), "echoed with the task's prefix");
        var run = (await FlowDatastore.Local(datastore).Metadata.ListRunsAsync("ScriptWorkerFlow")).Single();
        Assert.That(await LogAsync(datastore, "ScriptWorkerFlow", run.RunId, "Start", "stdout"), Does.Contain("twice.py in a worker: 21.5\n"));
        Assert.That(await LogAsync(datastore, "ScriptWorkerFlow", run.RunId, "Start", "stderr"), Does.Contain("twice.py stderr\n"));
    }
}
