namespace Flow.TestFlows;

/// <summary>A foreach whose children misbehave as <see cref="Faults"/> is told; no retries.</summary>
public partial class FaultFlow : FlowSpec
{
    public List<int> Items { get; set; } = [];

    public int Square { get; set; }

    public int Total { get; set; }

    [Step]
    [Foreach(nameof(Items))]
    public void Start()
    {
        Items = Enumerable.Range(0, int.TryParse(Environment.GetEnvironmentVariable("FLOW_TEST_ITEMS"), out var n) ? n : 4).ToList();
        Next(Work);
    }

    [Step]
    public void Work(int item)
    {
        Faults.Inject(item, Current.Attempt);
        Square = item * item;
        Next(Join);
    }

    [Step]
    public void Join(JoinInputs<FaultFlow> inputs)
    {
        Total = inputs.Sum(i => i.Square);
        Next(End);
    }

    [Step]
    public void End() => Console.WriteLine($"total = {Total}");
}
