using Flow;

namespace Bench;

/// <summary>
/// A foreach over <see cref="Count"/> shards whose children do about <see cref="WorkMs"/> ms of CPU work each, and a
/// summary; both steps are [Cache]d, so a second run with nothing changed clones them (bench/cache.sh).
/// </summary>
public partial class CacheFlow : FlowSpec
{
    [Parameter]
    public int Count { get; set; } = 20;

    [Parameter]
    public int WorkMs { get; set; } = 200;

    public List<int> Shards { get; set; } = [];

    public long Feature { get; set; }

    public long Total { get; set; }

    [Step, Foreach(nameof(Shards))]
    public void Start()
    {
        Shards = [.. Enumerable.Range(0, Count)];
        Next(Featurize);
    }

    [Step, Cache]
    public void Featurize(int shard)
    {
        // CPU work standing in for feature extraction: a busy loop of WorkMs milliseconds, seeded by the shard.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        long x = shard + 1;
        while (watch.ElapsedMilliseconds < WorkMs)
        {
            for (var i = 0; i < 10_000; i++)
            {
                x = (x * 6364136223846793005L) + 1442695040888963407L;
            }
        }

        Feature = shard * 2L;
        Next(Join);
    }

    [Step]
    public void Join(JoinInputs<CacheFlow> inputs)
    {
        Total = inputs.Sum(i => i.Feature);
        Next(Summarize);
    }

    [Step, Cache]
    public void Summarize()
    {
        Total += 1;
        Next(End);
    }

    [Step]
    public void End() => Console.WriteLine($"total = {Total}");
}
