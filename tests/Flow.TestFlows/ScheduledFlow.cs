namespace Flow.TestFlows;

/// <summary>A flow in a project with a schedule and a date parameter: what a production deployment runs, and backfills.</summary>
[Project("nightly_titles")]
[Schedule(Cron = "0 3 * * *")]
public partial class ScheduledFlow : FlowSpec
{
    [Parameter(Help = "The day to compute.")]
    public string Day { get; set; } = "today";

    public string Report { get; set; } = "";

    [Step]
    public void Start()
    {
        Report = $"titles of {Day}";
        Next(End);
    }

    [Step]
    public void End() => Console.WriteLine(Report);
}
