namespace Flow.TestFlows;

/// <summary>A loop with two ways out (<see cref="Found"/> or <see cref="GaveUp"/>), which Argo's loop template cannot follow: deploy argo refuses it.</summary>
public partial class PollFlow : FlowSpec
{
    public int Tries { get; set; }

    [Step]
    public void Start()
    {
        Tries = 0;
        Next(Poll);
    }

    [Step]
    public void Poll()
    {
        Tries += 1;
        if (Tries < 3)
        {
            Next(Poll);
        }
        else if (Tries % 2 == 1)
        {
            Next(Found);
        }
        else
        {
            Next(GaveUp);
        }
    }

    [Step]
    public void Found() => Next(End);

    [Step]
    public void GaveUp() => Next(End);

    [Step]
    public void End() => Console.WriteLine($"tries = {Tries}");
}
