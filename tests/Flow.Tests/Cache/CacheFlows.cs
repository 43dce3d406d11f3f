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
