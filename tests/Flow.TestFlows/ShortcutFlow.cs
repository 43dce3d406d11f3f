namespace Flow.TestFlows;

/// <summary>
/// A conditional step that may skip a step: <see cref="Finish"/> follows <see cref="Choose"/> (when <see cref="Initial"/>
/// is not positive) or <see cref="Extra"/>, which comes after it. Deployed to Argo by the tests, where
/// <see cref="Finish"/> runs when Choose chose it or Extra succeeded.
/// </summary>
public partial class ShortcutFlow : FlowSpec
{
    [Parameter(Help = "The value to start from; a positive one goes through Extra.")]
    public int Initial { get; set; } = 1;

    public int Value { get; set; }

    [Step]
    public void Start()
    {
        Value = Initial;
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
    public void Finish()
    {
        Value *= 10;
        Next(End);
    }

    [Step]
    public void End() => Console.WriteLine($"value = {Value}");
}
