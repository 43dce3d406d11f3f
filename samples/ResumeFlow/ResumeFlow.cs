using Flow;

namespace Samples;

/// <summary>
/// The seed branch flow with a broken join: it fails until FLOW_RESUME_FIXED=1 is set, so that
/// <c>resume Join</c> can show finished steps being cloned instead of run again.
/// </summary>
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
        if (Environment.GetEnvironmentVariable("FLOW_RESUME_FIXED") != "1")
        {
            throw new InvalidOperationException("The join is broken on purpose: set FLOW_RESUME_FIXED=1 to fix it, then resume from Join.");
        }

        Out = inputs.Max(i => i.X);
        Next(End);
    }

    [Step]
    public void End() => Console.WriteLine($"out = {Out}");
}
