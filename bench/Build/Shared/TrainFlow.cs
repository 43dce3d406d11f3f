using Flow;

namespace Bench.Build;

/// <summary>A larger flow: parameters, a static split, a foreach, retries and a catch.</summary>
public partial class TrainFlow : FlowSpec
{
    [Parameter(Help = "The learning rate.")]
    public double Alpha { get; set; } = 0.5;

    [Parameter(Help = "How many folds.")]
    public int Folds { get; set; } = 4;

    public List<int> FoldIds { get; set; } = [];

    public double[] Features { get; set; } = [];

    public double Score { get; set; }

    public double Best { get; set; }

    public string Report { get; set; } = "";

    public StepError? Failure { get; set; }

    [Step]
    public void Start()
    {
        Features = Bench.Build.Features.Normalize([1, 2, 3, 4]);
        Next(Clean, Describe);
    }

    [Step]
    [Retry(Times = 2)]
    public void Clean()
    {
        Features = Features.Where(f => f > 0).ToArray();
        Next(Merge);
    }

    [Step]
    public void Describe()
    {
        Report = $"{Features.Length} features";
        Next(Merge);
    }

    [Step]
    public void Merge(JoinInputs<TrainFlow> inputs)
    {
        Features = inputs[0].Features;
        Report = inputs[1].Report;
        Next(Split);
    }

    [Step]
    [Foreach(nameof(FoldIds))]
    public void Split()
    {
        FoldIds = Enumerable.Range(0, Folds).ToList();
        Next(Train);
    }

    [Step]
    [Catch(nameof(Failure))]
    [Timeout(Seconds = 60)]
    public void Train(int fold)
    {
        Score = Features.Sum() * Alpha / (fold + 1);
        Next(Collect);
    }

    [Step]
    public void Collect(JoinInputs<TrainFlow> inputs)
    {
        Best = inputs.Max(i => i.Score);
        MergeArtifacts(inputs, nameof(Score), nameof(Failure));
        Next(End);
    }

    [Step]
    public void End() => Console.WriteLine($"best = {Best}, {Report}");
}
