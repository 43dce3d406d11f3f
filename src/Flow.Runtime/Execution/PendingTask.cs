namespace Flow.Execution;

/// <summary>A task ready to run (or to clone): its step, its inputs, and where in the graph it stands.</summary>
internal sealed record PendingTask(string Step, IReadOnlyList<string> Inputs, IReadOnlyList<int> Branches, int? ForeachIndex, int Index, SplitFrame? Frame)
{
    /// <summary>For a loop step: which pass through the loop this task is (0 for the first).</summary>
    public int Iteration { get; init; }

    /// <summary>The step and the branches taken at each enclosing split, and for a loop's repetitions <c>#ITERATION</c>.</summary>
    public string Position => Iteration == 0
        ? $"{Step}/{Frame?.Path}"
        : $"{Step}/{Frame?.Path}#{Iteration.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}
