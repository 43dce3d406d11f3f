namespace Flow.TestFlows;

/// <summary>
/// Steps for a Slurm cluster: <see cref="Heavy"/> asks for two CPUs, 1500 MB and a GPU; <see cref="Row"/> and
/// <see cref="Cell"/> are a nested foreach. Only the steps marked [Slurm] go to the cluster unless the run says
/// <c>--with slurm</c>; each step notes where it ran (the Slurm job, or "here"). <c>FLOW_TEST_SLEEP_MS</c> makes
/// <see cref="Heavy"/> sleep first, so that a test can act while its job runs.
/// </summary>
public partial class SlurmFlow : FlowSpec
{
    public List<int> Outer { get; set; } = [];

    public List<int> Inner { get; set; } = [];

    public string StartRan { get; set; } = "";

    public string HeavyRan { get; set; } = "";

    public int Sum { get; set; }

    [Step]
    public void Start()
    {
        StartRan = Where();
        Next(Heavy);
    }

    [Step]
    [Slurm]
    [Resources(Cpu = 2, Memory = 1500, Gpu = 1)]
    public void Heavy()
    {
        if (Environment.GetEnvironmentVariable("FLOW_TEST_SLEEP_MS") is { Length: > 0 } sleep)
        {
            Thread.Sleep(int.Parse(sleep, System.Globalization.CultureInfo.InvariantCulture));
        }

        HeavyRan = $"{Where()} with {Environment.GetEnvironmentVariable("SLURM_CPUS_PER_TASK")} CPUs";
        Next(Spread);
    }

    [Step]
    [Foreach(nameof(Outer))]
    public void Spread()
    {
        Outer = [1, 2, 3];
        Next(Row);
    }

    [Step]
    [Slurm]
    [Foreach(nameof(Inner))]
    public void Row(int outer)
    {
        Inner = [outer * 10, (outer * 10) + 1];
        Next(Cell);
    }

    [Step]
    [Slurm]
    public void Cell(int inner)
    {
        Sum = inner;
        Next(JoinRow);
    }

    [Step]
    public void JoinRow(JoinInputs<SlurmFlow> inputs)
    {
        MergeArtifacts(inputs, nameof(Sum));
        Sum = inputs.Sum(i => i.Sum);
        Next(JoinAll);
    }

    [Step]
    public void JoinAll(JoinInputs<SlurmFlow> inputs)
    {
        MergeArtifacts(inputs, nameof(Sum), nameof(Inner));
        Sum = inputs.Sum(i => i.Sum);
        Next(End);
    }

    [Step]
    public void End() => Console.WriteLine($"sum = {Sum}, start ran {StartRan}, heavy ran {HeavyRan}, end ran {Where()}");

    private static string Where() => Environment.GetEnvironmentVariable("SLURM_JOB_ID") is { Length: > 0 } job ? "in a Slurm job" : "here";
}
