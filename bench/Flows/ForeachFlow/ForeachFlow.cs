using Flow;

namespace Bench;

/// <summary>A foreach over --count integers with trivial work per item: measures what a task costs.</summary>
public partial class ForeachFlow : FlowSpec
{
    [Parameter(Help = "How many items the foreach fans out to.")]
    public int Count { get; set; } = 100;

    public List<int> Items { get; set; } = [];

    public long Square { get; set; }

    public long Total { get; set; }

    [Step]
    [Foreach(nameof(Items))]
    public void Start()
    {
        Items = Enumerable.Range(0, Count).ToList();
        Next(Work);
    }

    [Step]
    public void Work(int item)
    {
        Square = (long)item * item;
        Next(Join);
    }

    [Step]
    public void Join(JoinInputs<ForeachFlow> inputs)
    {
        Total = inputs.Sum(i => i.Square);
        Next(End);
    }

    [Step]
    public void End() => Console.WriteLine($"total = {Total}");
}
