using Flow;

namespace Flow.Tests.Cache;

/// <summary>
/// A foreach over shards whose children are cached, then a cached summary. What Start sets comes from environment
/// variables, so that a test changes one input at a time.
/// </summary>
public partial class ShardFlow : FlowSpec
{
    [Parameter]
    public int Scale { get; set; } = 1;

    [Parameter]
    public int Unused { get; set; }

    public List<string> Shards { get; set; } = [];

    public string Prefix { get; set; } = "";

    public string Other { get; set; } = "";

    public string Featured { get; set; } = "";

    public List<string> Features { get; set; } = [];

    public string Summary { get; set; } = "";

    [Step, Foreach(nameof(Shards))]
    public void Start()
    {
        Shards = [.. (Environment.GetEnvironmentVariable("FLOW_TEST_CACHE_SHARDS") ?? "a,b,c").Split(',')];
        Prefix = Environment.GetEnvironmentVariable("FLOW_TEST_CACHE_PREFIX") ?? "p";
        Other = Environment.GetEnvironmentVariable("FLOW_TEST_CACHE_OTHER") ?? "o";
        Next(Featurize);
    }

    [Step, Cache]
    public void Featurize(string shard)
    {
        Featured = $"{Prefix}-{shard.ToUpperInvariant()}-{Scale}";
        Next(Join);
    }

    [Step]
    public void Join(JoinInputs<ShardFlow> inputs)
    {
        Features = [.. inputs.Select(i => i.Featured)];
        Prefix = inputs[0].Prefix;
        Other = inputs[0].Other;
        Next(Summarize);
    }

    [Step, Cache]
    public void Summarize()
    {
        Summary = string.Join(",", Features);
        Next(End);
    }

    [Step]
    public void End() => Console.WriteLine($"{Summary} {Other}");
}

/// <summary>A branch whose join is cached and reads one of the run's two parameters.</summary>
public partial class CachedJoinFlow : FlowSpec
{
    [Parameter]
    public int Scale { get; set; } = 2;

    [Parameter]
    public int Seed { get; set; }

    public int Left { get; set; }

    public int Right { get; set; }

    public int Total { get; set; }

    [Step]
    public void Start() => Next(A, B);

    [Step]
    public void A()
    {
        Left = 1;
        Next(Join);
    }

    [Step]
    public void B()
    {
        Right = 2;
        Next(Join);
    }

    [Step, Cache]
    public void Join(JoinInputs<CachedJoinFlow> inputs)
    {
        Total = (inputs.A().Left + inputs.B().Right) * Scale;
        Next(End);
    }

    [Step]
    public void End()
    {
    }
}
