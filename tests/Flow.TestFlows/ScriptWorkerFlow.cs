namespace Flow.TestFlows;

/// <summary>A step that runs a Python script, copied beside the program (scripts/twice.py), in a worker process.</summary>
public partial class ScriptWorkerFlow : FlowSpec
{
    public double Doubled { get; set; }

    [Step]
    public void Start()
    {
        Doubled = Script.Run<double>("scripts/twice.py", new { X = 21.5 });
        Next(End);
    }

    [Step]
    public void End() => Console.WriteLine($"doubled = {Doubled}");
}
