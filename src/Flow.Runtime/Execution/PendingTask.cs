namespace Flow.Execution;

/// <summary>A task ready to run (or to clone): its step, its inputs, and where in the graph it stands.</summary>
internal sealed record PendingTask(string Step, IReadOnlyList<string> Inputs, IReadOnlyList<int> Branches, int? ForeachIndex, int Index, SplitFrame? Frame)
{
    public string Position => $"{Step}/{Frame?.Path}";
}
