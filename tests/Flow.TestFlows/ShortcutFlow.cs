namespace Flow.TestFlows;

/// <summary>
/// A conditional step that may skip a step: <see cref="Finish"/> follows <see cref="Choose"/> or <see cref="Extra"/>.
/// Argo cannot tell which of its parents ran from its DAG alone: deploy argo refuses it, naming the fix.
/// </summary>
public partial class ShortcutFlow : FlowSpec
{
    public int Value { get; set; }

    [Step]
    public void Start()
    {
        Value = 1;
        Next(Choose);
    }

    [Step]
    public void Choose()
    {
        if (Value > 0)
        {
            Next(Extra);
        }
        else
        {
            Next(Finish);
        }
    }

    [Step]
    public void Extra()
    {
        Value += 1;
        Next(Finish);
    }

    [Step]
    public void Finish() => Next(End);

    [Step]
    public void End() => Console.WriteLine($"value = {Value}");
}
