using Flow;

namespace MyFlow;

/// <summary>
/// A flow: Start fans out to A and B, which run in parallel; Join takes the larger X; End prints it.
/// Run it with <c>dotnet run -- run</c>, print its graph with <c>dotnet run -- show</c>.
/// </summary>
public partial class BranchFlow : FlowSpec
{
    // Public read-write properties are artifacts: stored after every step, handed to the next ones.
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
