namespace Flow.TestFlows;

/// <summary>A run whose every artifact follows from its parameter, so that two runs at once can be told apart.</summary>
public partial class ParamFlow : FlowSpec
{
    [Parameter(Required = true)]
    public int Seed { get; set; }

    /// <summary>A parameter without a default (null) unless given.</summary>
    [Parameter(Help = "A note; none unless given.")]
    public string? Note { get; set; }

    public List<int> Items { get; set; } = [];

    public int Value { get; set; }

    public List<int> Values { get; set; } = [];

    [Step]
    [Foreach(nameof(Items))]
    public void Start()
    {
        Items = Enumerable.Range(0, 6).Select(i => (Seed * 100) + i).ToList();
        Next(Work);
    }

    [Step]
    public void Work(int item)
    {
        Faults.Inject(item, Current.Attempt);
        Value = (item * 2) + Seed;
        Next(Join);
    }

    [Step]
    public void Join(JoinInputs<ParamFlow> inputs)
    {
        Values = inputs.Select(i => i.Value).ToList();
        Next(End);
    }

    [Step]
    public void End() => Console.WriteLine($"seed {Seed}: values = {string.Join(",", Values)}");
}
