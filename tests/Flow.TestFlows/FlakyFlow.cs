namespace Flow.TestFlows;

/// <summary>The same foreach as <see cref="FaultFlow"/>, with retries on the children.</summary>
public partial class FlakyFlow : FlowSpec
{
    public List<int> Items { get; set; } = [];

    public int Square { get; set; }

    public int Attempts { get; set; }

    public int Total { get; set; }

    public int Retried { get; set; }

    [Step]
    [Foreach(nameof(Items))]
    public void Start()
    {
        Items = [0, 1, 2];
        Next(Work);
    }

    [Step]
    [Retry(Times = 2)]
    public void Work(int item)
    {
        Faults.Inject(item, Current.Attempt);
        Square = item * item;
        Attempts = Current.Attempt + 1;
        Next(Join);
    }

    [Step]
    public void Join(JoinInputs<FlakyFlow> inputs)
    {
        Total = inputs.Sum(i => i.Square);
        Retried = inputs.Count(i => i.Attempts > 1);
        Next(End);
    }

    [Step]
    public void End() => Console.WriteLine($"total = {Total}, retried = {Retried}");
}
