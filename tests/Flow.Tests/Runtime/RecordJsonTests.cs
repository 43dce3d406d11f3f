using System.Text;
using System.Text.Json;
using Flow.Datastore;
using Flow.Execution;
using NUnit.Framework;

namespace Flow.Tests.Runtime;

/// <summary>The JSON of run and task records and of task requests: its layout, what reading accepts, and what it rejects.</summary>
public class RecordJsonTests
{
    private static readonly DateTimeOffset Started = new(2026, 11, 27, 8, 4, 40, 123, TimeSpan.Zero);

    private static TaskRecord FullTask() => new()
    {
        Flow = "BranchFlow",
        RunId = "1795766680389-d4a2189c",
        Step = "Join",
        TaskId = 4,
        Position = "Join/1.0",
        Status = RunStatus.Failed,
        Attempt = 2,
        Index = 3,
        Inputs = ["1795766680389-d4a2189c/A/2", "1795766680389-d4a2189c/B/3"],
        Artifacts = new Dictionary<string, ArtifactRef>
        {
            ["Out"] = new("084fed08b978af4d7d196a7446a86b58009e636b611db16211b65a9aadff29c5", "int", 1) { Inline = [3] },
            ["Big"] = new("a".PadRight(64, 'b'), "byte[]", 1 << 20),
        },
        Next = ["End"],
        ForeachElements = [new("c".PadRight(64, 'd'), "string", 4) { Inline = [0xa3, 0x61, 0x62, 0x63] }],
        Error = new StepError { Type = "System.InvalidOperationException", Message = "<bad> & \"quoted\" ✓", StackTrace = "at X()\n at Y()", Step = "Join" },
        StartedAt = Started,
        FinishedAt = Started.AddMilliseconds(6.5),
        ClonedFrom = "1795766680000-00000000/Join/4",
        CacheKey = "0123456789abcdef".PadRight(64, 'e'),
    };

    [Test]
    public void ATaskRecordRoundTripsWithEveryField()
    {
        var task = FullTask();
        var read = RecordJson.Deserialize<TaskRecord>(RecordJson.Serialize(task), "a test task");

        // The collections compared one by one below; the rest as a record.
        Assert.That(read with { Inputs = task.Inputs, Artifacts = task.Artifacts, Next = task.Next, ForeachElements = task.ForeachElements, Error = task.Error }, Is.EqualTo(task));
        Assert.That(read.Inputs, Is.EqualTo(task.Inputs));
        Assert.That(read.Next, Is.EqualTo(task.Next));
        Assert.That(read.Artifacts.Keys, Is.EqualTo(task.Artifacts.Keys));
        Assert.That(read.Artifacts["Out"].Inline, Is.EqualTo(new byte[] { 3 }));
        Assert.That(read.Artifacts["Big"], Is.EqualTo(task.Artifacts["Big"]));
        Assert.That(read.ForeachElements![0].Inline, Is.EqualTo(task.ForeachElements![0].Inline));
        Assert.That(read.Error!.Message, Is.EqualTo(task.Error!.Message));
        Assert.That(read.Error.StackTrace, Is.EqualTo(task.Error.StackTrace));
        Assert.That(read.Error.Type, Is.EqualTo(task.Error.Type));
        Assert.That(read.FinishedAt, Is.EqualTo(task.FinishedAt));
    }

    [Test]
    public void ARunRecordAndATaskRequestRoundTrip()
    {
        var run = new RunRecord
        {
            Flow = "F",
            RunId = "1-00000000",
            User = "ana",
            Status = RunStatus.Succeeded,
            Tags = ["a", "b:c"],
            SystemTags = ["user:ana"],
            Parameters = new Dictionary<string, ArtifactRef> { ["Alpha"] = new("e".PadRight(64, 'f'), "double", 9) },
            StartedAt = Started,
            FinishedAt = Started.AddSeconds(1),
            OriginRunId = "0-00000000",
            ResumedSteps = ["Join"],
            FailedTask = "1-00000000/Join/4",
        };
        var readRun = RecordJson.Deserialize<RunRecord>(RecordJson.Serialize(run), "a test run");
        Assert.That(readRun with { Tags = run.Tags, SystemTags = run.SystemTags, Parameters = run.Parameters, ResumedSteps = run.ResumedSteps }, Is.EqualTo(run));
        Assert.That(readRun.SystemTags, Is.EqualTo(run.SystemTags));
        Assert.That(readRun.Tags, Is.EqualTo(run.Tags));
        Assert.That(readRun.ResumedSteps, Is.EqualTo(run.ResumedSteps));
        Assert.That(readRun.Parameters["Alpha"], Is.EqualTo(run.Parameters["Alpha"]));

        var request = new TaskRequest
        {
            RunId = "1-00000000",
            Step = "Join",
            TaskId = 9,
            Attempt = 1,
            Position = "Join/",
            Index = 2,
            Inputs = ["1-00000000/A/2", "1-00000000/B/3"],
            ForeachIndex = 5,
            InputBranches = [1, 0],
            InputsChecked = true,
            Environment = new Dictionary<string, string> { ["CUDA_VISIBLE_DEVICES"] = "0,1", ["X"] = "" },
            CacheKey = "f".PadRight(64, '0'),
        };
        var readRequest = RecordJson.Deserialize<TaskRequest>(Encoding.UTF8.GetBytes(RecordJson.SerializeToString(request)), "a test request");
        Assert.That(readRequest with { Inputs = request.Inputs, InputBranches = request.InputBranches, Environment = request.Environment }, Is.EqualTo(request));
        Assert.That(readRequest.Inputs, Is.EqualTo(request.Inputs));
        Assert.That(readRequest.InputBranches, Is.EqualTo(request.InputBranches));
        Assert.That(readRequest.Environment, Is.EqualTo(request.Environment));
    }

