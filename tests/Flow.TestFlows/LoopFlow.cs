namespace Flow.TestFlows;

/// <summary>
/// Loops everywhere a flow can have one: at the top (<see cref="Count"/>), inside a static branch straight into its
/// join (<see cref="Climb"/>), and inside a foreach, where each element loops on its own (<see cref="Work"/>, which
/// runs as many times as its item says).
/// <c>FLOW_TEST_LOOP_FAIL=N</c> makes iteration N of <see cref="Count"/> throw (until <c>FLOW_TEST_LOOP_FIXED=1</c>; with
/// <c>FLOW_TEST_LOOP_FAIL_ONCE=1</c> only its first attempt);
/// <c>FLOW_TEST_LOOP_FOREVER=1</c> makes it never leave; <c>FLOW_TEST_SLEEP_MS</c> slows each iteration down.
/// </summary>
public partial class LoopFlow : FlowSpec
{
    public int Rounds { get; set; }

    public List<int> Iterations { get; set; } = [];

    public int Height { get; set; }

    public int Other { get; set; }

    public List<int> Items { get; set; } = [];

    public int Steps { get; set; }

    public string Summary { get; set; } = "";

    [Step]
    public void Start()
    {
        Rounds = 0;
        Next(Count);
    }

    [Step]
    [Retry(Times = 1)]
    public void Count()
    {
        if (Environment.GetEnvironmentVariable("FLOW_TEST_SLEEP_MS") is { Length: > 0 } sleep)
        {
            Thread.Sleep(int.Parse(sleep, System.Globalization.CultureInfo.InvariantCulture));
        }

        if (Environment.GetEnvironmentVariable("FLOW_TEST_LOOP_FAIL") is { Length: > 0 } fail
            && int.Parse(fail, System.Globalization.CultureInfo.InvariantCulture) == Current.Iteration
            && Environment.GetEnvironmentVariable("FLOW_TEST_LOOP_FIXED") != "1"
            && (Environment.GetEnvironmentVariable("FLOW_TEST_LOOP_FAIL_ONCE") != "1" || Current.Attempt == 0))
        {
            throw new InvalidOperationException($"Iteration {Current.Iteration} fails on purpose.");
        }

        Rounds += 1;
        Iterations = [.. Iterations, Current.Iteration];
        if (Rounds < 5 || Environment.GetEnvironmentVariable("FLOW_TEST_LOOP_FOREVER") == "1")
        {
            Next(Count);
        }
        else
        {
            Next(Fork);
        }
    }

    [Step]
    public void Fork()
    {
        Height = 0;
        Next(Climb, Flat);
    }

    [Step]
    public void Climb()
    {
        Height += 10;
        if (Height < 30)
        {
            Next(Climb);
        }
        else
        {
            Next(Meet);
        }
    }

    [Step]
    public void Flat()
    {
        Other = -1;
        Next(Meet);
    }

    [Step]
    public void Meet(JoinInputs<LoopFlow> inputs)
    {
        MergeArtifacts(inputs, nameof(Height), nameof(Other));
        Height = inputs.Climb().Height;
        Other = inputs.Flat().Other;
        Next(Spread);
    }

    [Step]
    [Foreach(nameof(Items))]
    public void Spread()
    {
        Items = [1, 2, 3];
        Steps = 0;
        Next(Work);
    }

    [Step]
    public void Work(int item)
    {
        Steps += 1;
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
    public void Gather(JoinInputs<LoopFlow> inputs)
    {
        MergeArtifacts(inputs, nameof(Steps));
        Summary = $"rounds = {Rounds}, iterations = [{string.Join(",", Iterations)}], height = {Height}, other = {Other}, steps = [{string.Join(",", inputs.Select(i => i.Steps))}]";
        Next(End);
    }

    [Step]
    public void End() => Console.WriteLine(Summary);
}
