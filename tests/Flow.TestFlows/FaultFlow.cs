namespace Flow.TestFlows;

/// <summary>A foreach whose children misbehave as <see cref="Faults"/> is told; no retries.</summary>
public partial class FaultFlow : FlowSpec
{
    public List<int> Items { get; set; } = [];

    public int Square { get; set; }

    public int Total { get; set; }

    /// <summary>Large enough to be stored as a blob of its own (small values live in the task record).</summary>
    public string Report { get; set; } = "";

    public string Summary { get; set; } = "";

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
        Report = $"item {item}, square {Square}: "
            + string.Concat(Enumerable.Range(0, 10).Select(k => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(new byte[] { (byte)item, (byte)k }))));
        Next(Join);
    }

    [Step]
    public void Join(JoinInputs<FaultFlow> inputs)
    {
        Total = inputs.Sum(i => i.Square);
        Summary = string.Join("\n", inputs.Select(i => i.Report));
        Next(End);
    }

    [Step]
    public void End() => Console.WriteLine($"total = {Total}, summary of {Summary.Split('\n').Length}");
}
