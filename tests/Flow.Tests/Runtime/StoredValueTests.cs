using System.Security.Cryptography;
using Flow.Cli;
using Flow.Client;
using Flow.Datastore;
using Flow.Execution;
using MessagePack;
using NUnit.Framework;

namespace Flow.Tests.Runtime;

/// <summary>How values are stored: small ones in the task record, large arrays streamed, unchanged ones not stored again.</summary>
public class StoredValueTests
{
    private string _root = "";

    [SetUp]
    public void CreateDatastore() => _root = Directory.CreateTempSubdirectory("flow-test-").FullName;

    [TearDown]
    public void DeleteDatastore() => Directory.Delete(_root, recursive: true);

    [Test]
    public async Task ALargeArrayChangedInPlaceIsStoredAgainAndOneLeftAloneIsNot()
    {
        var result = await RunAsync();
        Assert.That(result.Succeeded, Is.True, result.Error?.ToString());
        var tasks = await TasksAsync(result.RunId);

        var written = tasks["Start"].Artifacts["Payload"];
        var touched = tasks["Touch"].Artifacts["Payload"];
        Assert.That(touched.Key, Is.Not.EqualTo(written.Key), "Touch flipped a byte of the array in place");
        Assert.That(tasks["Read"].Artifacts["Payload"], Is.EqualTo(touched), "Read left the array alone");
        Assert.That(tasks["End"].Artifacts["Payload"], Is.EqualTo(touched));
        Assert.That(result.Artifact<long>("Sum"), Is.EqualTo(LargeValueFlow.Expected().Sum(b => (long)b)));
    }

    [Test]
    public async Task ALargeArrayIsStoredAsPlainMessagePackAndReadsBackThroughTheClient()
    {
        var result = await RunAsync();
        var reference = (await TasksAsync(result.RunId))["End"].Artifacts["Payload"];
        var expected = LargeValueFlow.Expected();
        var blob = File.ReadAllBytes(BlobPath(reference.Key));
        Assert.That(blob, Is.EqualTo(MessagePackSerializer.Serialize(expected)), "the blob is the array's ordinary MessagePack form");
        Assert.That(Convert.ToHexStringLower(SHA256.HashData(blob)), Is.EqualTo(reference.Key));
        Assert.That(reference.Size, Is.EqualTo(blob.Length));

        var run = await Client().Flow("LargeValueFlow").GetAsync(result.RunId);
        Assert.That(await run.ArtifactAsync<byte[]>("Payload"), Is.EqualTo(expected));
    }

