using Flow;

namespace Bench;

/// <summary>The seed branch flow (as in samples/BranchFlow): start fans out to A and B, the join takes the larger X.</summary>
public partial class BranchFlow : FlowSpec
{
    public int X { get; set; }

    public int Out { get; set; }

    [Step]
    public void Start()
    {
        X = 0;
        Next(A, B);
    }

    [Step]
    public void A()
    {
        X += 2;
        Next(Join);
    }

    [Step]
    public void B()
    {
        X += 3;
        Next(Join);
    }

    [Step]
    public void Join(JoinInputs<BranchFlow> inputs)
    {
        Out = inputs.Max(i => i.X);
        Next(End);
    }

    [Step]
    public void End() => Console.WriteLine($"out = {Out}");
}
