namespace Flow.TestFlows;

/// <summary>A foreach inside a foreach, each element of the outer one with a step of its own before the inner one fans out.</summary>
public partial class NestedFlow : FlowSpec
{
    public List<int> Outer { get; set; } = [];

    public List<int> Inner { get; set; } = [];

    public int Base { get; set; }

    public int Cell { get; set; }

    public int Row { get; set; }

    public List<int> Rows { get; set; } = [];

    [Step]
    [Foreach(nameof(Outer))]
    public void Start()
    {
        Outer = [1, 2, 3];
        Next(Prepare);
    }

    [Step]
    public void Prepare(int outer)
    {
        Base = outer * 10;
        Next(Spread);
    }

    [Step]
    [Foreach(nameof(Inner))]
    public void Spread()
    {
        Inner = [Base, Base + 1];
        Next(Multiply);
    }

    [Step]
    public void Multiply(int inner)
    {
        Cell = inner * 2;
        Next(JoinCells);
    }

    [Step]
    public void JoinCells(JoinInputs<NestedFlow> inputs)
    {
        Row = inputs.Sum(i => i.Cell);
        Next(JoinRows);
    }

    [Step]
    public void JoinRows(JoinInputs<NestedFlow> inputs)
    {
        Rows = inputs.Select(i => i.Row).ToList();
        Next(End);
    }

    [Step]
    public void End() => Console.WriteLine($"rows = {string.Join(",", Rows)}");
}
