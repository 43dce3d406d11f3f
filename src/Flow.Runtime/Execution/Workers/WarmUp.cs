using System.Text;
using Flow.Datastore;
using Flow.Serialization;

namespace Flow.Execution.Workers;

/// <summary>Compiles, ahead of the first task, the code every task runs: in a worker while it waits for its first request, in the scheduler while the first task runs.</summary>
internal static class WarmUp
{
    /// <summary>
    /// Runs, once and without side effects, the code that every task runs the first time: reading a request,
    /// writing and reading records, serializing and hashing an artifact. A fresh process spends most of its
    /// first task compiling these; done while the worker waits for the scheduler, that time is off the run's
    /// critical path. Whatever this does not reach is compiled by the first task as before.
    /// </summary>
    internal static void Run() => Run(values: true);

    /// <summary>The warm-up, with or without the artifact values' serializer and hash.</summary>
    internal static void Run(bool values)
    {
        try
        {
            var now = DateTimeOffset.UtcNow;
            var request = new TaskRequest
            {
                RunId = "1-00000000",
                Step = "Start",
                TaskId = 1,
                Position = "Start/",
                Inputs = ["1-00000000/Start/1"],
                ForeachIndex = 0,
                InputBranches = [0],
                Environment = new Dictionary<string, string>(StringComparer.Ordinal) { ["FLOW"] = "1" },
            };
            request = RecordJson.Deserialize<TaskRequest>(Encoding.UTF8.GetBytes(RecordJson.SerializeToString(request)), "a warm-up request");
            var reference = new ArtifactRef(new string('0', 64), "long", 1) { Inline = [1] };
            if (values)
            {
                var value = FlowSerializer.Serialize(request.TaskId);
                _ = FlowSerializer.Deserialize<long>(value, "a warm-up value");
                _ = FlowSerializer.Deserialize<string>(FlowSerializer.Serialize(request.Step), "a warm-up value");
                reference = new ArtifactRef(value.Hash, "long", value.Length) { Inline = value.Data.ToArray() };
            }

            var artifacts = new Dictionary<string, ArtifactRef>(StringComparer.Ordinal) { ["X"] = reference };
            var task = new TaskRecord
            {
                Flow = "Warm",
                RunId = request.RunId,
                Step = request.Step,
                TaskId = request.TaskId,
                Position = request.Position,
                Status = RunStatus.Succeeded,
                Inputs = request.Inputs,
                Artifacts = artifacts,
                Next = ["End"],
                ForeachElements = [reference],
                StartedAt = now,
                FinishedAt = now,
            };
            _ = RecordJson.Deserialize<TaskRecord>(RecordJson.Serialize(task), "a warm-up record");
            _ = RecordJson.Deserialize<TaskRecord>(Encoding.UTF8.GetBytes(RecordJson.SerializeToString(task)), "a warm-up record");
            var run = new RunRecord { Flow = "Warm", RunId = request.RunId, User = "warm", Status = RunStatus.Running, Parameters = artifacts, StartedAt = now, FinishedAt = now };
            _ = RecordJson.Deserialize<RunRecord>(RecordJson.Serialize(run), "a warm-up record");
        }
        catch (FlowException)
        {
            // Only a warm-up: the first task does the same for real and reports what fails.
        }
    }
}
