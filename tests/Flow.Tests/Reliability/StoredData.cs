using System.Security.Cryptography;
using System.Text.Json;
using Flow.Datastore;
using Flow.Serialization;
using NUnit.Framework;

namespace Flow.Tests.Reliability;

/// <summary>A local datastore read the way a user or another tool would: its files, its JSON records, its blobs.</summary>
public sealed class StoredData(string root)
{
    public string Root { get; } = root;

    public FlowDatastore Datastore { get; } = FlowDatastore.Local(root);

    public string BlobFolder => Path.Combine(Root, DatastoreLayout.BlobFolder);

    public IReadOnlyList<string> RunIds(string flow)
    {
        var folder = Path.Combine(Root, flow);
        return Directory.Exists(folder)
            ? Directory.GetDirectories(folder).Select(Path.GetFileName).OfType<string>().Where(n => !n.StartsWith('.')).Order(StringComparer.Ordinal).ToList()
            : [];
    }

    public string RunFolder(string flow, string runId) => Path.Combine(Root, flow, runId);

    public JsonElement RunJson(string flow, string runId) => ReadJson(Path.Combine(RunFolder(flow, runId), "run.json"));

    /// <summary>Every task record of a run, by file name (<c>Step.TaskId</c>).</summary>
    public IReadOnlyDictionary<string, JsonElement> TaskJsons(string flow, string runId)
    {
        var folder = Path.Combine(RunFolder(flow, runId), "tasks");
        return Directory.Exists(folder)
            ? Directory.GetFiles(folder, "*.json").ToDictionary(f => Path.GetFileNameWithoutExtension(f), ReadJson, StringComparer.Ordinal)
            : new Dictionary<string, JsonElement>();
    }

    public async Task<TaskRecord> TaskAsync(string flow, string runId, string step) =>
        (await Datastore.Metadata.ListTasksAsync(flow, runId)).Single(t => t.Step == step);

    /// <summary>The blob keys of the end step's artifacts: equal keys mean equal values, in any datastore.</summary>
    public async Task<IReadOnlyDictionary<string, string>> EndArtifactKeysAsync(string flow, string runId) =>
        (await TaskAsync(flow, runId, "End")).Artifacts.ToDictionary(a => a.Key, a => a.Value.Key, StringComparer.Ordinal);

    public async Task<T> ArtifactAsync<T>(string flow, string runId, string step, string name)
    {
        var task = await TaskAsync(flow, runId, step);
        var value = await Datastore.GetAsync(task.Artifacts[name], $"artifact {name} of {task.Pathspec}");
        return FlowSerializer.Deserialize<T>(value, name);
    }

    public string BlobPath(string key) => Path.Combine(Root, DatastoreLayout.Blob(key));

    /// <summary>
    /// Every stored value is whole: a blob's SHA-256 is its name, and so is that of a small value held in a task record.
    /// Temporary files of interrupted writes are listed apart.
    /// </summary>
    public IReadOnlyList<string> AssertEveryBlobMatchesItsName()
    {
        var temporary = new List<string>();
        var blobs = 0;
        foreach (var record in Directory.EnumerateFiles(Root, "*.json", SearchOption.AllDirectories).Where(f => Path.GetFileName(Path.GetDirectoryName(f)) == "tasks"))
        {
            var task = ReadJson(record);
            if (!task.TryGetProperty("artifacts", out var artifacts))
            {
                continue;
            }

            foreach (var artifact in artifacts.EnumerateObject())
            {
                if (artifact.Value.TryGetProperty("inline", out var inline))
                {
                    var key = artifact.Value.GetProperty("key").GetString();
                    Assert.That(Convert.ToHexStringLower(SHA256.HashData(inline.GetBytesFromBase64())), Is.EqualTo(key), $"artifact {artifact.Name} in {record} is torn or corrupt");
                    blobs++;
                }
            }
        }

        foreach (var file in Directory.Exists(BlobFolder) ? Directory.EnumerateFiles(BlobFolder, "*", SearchOption.AllDirectories) : [])
        {
            var name = Path.GetFileName(file);
            if (name.EndsWith(".tmp", StringComparison.Ordinal))
            {
                Assert.That(name, Does.StartWith("."), $"a temporary file must be hidden from readers: {file}");
                temporary.Add(file);
                continue;
            }

            var key = name;
            using var stream = File.OpenRead(file);
            Assert.That(Convert.ToHexStringLower(SHA256.HashData(stream)), Is.EqualTo(key), $"blob {file} is torn or corrupt");
            blobs++;
        }

        Assert.That(blobs, Is.GreaterThan(0), $"no stored values under {Root}");
        return temporary;
    }

    /// <summary>Every run and task record of a flow is whole JSON.</summary>
    public void AssertEveryRecordIsWhole(string flow)
    {
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Root, flow), "*.json", SearchOption.AllDirectories))
        {
            Assert.DoesNotThrow(() => ReadJson(file), $"record {file} is torn");
        }
    }

    private static JsonElement ReadJson(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        return document.RootElement.Clone();
    }
}

/// <summary>Each test gets its own working folder and datastore, kept when the test fails so the evidence can be read.</summary>
public abstract class ReliabilityTest
{
    protected string Work { get; private set; } = "";

    protected string Root => Path.Combine(Work, ".flow");

    protected StoredData Stored => new(Root);

    protected static string TestFlows => RepoPaths.TestFlowsDll;

    [SetUp]
    public void CreateWorkFolder() => Work = Directory.CreateTempSubdirectory("flow-reliability-").FullName;

    [TearDown]
    public void DeleteWorkFolder()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
        {
            TestContext.Out.WriteLine($"The test's files are kept in {Work}.");
            return;
        }

        Directory.Delete(Work, recursive: true);
    }

    /// <summary>Runs a flow of the test flows program against this test's datastore.</summary>
    protected ProcessResult RunFlow(string flow, IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        TestProcess.RunProgram(TestFlows, Work, environment, [flow, .. args, "--datastore-root", Root]);

    protected internal static string RunIdStarted(ProcessResult result) =>
        System.Text.RegularExpressions.Regex.Match(result.Error, @"run (\S+) (started|resumes)") is { Success: true } m
            ? m.Groups[1].Value
            : throw new AssertionException($"no run id in the output.\n{result}");

    protected internal static Dictionary<string, string> Env(params (string Name, string Value)[] variables) =>
        variables.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
}

/// <summary>A finished run of a test flow, made once for a fixture and copied into the datastore of each test that needs one.</summary>
public sealed class PreparedRun : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("flow-reliability-prepared-").FullName;

    public PreparedRun(string flow, string expected)
    {
        Result = TestProcess.RunProgram(RepoPaths.TestFlowsDll, _folder, null, flow, "run", "--datastore-root", Path.Combine(_folder, ".flow"));
        Assert.That(Result.Code, Is.EqualTo(0), Result.ToString());
        Assert.That(Result.Output, Does.Contain(expected), Result.ToString());
        RunId = ReliabilityTest.RunIdStarted(Result);
    }

    public ProcessResult Result { get; }

    public string RunId { get; }

    public void CopyTo(string root)
    {
        var source = Path.Combine(_folder, ".flow");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(root, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
