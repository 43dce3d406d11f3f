namespace Flow.TestFlows;

/// <summary>A step stuck in a tight CPU loop, with a timeout that must stop it.</summary>
public partial class HangFlow : FlowSpec
{
    [Step]
    public void Start() => Next(Spin);

    [Step]
    [Timeout(Seconds = 3)]
    public void Spin()
    {
        Console.WriteLine("spinning");
        Faults.Spin();
        Next(End);
    }

    [Step]
    public void End()
    {
    }
}
