using Flow;

namespace Flow.Tests.S3;

/// <summary>A foreach whose second child can call a test's hook mid-run (to take the S3 server away).</summary>
public partial class OutageFlow : FlowSpec
{
    /// <summary>Called by the child of element "b", when set.</summary>
    internal static Action? MidRun { get; set; }

    public List<string> Items { get; set; } = [];

    public string Value { get; set; } = "";

    public string Out { get; set; } = "";

    [Step]
    [Foreach(nameof(Items))]
    public void Start()
    {
        Items = ["a", "b", "c"];
        Next(Work);
    }

    [Step]
    public void Work(string item)
    {
        if (item == "b")
        {
            MidRun?.Invoke();
        }

        Console.WriteLine($"working on {item}");
        Value = item.ToUpperInvariant();
        Next(Join);
    }

    [Step]
    public void Join(JoinInputs<OutageFlow> inputs)
    {
        Out = string.Concat(inputs.Select(i => i.Value));
        Next(End);
    }

    [Step]
    public void End()
    {
    }
}
