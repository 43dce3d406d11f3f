using Flow.Cli;
using Flow.Datastore;
using Flow.Execution;
using NUnit.Framework;

namespace Flow.Tests.Runtime;

public class ResourceTests
{
    private string _root = "";

    [SetUp]
    public void CreateDatastore() => _root = Directory.CreateTempSubdirectory("flow-test-").FullName;

    [TearDown]
    public void DeleteDatastore() => Directory.Delete(_root, recursive: true);

    private RunOptions Options(MachineCapacity capacity, TextWriter log) => new()
    {
        MaxWorkers = 1,
        Log = log,
        Output = TextWriter.Null,
        Datastore = FlowDatastore.Local(_root),
        Capacity = capacity,
    };

    [Test]
    public async Task AGpuStepSeesExactlyTheGpuItWasGiven()
    {
        var result = await new LocalScheduler(FlowApp.DefinitionOf<GpuFlow>(), Options(new MachineCapacity(2, 1000, [3, 5]), TextWriter.Null)).RunAsync();
        Assert.That(result.Succeeded, Is.True, result.Error?.ToString());
        Assert.That(result.Artifact<string>("Seen"), Is.EqualTo("3"));
    }

    [Test]
    public async Task OnAMachineWithoutGpusAGpuStepRunsWithAWarning()
    {
        var log = new StringWriter();
        var result = await new LocalScheduler(FlowApp.DefinitionOf<GpuFlow>(), Options(new MachineCapacity(2, 1000, []), log)).RunAsync();
        Assert.That(result.Succeeded, Is.True, result.Error?.ToString());
        Assert.That(log.ToString(), Does.Contain("this machine has none").And.Contain("asks for 64 CPUs"));
    }

    [Test]
    public void AGpuRequestTheMachineCanNeverMeetFailsBeforeTheRun()
    {
        var e = Assert.ThrowsAsync<FlowException>(() => new LocalScheduler(FlowApp.DefinitionOf<TwoGpuFlow>(), Options(new MachineCapacity(2, 1000, [0]), TextWriter.Null)).RunAsync());
        Assert.That(e!.Message, Does.Contain("asks for 2 GPUs, but this machine has 1"));
        Assert.That(Directory.Exists(Path.Combine(_root, "TwoGpuFlow")), Is.False, "no run may be recorded");
    }

    [TestCase("2", new[] { 0, 1 })]
    [TestCase("0,3", new[] { 0, 3 })]
    [TestCase("none", new int[0])]
    [TestCase("", new int[0])]
    public void GpuDetectionCanBeOverridden(string setting, int[] expected) =>
        Assert.That(MachineCapacity.DetectGpus(setting), Is.EqualTo(expected));

    [Test]
    public void AMalformedGpuOverrideIsAClearError() =>
        Assert.That(() => MachineCapacity.DetectGpus("two"), Throws.TypeOf<FlowException>().With.Message.Contains("FLOW_GPUS"));
}
