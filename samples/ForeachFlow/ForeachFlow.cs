using Flow;

namespace Samples;

/// <summary>The seed foreach flow: one task per element of Grid, the join takes the largest character code.</summary>
public partial class ForeachFlow : FlowSpec
{
    public List<string> Grid { get; set; } = [];

    public int X { get; set; }

    public int Out { get; set; }

    [Step]
    [Foreach(nameof(Grid))]
    public void Start()
    {
        Grid = ["x", "y", "z"];
        Next(A);
    }

    [Step]
    public void A(string item)
    {
        X = item[0];
        Next(Join);
    }

    [Step]
    public void Join(JoinInputs<ForeachFlow> inputs)
    {
        Out = inputs.Max(i => i.X);
        Next(End);
    }

    [Step]
    public void End() => Console.WriteLine($"out = {Out}");
}
