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

    /// <summary>Reads a task record's file name back (<c>STEP.TASK.json</c>) as its step and task id; null for anything else.</summary>
    internal static (string Step, long TaskId)? ParseTaskFile(string name)
    {
        if (!name.EndsWith(".json", StringComparison.Ordinal))
        {
            return null;
        }

        var stem = name[..^".json".Length];
        var dot = stem.LastIndexOf('.');
        return dot > 0 && Ids.IsValid(stem[..dot])
            && long.TryParse(stem.AsSpan(dot + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var task)
            ? (stem[..dot], task)
            : null;
    }

    /// <summary>One stream of a task attempt's output: <c>FLOW/RUN/logs/STEP.TASK.ATTEMPT.stdout</c> (or <c>.stderr</c>).</summary>
    public static string LogFile(string flow, string runId, string step, long taskId, int attempt, string stream) =>
        $"{RunFolder(flow, runId)}/logs/{Ids.Check(step, "step name")}.{taskId}.{attempt}.{(stream is "stdout" or "stderr" ? stream : throw new ArgumentException("stdout or stderr", nameof(stream)))}";

    private static string CheckBlobKey(string key) =>
        key.Length == 64 && key.All(char.IsAsciiHexDigitLower) ? key : throw new FlowException($"'{key}' is not a blob key (a lower-case SHA-256).");

    /// <summary>The folder of a run's cards: <c>FLOW/RUN/cards</c>.</summary>
    public static string CardFolder(string flow, string runId) => $"{RunFolder(flow, runId)}/cards";

    /// <summary>One card of a task attempt: <c>FLOW/RUN/cards/STEP.TASK.ATTEMPT.ID.html</c>, a self-contained HTML file.</summary>
    public static string CardFile(string flow, string runId, string step, long taskId, int attempt, string id) =>
        $"{CardFolder(flow, runId)}/{Ids.Check(step, "step name")}.{taskId}.{attempt}.{CheckCardId(id)}.html";

    /// <summary>
    /// A card id: 1 to 100 letters, digits, <c>_</c> and <c>-</c> (no <c>.</c>, so that a card's file name reads back
    /// unambiguously, and nothing that leaves the folder).
    /// </summary>
    public static bool IsCardId(string? id) =>
        id is { Length: > 0 and <= 100 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    /// <summary>Reads a card's file name back (<c>STEP.TASK.ATTEMPT.ID.html</c>); null for anything else.</summary>
    public static Flow.Cards.CardInfo? ParseCardFile(string name, long size)
    {
        if (!name.EndsWith(".html", StringComparison.Ordinal))
        {
            return null;
        }

        var parts = name[..^".html".Length].Split('.');
        if (parts.Length < 4)
        {
            return null;
        }

        var id = parts[^1];
        var step = string.Join('.', parts[..^3]);
        return IsCardId(id) && Ids.IsValid(step)
            && int.TryParse(parts[^2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var attempt)
            && long.TryParse(parts[^3], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var task)
            ? new Flow.Cards.CardInfo(step, task, attempt, id, size)
            : null;
    }

    private static string CheckCardId(string id) =>
        IsCardId(id) ? id : throw new FlowException($"'{id}' is not a card id; an id is 1 to 100 letters, digits, '_' and '-'.");
}
