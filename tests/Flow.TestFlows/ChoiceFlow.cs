namespace Flow.TestFlows;

/// <summary>
/// A conditional step (<see cref="Choose"/> goes to <see cref="Low"/> or <see cref="High"/>, as its parameter says),
/// both ways meeting again at <see cref="Merge"/>; it runs daily at 06:30, and <see cref="High"/> has an environment
/// variable and a timeout. Deployed to Argo by the tests, which run its manifest.
/// </summary>
[Schedule(Cron = "30 6 * * *")]
public partial class ChoiceFlow : FlowSpec
{
    [Parameter(Help = "The number to classify.")]
    public int Number { get; set; } = 7;

    public string Verdict { get; set; } = "";

    public int Score { get; set; }

    [Step]
    public void Start()
    {
        Score = Number * 2;
        Next(Choose);
    }

    [Step]
    public void Choose()
    {
        if (Number < 10)
        {
            Next(Low);
        }
        else
        {
            Next(High);
        }
    }

    [Step]
    public void Low()
    {
        Verdict = "low";
        Next(Merge);
    }

    [Step]
    [Environment("FLOW_TEST_VERDICT", "high")]
    [Timeout(Seconds = 120)]
    public void High()
    {
        Verdict = Environment.GetEnvironmentVariable("FLOW_TEST_VERDICT") ?? "unset";
        Next(Merge);
    }

    [Step]
    public void Merge()
    {
        Score += Verdict.Length;
        Next(End);
    }

    [Step]
    public void End() => Console.WriteLine($"{Number} is {Verdict}, score {Score}");
}
