namespace Flow.Datastore;

/// <summary>
/// Where each record, log and blob lives in a datastore, as keys relative to its root with <c>/</c> between parts:
/// file paths under a local root, object keys under an S3 prefix. Both stores write exactly these keys.
/// </summary>
public static class DatastoreLayout
{
    /// <summary>The folder of content-addressed blobs.</summary>
    public const string BlobFolder = "blobs";

    /// <summary>A blob: <c>blobs/XX/HASH</c>, the first two hex digits of the hash as a folder, then the whole hash.</summary>
    public static string Blob(string key) => $"{BlobFolder}/{CheckBlobKey(key)[..2]}/{key}";

    /// <summary>
    /// Where local datastores written before the layout was shared kept a blob: <c>blobs/XX/REST</c>, without the
    /// two digits the folder already names. Only read, never written.
    /// </summary>
    public static string EarlierLocalBlob(string key) => $"{BlobFolder}/{CheckBlobKey(key)[..2]}/{key[2..]}";

    /// <summary>The folder of a flow's runs: <c>FLOW</c>.</summary>
    public static string FlowFolder(string flow) => Ids.Check(flow, "flow name");

    /// <summary>The folder of one run: <c>FLOW/RUN</c>.</summary>
    public static string RunFolder(string flow, string runId) => $"{FlowFolder(flow)}/{Ids.Check(runId, "run id")}";

    /// <summary>The record of a run: <c>FLOW/RUN/run.json</c>.</summary>
    public static string RunFile(string flow, string runId) => $"{RunFolder(flow, runId)}/run.json";

    /// <summary>The folder of a run's task records: <c>FLOW/RUN/tasks</c>.</summary>
    public static string TaskFolder(string flow, string runId) => $"{RunFolder(flow, runId)}/tasks";

    /// <summary>The record of a task: <c>FLOW/RUN/tasks/STEP.TASK.json</c>.</summary>
    public static string TaskFile(string flow, string runId, string step, long taskId) =>
        $"{TaskFolder(flow, runId)}/{Ids.Check(step, "step name")}.{taskId}.json";

    /// <summary>One stream of a task attempt's output: <c>FLOW/RUN/logs/STEP.TASK.ATTEMPT.stdout</c> (or <c>.stderr</c>).</summary>
    public static string LogFile(string flow, string runId, string step, long taskId, int attempt, string stream) =>
        $"{RunFolder(flow, runId)}/logs/{Ids.Check(step, "step name")}.{taskId}.{attempt}.{(stream is "stdout" or "stderr" ? stream : throw new ArgumentException("stdout or stderr", nameof(stream)))}";

    private static string CheckBlobKey(string key) =>
        key.Length == 64 && key.All(char.IsAsciiHexDigitLower) ? key : throw new FlowException($"'{key}' is not a blob key (a lower-case SHA-256).");
}
