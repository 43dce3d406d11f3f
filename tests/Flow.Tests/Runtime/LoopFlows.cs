using Flow;

namespace Flow.Tests.Runtime;

/// <summary>Shared switches for the loop flows: a test sets them before a run and resets them after.</summary>
internal static class LoopSwitches
{
    /// <summary>The iteration that throws (-1: none).</summary>
    public static int FailAt = -1;

    /// <summary>Throw only in the first attempt of <see cref="FailAt"/>.</summary>
    public static bool FailOnce;

    /// <summary>Whether the loop never chooses to leave.</summary>
    public static bool Forever;

    /// <summary>The iteration that runs past its timeout, observing its cancellation token (-1: none).</summary>
    public static int SlowAt = -1;

    public static void Reset()
    {
        FailAt = -1;
        FailOnce = false;
        Forever = false;
        SlowAt = -1;
    }

    public static void Misbehave(int iteration, int attempt, CancellationToken token)
    {
        if (iteration == SlowAt)
        {
            Task.Delay(TimeSpan.FromSeconds(30), token).GetAwaiter().GetResult();
        }

        if (iteration == FailAt && (!FailOnce || attempt == 0))
        {
            throw new InvalidOperationException($"iteration {iteration} fails on purpose");
        }
    }
}

/// <summary>Counts to five in a loop, noting each iteration and attempt it sees.</summary>
public partial class CountingLoopFlow : FlowSpec
{
    public int Count { get; set; }

    public List<string> Seen { get; set; } = [];

    [Step]
    public void Start()
    {
        Count = 0;
        Next(Loop);
    }

    [Step]
    [Retry(Times = 1)]
    public void Loop()
    {
        LoopSwitches.Misbehave(Current.Iteration, Current.Attempt, Current.CancellationToken);
        Count += 1;
        Seen = [.. Seen, $"{Current.Iteration}.{Current.Attempt}"];
        if (Count < 5 || LoopSwitches.Forever)
        {
            Next(Loop);
        }
        else
        {
            Next(End);
        }
    }

    [Step]
    public void End()
    {
    }
}

/// <summary>A loop whose failed iteration is caught: the loop is left by its one way out.</summary>
public partial class CaughtLoopFlow : FlowSpec
{
    public int Count { get; set; }

    public StepError? Failure { get; set; }

    [Step]
    public void Start()
    {
        Count = 0;
        Next(Loop);
    }

    [Step]
    [Catch(nameof(Failure))]
    public void Loop()
    {
        LoopSwitches.Misbehave(Current.Iteration, Current.Attempt, Current.CancellationToken);
        Count += 1;
        if (Count < 5)
        {
            Next(Loop);
        }
        else
        {
            Next(End);
        }
    }

    [Step]
    public void End()
    {
    }
}

/// <summary>A loop with a timeout on each iteration.</summary>
public partial class TimedLoopFlow : FlowSpec
{
    public int Count { get; set; }

    [Step]
    public void Start()
    {
        Count = 0;
        Next(Loop);
    }

    [Step]
    [Timeout(Seconds = 1)]
    public void Loop()
    {
        LoopSwitches.Misbehave(Current.Iteration, Current.Attempt, Current.CancellationToken);
        Count += 1;
        if (Count < 3)
        {
            Next(Loop);
        }
        else
        {
            Next(End);
        }
    }

    [Step]
    public void End()
    {
    }
}

/// <summary>Each element of a foreach loops on its own, as many times as its item, inside a static branch.</summary>
public partial class ForeachLoopFlow : FlowSpec
{
    public List<int> Items { get; set; } = [];

    public int Steps { get; set; }

    public string Trace { get; set; } = "";

    public List<string> Traces { get; set; } = [];

    public int Other { get; set; }

    [Step]
    public void Start() => Next(Spread, Side);

    [Step]
    [Foreach(nameof(Items))]
    public void Spread()
    {
        Items = [3, 1, 2];
        Steps = 0;
        Trace = "";
        Next(Work);
    }

    [Step]
    public void Work(int item)
    {
        Steps += 1;
        Trace += $"{item}:{Current.Iteration} ";
        if (Steps < item)
        {
            Next(Work);
        }
        else
        {
            Next(Gather);
        }
    }

    [Step]
    public void Gather(JoinInputs<ForeachLoopFlow> inputs)
    {
        Traces = inputs.Select(i => i.Trace.Trim()).ToList();
        Next(Close);
    }

    [Step]
    public void Side()
    {
        Other = 7;
        Next(Close);
    }

    [Step]
    public void Close(JoinInputs<ForeachLoopFlow> inputs)
    {
        Traces = inputs.Gather().Traces;
        Other = inputs.Side().Other;
        Next(End);
    }

    [Step]
    public void End()
    {
    }
}
