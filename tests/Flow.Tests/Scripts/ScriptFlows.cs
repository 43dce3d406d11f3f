using Flow;

namespace Flow.Tests.Scripts;

/// <summary>A flow with a Python step and an R step in parallel, joined.</summary>
public partial class ScriptFlow : FlowSpec
{
    public string Shard { get; set; } = "";

    public double[] Features { get; set; } = [];

    public double PyAuc { get; set; }

    public double RAuc { get; set; }

    public string Summary { get; set; } = "";

    [Step]
    public void Start()
    {
        Shard = "s1";
        Features = [0.5, 0.75, 1.0];
        Next(Py, R);
    }

    [Step]
    public void Py()
    {
        var result = Script.Run<ScoreResult>("Scripts/files/score.py", new { Shard, Features });
        PyAuc = result.Auc;
        Next(Join);
    }

    [Step]
    public void R()
    {
        var result = Script.Run<ScoreResult>("Scripts/files/fit.R", new { Shard, Features });
        RAuc = result.Auc;
        Next(Join);
    }

    [Step]
    public void Join(JoinInputs<ScriptFlow> inputs)
    {
        PyAuc = inputs.Py().PyAuc;
        RAuc = inputs.R().RAuc;
        Summary = $"{PyAuc}:{RAuc}";
        Next(End);
    }

    [Step]
    public void End()
    {
    }
}

/// <summary>A step whose script runs past the step's timeout.</summary>
public partial class ScriptTimeoutFlow : FlowSpec
{
    [Step]
    public void Start() => Next(Sleep);

    [Step, Timeout(Seconds = 2)]
    public void Sleep()
    {
        Script.Run("Scripts/files/sleep.py", new { Marker = Environment.GetEnvironmentVariable("FLOW_TEST_SCRIPT_MARKER") });
        Next(End);
    }

    [Step]
    public void End()
    {
    }
}
