namespace Flow.TestFlows;

/// <summary>
/// A step chosen by a conditional step whose other parent can run without that step: <see cref="Target"/> follows
/// <see cref="Pick"/> (which <see cref="Start"/> may skip) and <see cref="Around"/>. Argo could not read Pick's choice
/// when Pick did not run: deploy argo refuses it, naming the fix.
/// </summary>
public partial class DetourFlow : FlowSpec
{
    public int Value { get; set; }

    [Step]
    public void Start()
    {
        Value = 1;
        if (Value > 0)
        {
            Next(Pick);
        }
        else
        {
            Next(Around);
        }
    }

    [Step]
    public void Pick()
    {
        if (Value > 0)
        {
            Next(Target);
        }
        else
        {
            Next(Other);
        }
    }

    [Step]
    public void Around() => Next(Target);

    [Step]
    public void Target() => Next(End);

    [Step]
    public void Other() => Next(End);

    [Step]
    public void End() => Console.WriteLine($"value = {Value}");
}
