using Flow;

namespace Bench;

/// <summary>The seed branch flow whose join fails while FLOW_BENCH_FAIL_JOIN is 1, so a run can fail there and be resumed.</summary>
public partial class ResumeFlow : FlowSpec
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
    public void Join(JoinInputs<ResumeFlow> inputs)
    {
        if (Environment.GetEnvironmentVariable("FLOW_BENCH_FAIL_JOIN") == "1")
        {
            throw new InvalidOperationException("The join fails on purpose (FLOW_BENCH_FAIL_JOIN=1).");
        }

        Out = inputs.Max(i => i.X);
        Next(End);
    }

    [Step]
    public void End() => Console.WriteLine($"out = {Out}");
}
