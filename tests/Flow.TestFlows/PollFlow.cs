namespace Flow.TestFlows;

/// <summary>
/// A loop with two ways out: <see cref="Poll"/> goes round until it has tried <see cref="Limit"/> times, then leaves by
/// <see cref="Found"/> (an odd number of tries) or <see cref="GaveUp"/> (an even one), both ways meeting again at
/// <see cref="End"/>. Deployed to Argo by the tests, whose loop template tells its caller which way it left.
/// </summary>
public partial class PollFlow : FlowSpec
{
    [Parameter(Help = "How many times to poll before leaving the loop.")]
    public int Limit { get; set; } = 3;

    public int Tries { get; set; }

    public string Outcome { get; set; } = "";

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
        if (Tries < Limit)
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
    public void Found()
    {
        Outcome = "found";
        Next(End);
    }

    [Step]
    public void GaveUp()
    {
        Outcome = "gave up";
        Next(End);
    }

    [Step]
    public void End() => Console.WriteLine($"tries = {Tries}, {Outcome}");
}