    [Test]
    public void RecordsAreCamelCaseWithStatusNamesAndNoNulls()
    {
        var json = Encoding.UTF8.GetString(RecordJson.Serialize(FullTask() with { Error = null, ClonedFrom = null, CacheKey = null, ForeachElements = null }));
        using var document = JsonDocument.Parse(json);
        var names = document.RootElement.EnumerateObject().Select(p => p.Name).ToList();
        Assert.That(names, Is.EqualTo(new[] { "flow", "runId", "step", "taskId", "position", "status", "attempt", "iteration", "index", "inputs", "artifacts", "next", "startedAt", "finishedAt" }));
        Assert.That(document.RootElement.GetProperty("status").GetString(), Is.EqualTo("Failed"));
        Assert.That(document.RootElement.GetProperty("artifacts").GetProperty("Out").GetProperty("inline").GetString(), Is.EqualTo("Aw=="));
        Assert.That(document.RootElement.GetProperty("artifacts").GetProperty("Big").TryGetProperty("inline", out _), Is.False);
        Assert.That(document.RootElement.GetProperty("startedAt").GetString(), Is.EqualTo("2026-11-27T08:04:40.123+00:00"));
    }

    [Test]
    public void ARecordWrittenByEarlierVersionsStillReads()
    {
        // As the serializer of earlier versions wrote it, with a property this version does not know.
        const string json = """
            {"flow":"BranchFlow","runId":"1795766912918-2927c923","step":"Join","taskId":4,"position":"Join/","status":"Succeeded","attempt":0,"index":0,
             "inputs":["1795766912918-2927c923/A/2","1795766912918-2927c923/B/3"],
             "artifacts":{"Out":{"key":"084fed08b978af4d7d196a7446a86b58009e636b611db16211b65a9aadff29c5","type":"int","size":1,"inline":"Aw=="}},
             "next":["End"],"startedAt":"2026-11-27T08:08:33.1900719+00:00","finishedAt":"2026-11-27T08:08:33.196085+00:00",
             "pathspec":"1795766912918-2927c923/Join/4","future":{"nested":[1,{"a":null}]}}
            """;
        var task = RecordJson.Deserialize<TaskRecord>(Encoding.UTF8.GetBytes(json), "an old task");
        Assert.That(task.Pathspec, Is.EqualTo("1795766912918-2927c923/Join/4"));
        Assert.That(task.Artifacts["Out"].Inline, Is.EqualTo(new byte[] { 3 }));
        Assert.That(task.FinishedAt, Is.EqualTo(DateTimeOffset.Parse("2026-11-27T08:08:33.196085+00:00", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(task.ForeachElements, Is.Null);
        Assert.That(task.Error, Is.Null);
    }

    [Test]
    public void ReadingAcceptsAnyCaseNumbersInStringsAndNullCollections()
    {
        const string json = """{"FLOW":"F","RunId":"1-00000000","User":"u","STATUS":"failed","tags":null,"parameters":null,"startedAt":"2026-11-27T08:04:40+00:00","finishedAt":null}""";
        var run = RecordJson.Deserialize<RunRecord>(Encoding.UTF8.GetBytes(json), "a run");
        Assert.That(run.Flow, Is.EqualTo("F"));
        Assert.That(run.Status, Is.EqualTo(RunStatus.Failed));
        Assert.That(run.Tags, Is.Empty);
        Assert.That(run.Parameters, Is.Empty);
        Assert.That(run.FinishedAt, Is.Null);

        const string request = """{"runId":"1-00000000","step":"A","taskId":"12","position":"A/","foreachIndex":"3","inputBranches":["1",2]}""";
        var read = RecordJson.Deserialize<TaskRequest>(Encoding.UTF8.GetBytes(request), "a request");
        Assert.That(read.TaskId, Is.EqualTo(12));
        Assert.That(read.ForeachIndex, Is.EqualTo(3));
        Assert.That(read.InputBranches, Is.EqualTo(new[] { 1, 2 }));
    }

    [TestCase("", "is corrupt")]
    [TestCase("   ", "is corrupt")]
    [TestCase("null", "is empty")]
    [TestCase("[]", "not an object")]
    [TestCase("{\"flow\":\"F\",\"runId\":\"1-0\"", "is corrupt")]
    [TestCase("{\"flow\":\"F\",\"runId\":\"1-0\",\"step\":\"A\",\"position\":\"A/\"}", "it has no 'taskId'")]
    [TestCase("{\"runId\":\"1-0\",\"step\":\"A\",\"taskId\":1,\"position\":\"A/\"}", "it has no 'flow'")]
    [TestCase("{\"flow\":\"F\",\"runId\":\"1-0\",\"step\":\"A\",\"taskId\":\"one\",\"position\":\"A/\"}", "'taskId' is not a whole number")]
    [TestCase("{\"flow\":\"F\",\"runId\":\"1-0\",\"step\":\"A\",\"taskId\":1.5,\"position\":\"A/\"}", "'taskId' is not a whole number")]
    [TestCase("{\"flow\":7,\"runId\":\"1-0\",\"step\":\"A\",\"taskId\":1,\"position\":\"A/\"}", "'flow' is a number, not a string")]
    [TestCase("{\"flow\":\"F\",\"runId\":\"1-0\",\"step\":\"A\",\"taskId\":1,\"position\":\"A/\",\"status\":\"Lost\"}", "'status' is not Running, Succeeded or Failed")]
    [TestCase("{\"flow\":\"F\",\"runId\":\"1-0\",\"step\":\"A\",\"taskId\":1,\"position\":\"A/\",\"inputs\":[1]}", "'inputs' holds a number where a string belongs")]
    [TestCase("{\"flow\":\"F\",\"runId\":\"1-0\",\"step\":\"A\",\"taskId\":1,\"position\":\"A/\",\"artifacts\":{\"X\":{\"key\":\"k\",\"type\":\"int\"}}}", "has no 'size'")]
    [TestCase("{\"flow\":\"F\",\"runId\":\"1-0\",\"step\":\"A\",\"taskId\":1,\"position\":\"A/\",\"artifacts\":{\"X\":{\"key\":\"k\",\"type\":\"int\",\"size\":1,\"inline\":\"%%\"}}}", "is not base64 data")]
    [TestCase("{\"flow\":\"F\",\"runId\":\"1-0\",\"step\":\"A\",\"taskId\":1,\"position\":\"A/\",\"startedAt\":\"yesterday\"}", "'startedAt' is not a date and time")]
    [TestCase("{\"flow\":\"F\",\"runId\":\"1-0\",\"step\":\"A\",\"taskId\":1,\"position\":\"A/\"} {}", "is corrupt")]
    public void ADamagedTaskRecordIsAClearError(string json, string expected)
    {
        var e = Assert.Throws<FlowException>(() => RecordJson.Deserialize<TaskRecord>(Encoding.UTF8.GetBytes(json), "task 1-0/A/1"));
        Assert.That(e!.Message, Does.StartWith("The record of task 1-0/A/1 ").And.Contain(expected));
    }

    [TestCase("flow")]
    [TestCase("name")]
    [TestCase("inputs")]
    [TestCase("surrogate")]
    public void ARecordWithBytesThatAreNotTextIsCorrupt(string where)
    {
        var json = where switch
        {
            "flow" => "{\"flow\":\"F\u00ff\",\"runId\":\"1-0\",\"step\":\"A\",\"taskId\":1,\"position\":\"A/\"}",
            "name" => "{\"fl\u00ffow\":\"F\",\"runId\":\"1-0\",\"step\":\"A\",\"taskId\":1,\"position\":\"A/\"}",
            "inputs" => "{\"flow\":\"F\",\"runId\":\"1-0\",\"step\":\"A\",\"taskId\":1,\"position\":\"A/\",\"inputs\":[\"\u00ff\"]}",
            _ => "{\"flow\":\"\\uD800\",\"runId\":\"1-0\",\"step\":\"A\",\"taskId\":1,\"position\":\"A/\"}",
        };

        // Latin-1 bytes: U+00FF becomes the single byte 0xFF, which is not UTF-8.
        var bytes = Encoding.Latin1.GetBytes(json);
        var e = Assert.Throws<FlowException>(() => RecordJson.Deserialize<TaskRecord>(bytes, "task 1-0/A/1"));
        Assert.That(e!.Message, Does.StartWith("The record of task 1-0/A/1 is corrupt"));
    }
}
