using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Flow.Execution;

namespace Flow.Datastore;

/// <summary>
/// Reads and writes records (runs, tasks, task requests) as JSON: camel-case names, enums as their names,
/// nulls left out. Written by hand over <see cref="Utf8JsonWriter"/> and <see cref="Utf8JsonReader"/> rather
/// than with <see cref="JsonSerializer"/>: every scheduler and worker process reads and writes records
/// first thing, and the serializer's source-generated metadata costs each new process more start-up time than
/// it may (BENCHMARKS.md, "Record JSON"). Reading accepts what the serializer's web defaults accept (names in
/// any case, numbers in strings, unknown properties) and reports anything else as a corrupt record.
/// A property added to a record must be written and read here too: RecordJsonDifferentialTests compares
/// every property of every record with the serializer's output.
/// </summary>
internal static class RecordJson
{
    public static byte[] Serialize<T>(T value)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        Write(buffer, value);
        return buffer.WrittenSpan.ToArray();
    }

    public static string SerializeToString<T>(T value)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        Write(buffer, value);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static T Deserialize<T>(ReadOnlySpan<byte> json, string what)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        try
        {
            if (!reader.Read())
            {
                throw new RecordException("it holds no JSON");
            }

            if (reader.TokenType == JsonTokenType.Null)
            {
                throw new FlowException($"The record of {what} is empty.");
            }

            object record = typeof(T) == typeof(TaskRecord) ? ReadTask(ref reader)
                : typeof(T) == typeof(RunRecord) ? ReadRun(ref reader)
                : typeof(T) == typeof(TaskRequest) ? ReadRequest(ref reader)
                : throw new NotSupportedException($"{typeof(T).Name} is not a record.");
            if (reader.Read())
            {
                throw new RecordException($"it goes on after its end ({reader.TokenType} at byte {reader.TokenStartIndex})");
            }

            return (T)record;
        }
        catch (JsonException e)
        {
            throw new FlowException($"The record of {what} is corrupt: {e.Message}", e);
        }
        catch (RecordException e)
        {
            throw new FlowException($"The record of {what} is corrupt: {e.Message}.", e);
        }
        catch (InvalidOperationException e)
        {
            // A string that is not valid UTF-8 (or a lone surrogate escape): the reader says so when it is read.
            throw new FlowException($"The record of {what} is corrupt: {e.Message}", e);
        }
    }

    private static void Write<T>(IBufferWriter<byte> buffer, T value)
    {
        ArgumentNullException.ThrowIfNull(value);
        using var writer = new Utf8JsonWriter(buffer);
        switch (value)
        {
            case TaskRecord task:
                WriteTask(writer, task);
                break;
            case RunRecord run:
                WriteRun(writer, run);
                break;
            case TaskRequest request:
                WriteRequest(writer, request);
                break;
            default:
                throw new NotSupportedException($"{typeof(T).Name} is not a record.");
        }
    }

    private static void WriteRun(Utf8JsonWriter w, RunRecord run)
    {
        w.WriteStartObject();
        w.WriteString("flow"u8, run.Flow);
        w.WriteString("runId"u8, run.RunId);
        w.WriteString("user"u8, run.User);
        WriteStatus(w, run.Status);
        WriteStrings(w, "tags"u8, run.Tags);
        WriteStrings(w, "systemTags"u8, run.SystemTags);
        WriteArtifacts(w, "parameters"u8, run.Parameters);
        w.WriteString("startedAt"u8, run.StartedAt);
        if (run.FinishedAt is { } finished)
        {
            w.WriteString("finishedAt"u8, finished);
        }

        WriteIfNotNull(w, "originRunId"u8, run.OriginRunId);
        WriteStrings(w, "resumedSteps"u8, run.ResumedSteps);
        WriteIfNotNull(w, "failedTask"u8, run.FailedTask);
        w.WriteEndObject();
    }

    private static void WriteTask(Utf8JsonWriter w, TaskRecord task)
    {
        w.WriteStartObject();
        w.WriteString("flow"u8, task.Flow);
        w.WriteString("runId"u8, task.RunId);
        w.WriteString("step"u8, task.Step);
        w.WriteNumber("taskId"u8, task.TaskId);
        w.WriteString("position"u8, task.Position);
        WriteStatus(w, task.Status);
        w.WriteNumber("attempt"u8, task.Attempt);
        w.WriteNumber("iteration"u8, task.Iteration);

        if (task.Item is { } item)
        {
            w.WritePropertyName("item"u8);
            WriteArtifact(w, item);
        }

        w.WriteNumber("index"u8, task.Index);
        WriteStrings(w, "inputs"u8, task.Inputs);
        WriteArtifacts(w, "artifacts"u8, task.Artifacts);
        WriteStrings(w, "next"u8, task.Next);
        if (task.ForeachElements is { } elements)
        {
            w.WriteStartArray("foreachElements"u8);
            foreach (var element in elements)
            {
                WriteArtifact(w, element);
            }

            w.WriteEndArray();
        }

        if (task.Error is { } error)
        {
            w.WriteStartObject("error"u8);
            w.WriteString("type"u8, error.Type);
            w.WriteString("message"u8, error.Message);
            WriteIfNotNull(w, "stackTrace"u8, error.StackTrace);
            w.WriteString("step"u8, error.Step);
            w.WriteEndObject();
        }

        w.WriteString("startedAt"u8, task.StartedAt);
        w.WriteString("finishedAt"u8, task.FinishedAt);
        WriteIfNotNull(w, "clonedFrom"u8, task.ClonedFrom);
        WriteIfNotNull(w, "cacheKey"u8, task.CacheKey);
        w.WriteEndObject();
    }

    private static void WriteRequest(Utf8JsonWriter w, TaskRequest request)
    {
        w.WriteStartObject();
        w.WriteString("runId"u8, request.RunId);
        w.WriteString("step"u8, request.Step);
        w.WriteNumber("taskId"u8, request.TaskId);
        w.WriteNumber("attempt"u8, request.Attempt);
        w.WriteNumber("iteration"u8, request.Iteration);

        w.WriteString("position"u8, request.Position);
        w.WriteNumber("index"u8, request.Index);
        WriteStrings(w, "inputs"u8, request.Inputs);
        if (request.ForeachIndex is { } foreachIndex)
        {
            w.WriteNumber("foreachIndex"u8, foreachIndex);
        }

        w.WriteStartArray("inputBranches"u8);
        foreach (var branch in request.InputBranches)
        {
            w.WriteNumberValue(branch);
        }

        w.WriteEndArray();
        w.WriteBoolean("inputsChecked"u8, request.InputsChecked);
        w.WriteBoolean("withCard"u8, request.WithCard);
        WriteIfNotNull(w, "cacheKey"u8, request.CacheKey);
        w.WriteStartObject("environment"u8);
        foreach (var (name, value) in request.Environment)
        {
            w.WriteString(name, value);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteStatus(Utf8JsonWriter w, RunStatus status) =>
        w.WriteString("status"u8, status switch
        {
            RunStatus.Running => "Running"u8,
            RunStatus.Succeeded => "Succeeded"u8,
            RunStatus.Failed => "Failed"u8,
            _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Not a run status."),
        });

    private static void WriteIfNotNull(Utf8JsonWriter w, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }

    private static void WriteStrings(Utf8JsonWriter w, ReadOnlySpan<byte> name, IReadOnlyList<string> values)
    {
        w.WriteStartArray(name);
        for (var i = 0; i < values.Count; i++)
        {
            w.WriteStringValue(values[i]);
        }

        w.WriteEndArray();
    }

    private static void WriteArtifacts(Utf8JsonWriter w, ReadOnlySpan<byte> name, IReadOnlyDictionary<string, ArtifactRef> artifacts)
    {
        w.WriteStartObject(name);
        foreach (var (artifact, reference) in artifacts)
        {
            w.WritePropertyName(artifact);
            WriteArtifact(w, reference);
        }

        w.WriteEndObject();
    }

    private static void WriteArtifact(Utf8JsonWriter w, ArtifactRef reference)
    {
        w.WriteStartObject();
        w.WriteString("key"u8, reference.Key);
        w.WriteString("type"u8, reference.Type);
        w.WriteNumber("size"u8, reference.Size);
        if (reference.Inline is { } inline)
        {
            w.WriteBase64String("inline"u8, inline);
        }

        w.WriteEndObject();
    }

    private static RunRecord ReadRun(ref Utf8JsonReader r)
    {
        Expect(ref r, JsonTokenType.StartObject, "a run record");
        string? flow = null, runId = null, user = null, origin = null, failed = null;
        var status = RunStatus.Running;
        IReadOnlyList<string> tags = [], systemTags = [], resumed = [];
        IReadOnlyDictionary<string, ArtifactRef> parameters = new Dictionary<string, ArtifactRef>(StringComparer.Ordinal);
        DateTimeOffset started = default;
        DateTimeOffset? finished = null;
        while (NextProperty(ref r) is { } name)
        {
            if (Is(name, "flow")) flow = ReadString(ref r, name);
            else if (Is(name, "runId")) runId = ReadString(ref r, name);
            else if (Is(name, "user")) user = ReadString(ref r, name);
            else if (Is(name, "status")) status = ReadStatus(ref r, name);
            else if (Is(name, "tags")) tags = ReadStrings(ref r, name);
            else if (Is(name, "systemTags")) systemTags = ReadStrings(ref r, name);
            else if (Is(name, "parameters")) parameters = ReadArtifacts(ref r, name);
            else if (Is(name, "startedAt")) started = ReadTime(ref r, name) ?? default;
            else if (Is(name, "finishedAt")) finished = ReadTime(ref r, name);
            else if (Is(name, "originRunId")) origin = ReadString(ref r, name);
            else if (Is(name, "resumedSteps")) resumed = ReadStrings(ref r, name);
            else if (Is(name, "failedTask")) failed = ReadString(ref r, name);
            else r.Skip();
        }

        return new RunRecord
        {
            Flow = Required(flow, "flow"),
            RunId = Required(runId, "runId"),
            User = Required(user, "user"),
            Status = status,
            Tags = tags,
            SystemTags = systemTags,
            Parameters = parameters,
            StartedAt = started,
            FinishedAt = finished,
            OriginRunId = origin,
            ResumedSteps = resumed,
            FailedTask = failed,
        };
    }

    private static TaskRecord ReadTask(ref Utf8JsonReader r)
    {
        Expect(ref r, JsonTokenType.StartObject, "a task record");
        string? flow = null, runId = null, step = null, position = null, cloned = null, cacheKey = null;
        long? taskId = null;
        var status = RunStatus.Running;
        int attempt = 0, iteration = 0, index = 0;
        ArtifactRef? item = null;
        IReadOnlyList<string> inputs = [], next = [];
        IReadOnlyDictionary<string, ArtifactRef> artifacts = new Dictionary<string, ArtifactRef>(StringComparer.Ordinal);
        IReadOnlyList<ArtifactRef>? elements = null;
        StepError? error = null;
        DateTimeOffset started = default, finished = default;
        while (NextProperty(ref r) is { } name)
        {
            if (Is(name, "flow")) flow = ReadString(ref r, name);
            else if (Is(name, "runId")) runId = ReadString(ref r, name);
            else if (Is(name, "step")) step = ReadString(ref r, name);
            else if (Is(name, "taskId")) taskId = ReadLong(ref r, name);
            else if (Is(name, "position")) position = ReadString(ref r, name);
            else if (Is(name, "status")) status = ReadStatus(ref r, name);
            else if (Is(name, "attempt")) attempt = ReadInt(ref r, name) ?? 0;
            else if (Is(name, "iteration")) iteration = ReadInt(ref r, name) ?? 0;
            else if (Is(name, "item")) item = HasValue(ref r, name) ? ReadArtifact(ref r, name) : null;
            else if (Is(name, "index")) index = ReadInt(ref r, name) ?? 0;
            else if (Is(name, "inputs")) inputs = ReadStrings(ref r, name);
            else if (Is(name, "artifacts")) artifacts = ReadArtifacts(ref r, name);
            else if (Is(name, "next")) next = ReadStrings(ref r, name);
            else if (Is(name, "foreachElements")) elements = ReadArtifactList(ref r, name);
            else if (Is(name, "error")) error = ReadError(ref r, name);
            else if (Is(name, "startedAt")) started = ReadTime(ref r, name) ?? default;
            else if (Is(name, "finishedAt")) finished = ReadTime(ref r, name) ?? default;
            else if (Is(name, "clonedFrom")) cloned = ReadString(ref r, name);
            else if (Is(name, "cacheKey")) cacheKey = ReadString(ref r, name);
            else r.Skip();
        }

        return new TaskRecord
        {
            Flow = Required(flow, "flow"),
            RunId = Required(runId, "runId"),
            Step = Required(step, "step"),
            TaskId = taskId ?? throw new RecordException("it has no 'taskId'"),
            Position = Required(position, "position"),
            Status = status,
            Attempt = attempt,
            Iteration = iteration,
            Item = item,
            Index = index,
            Inputs = inputs,
            Artifacts = artifacts,
            Next = next,
            ForeachElements = elements,
            Error = error,
            StartedAt = started,
            FinishedAt = finished,
            ClonedFrom = cloned,
            CacheKey = cacheKey,
        };
    }

    private static TaskRequest ReadRequest(ref Utf8JsonReader r)
    {
        Expect(ref r, JsonTokenType.StartObject, "a task request");
        string? runId = null, step = null, position = null;
        long? taskId = null;
        int attempt = 0, iteration = 0, index = 0;
        int? foreachIndex = null;
        var checkedInputs = false;
        var withCard = false;
        string? requestKey = null;
        IReadOnlyList<string> inputs = [];
        IReadOnlyList<int> branches = [];
        IReadOnlyDictionary<string, string> environment = new Dictionary<string, string>(StringComparer.Ordinal);
        while (NextProperty(ref r) is { } name)
        {
            if (Is(name, "runId")) runId = ReadString(ref r, name);
            else if (Is(name, "step")) step = ReadString(ref r, name);
            else if (Is(name, "taskId")) taskId = ReadLong(ref r, name);
            else if (Is(name, "attempt")) attempt = ReadInt(ref r, name) ?? 0;
            else if (Is(name, "iteration")) iteration = ReadInt(ref r, name) ?? 0;
            else if (Is(name, "position")) position = ReadString(ref r, name);
            else if (Is(name, "index")) index = ReadInt(ref r, name) ?? 0;
            else if (Is(name, "inputs")) inputs = ReadStrings(ref r, name);
            else if (Is(name, "foreachIndex")) foreachIndex = ReadInt(ref r, name);
            else if (Is(name, "inputBranches")) branches = ReadInts(ref r, name);
            else if (Is(name, "inputsChecked")) checkedInputs = ReadBool(ref r, name);
            else if (Is(name, "withCard")) withCard = ReadBool(ref r, name);
            else if (Is(name, "cacheKey")) requestKey = ReadString(ref r, name);
            else if (Is(name, "environment")) environment = ReadStringMap(ref r, name);
            else r.Skip();
        }

        return new TaskRequest
        {
            RunId = Required(runId, "runId"),
            Step = Required(step, "step"),
            TaskId = taskId ?? throw new RecordException("it has no 'taskId'"),
            Attempt = attempt,
            Iteration = iteration,
            Position = Required(position, "position"),
            Index = index,
            Inputs = inputs,
            ForeachIndex = foreachIndex,
            InputBranches = branches,
            InputsChecked = checkedInputs,
            Environment = environment,
            WithCard = withCard,
            CacheKey = requestKey,
        };
    }

    private static StepError? ReadError(ref Utf8JsonReader r, string property)
    {
        if (!HasValue(ref r, property))
        {
            return null;
        }

        Expect(ref r, JsonTokenType.StartObject, $"'{property}'");
        var error = new StepError();
        while (NextProperty(ref r) is { } name)
        {
            if (Is(name, "type")) error.Type = ReadString(ref r, name) ?? "";
            else if (Is(name, "message")) error.Message = ReadString(ref r, name) ?? "";
            else if (Is(name, "stackTrace")) error.StackTrace = ReadString(ref r, name);
            else if (Is(name, "step")) error.Step = ReadString(ref r, name) ?? "";
            else r.Skip();
        }

        return error;
    }

    private static ArtifactRef ReadArtifact(ref Utf8JsonReader r, string property)
    {
        Expect(ref r, JsonTokenType.StartObject, $"an artifact in '{property}'");
        string? key = null, type = null;
        long? size = null;
        byte[]? inline = null;
        while (NextProperty(ref r) is { } name)
        {
            if (Is(name, "key")) key = ReadString(ref r, name);
            else if (Is(name, "type")) type = ReadString(ref r, name);
            else if (Is(name, "size")) size = ReadLong(ref r, name);
            else if (Is(name, "inline")) inline = ReadBase64(ref r, name);
            else r.Skip();
        }

        return new ArtifactRef(
            key ?? throw new RecordException($"an artifact in '{property}' has no 'key'"),
            type ?? throw new RecordException($"an artifact in '{property}' has no 'type'"),
            size ?? throw new RecordException($"an artifact in '{property}' has no 'size'"))
        {
            Inline = inline,
        };
    }

    private static Dictionary<string, ArtifactRef> ReadArtifacts(ref Utf8JsonReader r, string property)
    {
        var artifacts = new Dictionary<string, ArtifactRef>(StringComparer.Ordinal);
        if (!StartCollection(ref r, JsonTokenType.StartObject, property))
        {
            return artifacts;
        }

        while (NextProperty(ref r) is { } name)
        {
            Advance(ref r, property);
            artifacts[name] = ReadArtifact(ref r, $"{property}.{name}");
        }

        return artifacts;
    }

    private static List<ArtifactRef>? ReadArtifactList(ref Utf8JsonReader r, string property)
    {
        if (!HasValue(ref r, property))
        {
            return null;
        }

        Expect(ref r, JsonTokenType.StartArray, $"'{property}'");
        var list = new List<ArtifactRef>();
        while (NextItem(ref r, property))
        {
            list.Add(ReadArtifact(ref r, property));
        }

        return list;
    }

    private static Dictionary<string, string> ReadStringMap(ref Utf8JsonReader r, string property)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!StartCollection(ref r, JsonTokenType.StartObject, property))
        {
            return map;
        }

        while (NextProperty(ref r) is { } name)
        {
            map[name] = ReadString(ref r, $"{property}.{name}") ?? throw new RecordException($"'{property}.{name}' is null");
        }

        return map;
    }

    private static List<string> ReadStrings(ref Utf8JsonReader r, string property)
    {
        var list = new List<string>();
        if (!StartCollection(ref r, JsonTokenType.StartArray, property))
        {
            return list;
        }

        while (NextItem(ref r, property))
        {
            list.Add(r.TokenType == JsonTokenType.String ? r.GetString()! : throw new RecordException($"'{property}' holds a {Describe(r.TokenType)} where a string belongs"));
        }

        return list;
    }

    private static List<int> ReadInts(ref Utf8JsonReader r, string property)
    {
        var list = new List<int>();
        if (!StartCollection(ref r, JsonTokenType.StartArray, property))
        {
            return list;
        }

        while (NextItem(ref r, property))
        {
            list.Add(Int(ref r, property));
        }

        return list;
    }

    // Reads up to a collection's start; false (an empty collection) for null.
    private static bool StartCollection(ref Utf8JsonReader r, JsonTokenType start, string property)
    {
        if (!HasValue(ref r, property))
        {
            return false;
        }

        Expect(ref r, start, $"'{property}'");
        return true;
    }

    // Moves to the next element of an array; false at its end.
    private static bool NextItem(ref Utf8JsonReader r, string property)
    {
        Advance(ref r, property);
        return r.TokenType != JsonTokenType.EndArray;
    }

    // Moves to the value of a property (or an element), which must be there.
    private static void Advance(ref Utf8JsonReader r, string property)
    {
        if (!r.Read())
        {
            throw new RecordException($"it ends in '{property}'");
        }
    }

    // Moves to the value of a property; false when it is null.
    private static bool HasValue(ref Utf8JsonReader r, string property)
    {
        Advance(ref r, property);
        return r.TokenType != JsonTokenType.Null;
    }

    // Moves to the next property of an object and returns its name, positioned before its value; null at the object's end.
    private static string? NextProperty(ref Utf8JsonReader r)
    {
        if (!r.Read())
        {
            throw new RecordException("it ends in the middle");
        }

        return r.TokenType == JsonTokenType.EndObject ? null : r.GetString();
    }

    private static string? ReadString(ref Utf8JsonReader r, string property)
    {
        if (!HasValue(ref r, property))
        {
            return null;
        }

        return r.TokenType == JsonTokenType.String ? r.GetString() : throw new RecordException($"'{property}' is a {Describe(r.TokenType)}, not a string");
    }

    private static long? ReadLong(ref Utf8JsonReader r, string property)
    {
        if (!HasValue(ref r, property))
        {
            return null;
        }

        if (r.TokenType == JsonTokenType.Number && r.TryGetInt64(out var number))
        {
            return number;
        }

        if (r.TokenType == JsonTokenType.String && long.TryParse(r.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out number))
        {
            return number;
        }

        throw new RecordException($"'{property}' is not a whole number");
    }

    private static int? ReadInt(ref Utf8JsonReader r, string property)
    {
        return HasValue(ref r, property) ? Int(ref r, property) : null;
    }

    private static int Int(ref Utf8JsonReader r, string property)
    {
        if (r.TokenType == JsonTokenType.Number && r.TryGetInt32(out var number))
        {
            return number;
        }

        if (r.TokenType == JsonTokenType.String && int.TryParse(r.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out number))
        {
            return number;
        }

        throw new RecordException($"'{property}' holds something other than a whole number");
    }

    private static bool ReadBool(ref Utf8JsonReader r, string property)
    {
        Advance(ref r, property);
        return r.TokenType switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False or JsonTokenType.Null => false,
            _ => throw new RecordException($"'{property}' is a {Describe(r.TokenType)}, not true or false"),
        };
    }

    private static DateTimeOffset? ReadTime(ref Utf8JsonReader r, string property)
    {
        if (!HasValue(ref r, property))
        {
            return null;
        }

        return r.TokenType == JsonTokenType.String && r.TryGetDateTimeOffset(out var time)
            ? time
            : throw new RecordException($"'{property}' is not a date and time");
    }

    private static byte[]? ReadBase64(ref Utf8JsonReader r, string property)
    {
        if (!HasValue(ref r, property))
        {
            return null;
        }

        return r.TokenType == JsonTokenType.String && r.TryGetBytesFromBase64(out var bytes)
            ? bytes
            : throw new RecordException($"'{property}' is not base64 data");
    }

    private static RunStatus ReadStatus(ref Utf8JsonReader r, string property)
    {
        Advance(ref r, property);
        if (r.TokenType == JsonTokenType.String)
        {
            var text = r.GetString();
            if (Is(text, nameof(RunStatus.Running))) return RunStatus.Running;
            if (Is(text, nameof(RunStatus.Succeeded))) return RunStatus.Succeeded;
            if (Is(text, nameof(RunStatus.Failed))) return RunStatus.Failed;
        }
        else if (r.TokenType == JsonTokenType.Number && r.TryGetInt32(out var number) && number is >= (int)RunStatus.Running and <= (int)RunStatus.Failed)
        {
            return (RunStatus)number;
        }

        throw new RecordException($"'{property}' is not Running, Succeeded or Failed");
    }

    private static void Expect(ref Utf8JsonReader r, JsonTokenType type, string what)
    {
        if (r.TokenType != type)
        {
            throw new RecordException($"{what} is a {Describe(r.TokenType)}, not {(type == JsonTokenType.StartArray ? "an array" : "an object")}");
        }
    }

    private static string Required(string? value, string property) =>
        value ?? throw new RecordException($"it has no '{property}'");

    private static bool Is(string? name, string expected) => string.Equals(name, expected, StringComparison.OrdinalIgnoreCase);

    private static string Describe(JsonTokenType type) => type switch
    {
        JsonTokenType.StartObject => "object",
        JsonTokenType.StartArray => "array",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        JsonTokenType.Null => "null",
        _ => type.ToString(),
    };

    /// <summary>A record that is well-formed JSON but not a record of its kind.</summary>
    private sealed class RecordException(string message) : Exception(message);
}
