using Flow;

namespace Flow.Tests.Runtime;

public enum Mode
{
    Fast,
    Careful,
}

public partial class ParameterFlow : FlowSpec
{
    [Parameter(Help = "The learning rate.")]
    public double Alpha { get; set; } = 0.5;

    [Parameter(Required = true)]
    public string Name { get; set; } = "";

    [Parameter]
    public Mode Mode { get; set; }

    [Parameter]
    public bool Verbose { get; set; }

    public string Summary { get; set; } = "";

    [Step]
    public void Start()
    {
        Summary = $"{Name}:{Alpha}:{Mode}:{Verbose}";
        Next(End);
    }

    [Step]
    public void End()
    {
    }
}

public partial class ConditionalFlow : FlowSpec
{
    [Parameter]
    public int Value { get; set; }

    public string Path { get; set; } = "";

    [Step]
    public void Start()
    {
        if (Value > 5)
        {
            Next(Big);
        }
        else
        {
            Next(Small);
        }
    }

    [Step]
    public void Big()
    {
        Path = "big";
        Next(End);
    }

    [Step]
    public void Small()
    {
        Path = "small";
        Next(End);
    }

    [Step]
    public void End()
    {
    }
}

public partial class NestedForeachFlow : FlowSpec
{
    public List<int> Outer { get; set; } = [];

    public List<string> Inner { get; set; } = [];

    public string Cell { get; set; } = "";

    public List<string> Row { get; set; } = [];

    public List<string> Cells { get; set; } = [];

    [Step]
    [Foreach(nameof(Outer))]
    public void Start()
    {
        Outer = [1, 2, 3];
        Next(Rows);
    }

    [Step]
    [Foreach(nameof(Inner))]
    public void Rows(int row)
    {
        Inner = [$"r{row}a", $"r{row}b"];
        Next(Column);
    }

    [Step]
    public void Column(string cell)
    {
        Cell = $"{cell}@{Index}";
        Next(JoinColumns);
    }

    [Step]
    public void JoinColumns(JoinInputs<NestedForeachFlow> inputs)
    {
        Row = inputs.Select(i => i.Cell).ToList();
        Next(JoinRows);
    }

    [Step]
    public void JoinRows(JoinInputs<NestedForeachFlow> inputs)
    {
        Cells = inputs.SelectMany(i => i.Row).ToList();
        Next(End);
    }

    [Step]
    public void End()
    {
    }
}

public partial class RetryFlow : FlowSpec
{
    public int Attempts { get; set; }

    [Step]
    [Retry(Times = 2)]
    public void Start()
    {
        Attempts = Current.Attempt + 1;
        if (Current.Attempt < 2)
        {
            throw new InvalidOperationException("flaky");
        }

        Next(End);
    }

    [Step]
    public void End()
    {
    }
}

public partial class CatchFlow : FlowSpec
{
    public StepError? Failure { get; set; }

    public string After { get; set; } = "";

    [Step]
    public void Start() => Next(Risky);

    [Step]
    [Catch(nameof(Failure))]
    public void Risky()
    {
        Validate("bad input");
        Next(End);
    }

    [Step]
    public void End()
    {
        After = Failure?.Message ?? "none";
    }

    private static void Validate(string problem) => throw new ArgumentException(problem);
}

public partial class FailingFlow : FlowSpec
{
    [Step]
    public void Start() => Next(Boom);

    [Step]
    public void Boom()
    {
        Explode();
        Next(End);
    }

    private static void Explode() => throw new InvalidOperationException("the boom step failed");

    [Step]
    public void End()
    {
    }
}

public partial class MergeFlow : FlowSpec
{
    public string Shared { get; set; } = "";

    public int Differs { get; set; }

    public List<int> Items { get; set; } = [];

    public int Total { get; set; }

    /// <summary>A list with an initializer: each instance has a new one, which merging must not take for a value the join set.</summary>
    public List<string> Notes { get; set; } = [];

    [Step]
    public void Start()
    {
        Shared = "same";
        Items = [1];
        Notes = ["from start"];
        Next(A, B);
    }

    [Step]
    public void A()
    {
        Differs = 1;
        Items.Add(2);
        Next(Join);
    }

    [Step]
    public void B()
    {
        Differs = 2;
        Next(Join);
    }

    [Step]
    public void Join(JoinInputs<MergeFlow> inputs)
    {
        Total = inputs.A().Items.Count * 10 + inputs.B().Items.Count;
        Differs = inputs.Sum(i => i.Differs);
        MergeArtifacts(inputs, nameof(Items));
        Next(End);
    }

    [Step]
    public void End()
    {
    }
}

public partial class EmptyForeachFlow : FlowSpec
{
    public string[] Things { get; set; } = [];

    public int Seen { get; set; }

    [Step]
    [Foreach(nameof(Things))]
    public void Start() => Next(Each);

    [Step]
    public void Each(string thing) => Next(Join);

    [Step]
    public void Join(JoinInputs<EmptyForeachFlow> inputs)
    {
        Seen = inputs.Count;
        Next(End);
    }

    [Step]
    public void End()
    {
    }
}

public partial class GpuFlow : FlowSpec
{
    public string Seen { get; set; } = "";

    [Step]
    [Resources(Gpu = 1, Cpu = 64)]
    public void Start()
    {
        Seen = Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES") ?? "unset";
        Next(End);
    }

    [Step]
    public void End()
    {
    }
}

public partial class TwoGpuFlow : FlowSpec
{
    [Step]
    [Resources(Gpu = 2)]
    public void Start() => Next(End);

    [Step]
    public void End()
    {
    }
}

public partial class HelloFlow : FlowSpec
{
    [Parameter]
    public string Greeting { get; set; } = "hello";

    public string Message { get; set; } = "";

    public List<int> Numbers { get; set; } = [];

    [Step]
    public void Start()
    {
        Message = $"{Greeting} from {Current.User}";
        Numbers = Enumerable.Range(1, 30).ToList();
        Console.WriteLine(Message);
        Console.Error.WriteLine("a warning");
        Next(End);
    }

    [Step]
    public void End()
    {
    }
}

public partial class FlakyJoinFlow : FlowSpec
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
    public void Join(JoinInputs<FlakyJoinFlow> inputs)
    {
        if (Environment.GetEnvironmentVariable("FLOW_TEST_BREAK_JOIN") == "1")
        {
            throw new InvalidOperationException("the join is broken");
        }

        Out = inputs.Max(i => i.X);
        Next(End);
    }

    [Step]
    public void End()
    {
    }
}

public partial class SlurmMarkedFlow : FlowSpec
{
    [Step]
    [Slurm(Partition = "gpu", Arguments = ["--exclusive"])]
    [Resources(Cpu = 4, Gpu = 1, Memory = 8000)]
    public void Start() => Next(End);

    [Step]
    public void End()
    {
    }
}

[Project("title_models")]
public partial class ProjectFlow : FlowSpec
{
    [Step]
    public void Start() => Next(End);

    [Step]
    public void End()
    {
    }
}
