namespace Flow.TestFlows;

/// <summary>A step that hangs in its first attempt only: the timeout stops it and the retry finishes it.</summary>
public partial class StuckOnceFlow : FlowSpec
{
    public int Attempts { get; set; }

    [Step]
    public void Start() => Next(Spin);

    [Step]
    [Timeout(Seconds = 2)]
    [Retry(Times = 1)]
    public void Spin()
    {
        if (Current.Attempt == 0)
        {
            Faults.Spin();
        }

        Attempts = Current.Attempt + 1;
        Next(End);
    }

    [Step]
    public void End() => Console.WriteLine($"attempts = {Attempts}");
}
