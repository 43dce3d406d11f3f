using Flow.Cli;
using Flow.Datastore;
using Flow.Execution;
using NUnit.Framework;

namespace Flow.Tests.Runtime;

/// <summary>[Environment] with tasks on threads of one process, whose environment variables they all share.</summary>
[NonParallelizable]
public class EnvironmentTests
{
    private const string Variable = "FLOW_TEST_SHARED";
    private string _root = "";

    [SetUp]
    public void CreateDatastore() => _root = Directory.CreateTempSubdirectory("flow-test-").FullName;

    [TearDown]
    public void DeleteDatastore()
    {
        Environment.SetEnvironmentVariable(Variable, null);
        Directory.Delete(_root, recursive: true);
    }

    // Room for every branch at once: without care, the three would run together.
    private Task<RunResult> RunAsync<TFlow>()
        where TFlow : FlowSpec, IFlowDefinitionProvider<TFlow> =>
        new LocalScheduler(FlowApp.DefinitionOf<TFlow>(), new RunOptions
        {
            MaxWorkers = 8,
            Capacity = new MachineCapacity(8, 64_000, []),
            Log = TextWriter.Null,
            Output = TextWriter.Null,
            Datastore = FlowDatastore.Local(_root),
            Isolation = TaskIsolation.InProcess,
        }).RunAsync();

    [Test]
    public async Task InProcessATaskSeesOnlyItsOwnEnvironmentVariables()
    {
        var result = await RunAsync<SharedEnvironmentFlow>();
        Assert.That(result.Succeeded, Is.True, result.Error?.ToString());
        Assert.That(result.Artifact<string>("Trail"), Is.EqualTo("a/a b/b -/-"), "what A, B and C saw when they started and 300 ms later");
        Assert.That(Environment.GetEnvironmentVariable(Variable), Is.Null, "the process's own value is back");
    }

    [Test]
    public async Task InProcessATimedOutTasksVariablesArePutBackAtItsTimeout()
    {
        var result = await RunAsync<EnvironmentNapFlow>();
        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.Error!.Message, Does.Contain("timeout of 1 s"));
        Assert.That(Environment.GetEnvironmentVariable(Variable), Is.Null, "put back when the task was given up, not when its thread ends");
    }
}

public partial class SharedEnvironmentFlow : FlowSpec
{
    public string Seen { get; set; } = "";

    public string Trail { get; set; } = "";

    [Step]
    public void Start() => Next(A, B, C);

    [Step]
    [Environment("FLOW_TEST_SHARED", "a")]
    public void A()
    {
        Seen = Watch();
        Next(Join);
    }

    [Step]
    [Environment("FLOW_TEST_SHARED", "b")]
    public void B()
    {
        Seen = Watch();
        Next(Join);
    }

    [Step]
    public void C()
    {
        Seen = Watch();
        Next(Join);
    }

    [Step]
    public void Join(JoinInputs<SharedEnvironmentFlow> inputs)
    {
        Trail = string.Join(" ", inputs.Select(i => i.Seen));
        Next(End);
    }

    [Step]
    public void End()
    {
    }

    private static string Watch()
    {
        var first = Environment.GetEnvironmentVariable("FLOW_TEST_SHARED") ?? "-";
        Thread.Sleep(300);
        return $"{first}/{Environment.GetEnvironmentVariable("FLOW_TEST_SHARED") ?? "-"}";
    }
}

public partial class EnvironmentNapFlow : FlowSpec
{
    [Step]
    public void Start() => Next(Nap);

    [Step]
    [Environment("FLOW_TEST_SHARED", "nap")]
    [Timeout(Seconds = 1)]
    public void Nap()
    {
        Thread.Sleep(TimeSpan.FromSeconds(5));
        Next(End);
    }

    [Step]
    public void End()
    {
    }
}
