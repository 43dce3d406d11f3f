using Flow;

namespace Samples;

/// <summary>
/// Steps that ask for more than a laptop has. Run locally, the requests are honoured where the
/// machine can (CPU and memory are clamped to what it has, a GPU step runs on the CPU), with a
/// warning; on a cluster backend they become the job's resource requests.
/// </summary>
public partial class ResourcesFlow : FlowSpec
{
    public string TrainSaw { get; set; } = "";

    public string LoadSaw { get; set; } = "";

    [Step]
    public void Start() => Next(Train, Load);

    [Step]
    [Resources(Cpu = 16, Gpu = 1)]
    public void Train()
    {
        TrainSaw = Machine();
        Console.WriteLine($"train sees {TrainSaw}");
        Next(Join);
    }

    [Step]
    [Resources(Memory = 200_000)]
    public void Load()
    {
        LoadSaw = Machine();
        Console.WriteLine($"load sees {LoadSaw}");
        Next(Join);
    }

    [Step]
    public void Join(JoinInputs<ResourcesFlow> inputs)
    {
        TrainSaw = inputs.Train().TrainSaw;
        LoadSaw = inputs.Load().LoadSaw;
        Next(End);
    }

    [Step]
    public void End()
    {
        Console.WriteLine($"train saw {TrainSaw}");
        Console.WriteLine($"load saw {LoadSaw}");
    }

    private static string Machine()
    {
        var gpus = Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES");
        return $"{Environment.ProcessorCount} CPUs, CUDA_VISIBLE_DEVICES={(string.IsNullOrEmpty(gpus) ? "(unset)" : gpus)}";
    }
}
