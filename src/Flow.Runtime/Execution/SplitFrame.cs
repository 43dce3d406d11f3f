namespace Flow.Execution;

/// <summary>One open split a task is inside of; frames chain outwards to the outermost split.</summary>
internal sealed record SplitFrame(string SplitStep, long SplitTaskId, int Count, int Branch, int ParentIndex, SplitFrame? Outer)
{
    public string Path => Outer is null ? Branch.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{Outer.Path}.{Branch}";
}