    [Test]
    public async Task ASmallValueIsKeptInTheTaskRecordWithoutABlob()
    {
        var result = await RunAsync();
        var small = (await TasksAsync(result.RunId))["Start"].Artifacts["Small"];
        Assert.That(small.Inline, Is.EqualTo(MessagePackSerializer.Serialize(7)));
        Assert.That(small.Key, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(small.Inline!))));
        Assert.That(File.Exists(BlobPath(small.Key)), Is.False);
        Assert.That(result.Artifact<int>("Small"), Is.EqualTo(7));
    }

    [TestCase("flip", "is corrupt")]
    [TestCase("truncate", "is corrupt")]
    [TestCase("extend", "is corrupt")]
    [TestCase("empty", "is corrupt")]
    [TestCase("delete", "is missing")]
    public async Task ADamagedLargeArrayIsAClearErrorNamingItsArtifact(string damage, string what)
    {
        var result = await RunAsync();
        var end = (await TasksAsync(result.RunId))["End"];
        var path = BlobPath(end.Artifacts["Payload"].Key);
        var bytes = File.ReadAllBytes(path);
        switch (damage)
        {
            case "flip":
                bytes[bytes.Length / 2] ^= 1;
                File.WriteAllBytes(path, bytes);
                break;
            case "truncate":
                File.WriteAllBytes(path, bytes[..^1]);
                break;
            case "extend":
                File.WriteAllBytes(path, [.. bytes, 0]);
                break;
            case "empty":
                File.WriteAllBytes(path, []);
                break;
            default:
                File.Delete(path);
                break;
        }

        var run = await Client().Flow("LargeValueFlow").GetAsync(result.RunId);
        var task = (await run.StepAsync("End")).Single();
        var e = Assert.ThrowsAsync<FlowException>(() => task.ArtifactAsync<byte[]>("Payload"));
        Assert.That(e!.Message, Does.Contain($"artifact Payload of task LargeValueFlow/{end.Pathspec}").And.Contain(what));

        // Resumed from the step that reads it (End names no artifact: it would pass the damaged blob on unread).
        var resumed = await Scheduler().ResumeAsync(result.RunId, "Read");
        Assert.That(resumed.Succeeded, Is.False);
        Assert.That(resumed.Error!.Message, Does.Contain("artifact Payload of").And.Contain(what));
    }

    [Test]
    public async Task AStepThatNamesNoArtifactPassesThemOnUnreadEvenOnesWithInitializers()
    {
        var result = await new LocalScheduler(FlowApp.DefinitionOf<PassOnFlow>(), new RunOptions { Log = TextWriter.Null, Output = TextWriter.Null, Datastore = FlowDatastore.Local(_root) }).RunAsync();
        Assert.That(result.Succeeded, Is.True, result.Error?.ToString());
        Assert.That(result.Artifact<int>("Total"), Is.EqualTo(6));
        Assert.That(result.Artifact<string>("Label"), Is.EqualTo("set in Start"), "not the initializer's value of the instance that did not restore it");

        var tasks = (await FlowDatastore.Local(_root).Metadata.ListTasksAsync("PassOnFlow", result.RunId)).ToDictionary(t => t.Step);
        Assert.That(FlowApp.DefinitionOf<PassOnFlow>().Graph["Skip"].Uses, Is.Empty, "Skip names no artifact");
        foreach (var name in new[] { "Values", "Label", "Payload" })
        {
            Assert.That(tasks["Skip"].Artifacts[name].Key, Is.EqualTo(tasks["Start"].Artifacts[name].Key), $"{name} passed on as stored");
            Assert.That(tasks["End"].Artifacts[name].Key, Is.EqualTo(tasks["Start"].Artifacts[name].Key), $"{name} passed on as stored");
        }

        // A blob nobody reads on the way is not read: damaged, it fails only the step that uses it.
        File.WriteAllBytes(BlobPath(tasks["Start"].Artifacts["Payload"].Key), [1, 2, 3]);
        var client = await Client().Flow("PassOnFlow").GetAsync(result.RunId);
        var end = (await client.StepAsync("End")).Single();
        Assert.That(await end.ArtifactAsync<int>("Total"), Is.EqualTo(6));
        var e = Assert.ThrowsAsync<FlowException>(() => end.ArtifactAsync<byte[]>("Payload"));
        Assert.That(e!.Message, Does.Contain("artifact Payload of").And.Contain("is corrupt"));
    }

    private Task<RunResult> RunAsync() => Scheduler().RunAsync();

    private LocalScheduler Scheduler() =>
        new(FlowApp.DefinitionOf<LargeValueFlow>(), new RunOptions { Log = TextWriter.Null, Output = TextWriter.Null, Datastore = FlowDatastore.Local(_root) });

    private FlowClient Client() => new(FlowDatastore.Local(_root)) { Namespace = null };

    private async Task<Dictionary<string, TaskRecord>> TasksAsync(string runId) =>
        (await FlowDatastore.Local(_root).Metadata.ListTasksAsync("LargeValueFlow", runId)).ToDictionary(t => t.Step);

    private string BlobPath(string key) => Path.Combine(_root, DatastoreLayout.Blob(key));
}

public partial class LargeValueFlow : FlowSpec
{
    public byte[] Payload { get; set; } = [];

    public long Sum { get; set; }

    public int Small { get; set; }

    /// <summary>The payload as Touch leaves it.</summary>
    public static byte[] Expected()
    {
        var bytes = Written();
        bytes[0] ^= 0xff;
        return bytes;
    }

    [Step]
    public void Start()
    {
        Payload = Written();
        Small = 7;
        Next(Touch);
    }

    [Step]
    public void Touch()
    {
        Payload[0] ^= 0xff;
        Next(Read);
    }

    [Step]
    public void Read()
    {
        Sum = Payload.Sum(b => (long)b);
        Next(End);
    }

    [Step]
    public void End()
    {
    }

    private static byte[] Written()
    {
        var bytes = new byte[3 << 20];
        new Random(11).NextBytes(bytes);
        return bytes;
    }
}

/// <summary>Skip names no artifact, End only two: what they do not name goes on as stored.</summary>
public partial class PassOnFlow : FlowSpec
{
    public List<int> Values { get; set; } = [1];

    public string Label { get; set; } = "initial";

    public byte[] Payload { get; set; } = [];

    public int Total { get; set; }

    [Step]
    public void Start()
    {
        Values = [1, 2, 3];
        Label = "set in Start";
        Payload = new byte[FlowSerializerLargeBinary];
        Next(Skip);
    }

    [Step]
    public void Skip() => Next(End);

    [Step]
    public void End() => Total = Values.Sum();

    // Large enough to be a blob of its own (1 MiB).
    private const int FlowSerializerLargeBinary = 1 << 20;
}
