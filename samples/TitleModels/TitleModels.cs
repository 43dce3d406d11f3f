using System.Globalization;
using Flow;
using Flow.Cards;

namespace TitleModelling;

/// <summary>
/// One model per region: <see cref="Start"/> lists the dataset's partitions (a folder or an S3 prefix), a foreach
/// trains and evaluates an ML.NET model on each, the join gathers the metrics and writes them to DuckDB or
/// PostgreSQL, with a card that charts them, and <see cref="End"/> prints the best and worst regions. The models
/// are artifacts: the client loads one back with <see cref="TitleModel.Load"/> and predicts.
/// </summary>
[Project("title_models")]
public partial class TitleModels : FlowSpec
{
    [Parameter(Help = "The dataset: a folder or s3://bucket/prefix of region=NAME/*.parquet, as make-data writes it.", Required = true)]
    public string Data { get; set; } = "";

    [Parameter(Help = "Where the metrics go: a DuckDB file, or a PostgreSQL connection string (Host=...;Username=...;Database=...).")]
    public string ResultsDb { get; set; } = "results.duckdb";

    [Parameter(Help = "Boosted trees per model (FastTree), 1 to 2000.")]
    public int Trees { get; set; } = 100;

    [Parameter(Help = "The seed of each model's training and of its holdout split.")]
    public int Seed { get; set; } = 1;

    /// <summary>The partitions, one task each.</summary>
    public List<Partition> Partitions { get; set; } = [];

    /// <summary>Where the metrics are written (the DuckDB file made absolute, or the connection string).</summary>
    public ResultsTarget? Results { get; set; }

    /// <summary>The region a task trained.</summary>
    public string Region { get; set; } = "";

    /// <summary>The model a task trained: ML.NET's saved model (a zip), for <see cref="TitleModel.Load"/>.</summary>
    public byte[] Model { get; set; } = [];

    /// <summary>How the model a task trained did on its held-out rows.</summary>
    public PartitionMetrics? Metrics { get; set; }

    /// <summary>Every region's model, by region.</summary>
    public Dictionary<string, byte[]> Models { get; set; } = [];

    /// <summary>Every region's metrics, ordered by region.</summary>
    public List<PartitionMetrics> AllMetrics { get; set; } = [];

    [Step]
    [Foreach(nameof(Partitions))]
    public void Start()
    {
        if (Trees is < 1 or > 2000)
        {
            throw new ArgumentException($"--trees must be between 1 and 2000, not {Trees}.");
        }

        Results = ResultsTarget.Parse(ResultsDb);
        Results.Check();
        Partitions = TitleData.List(Data);
        Console.WriteLine($"{Partitions.Count} partitions in {Data} ({Partitions.Sum(p => p.Files.Count)} Parquet files); results to {Results.Describe()}");
        Next(Train);
    }

    // Cached: a partition whose files, and the parameters the step reads (Trees, Seed), are as in an earlier run of
    // this namespace is not trained again; its task is cloned from that run (docs/cache.md).
    [Step]
    [Card]
    [Cache]
    public void Train(Partition partition)
    {
        var rows = TitleData.Read(partition, Current.CancellationToken);
        var trained = TitleModel.Train(partition.Region, rows, Trees, Seed);
        Region = partition.Region;
        Model = trained.Model;
        Metrics = trained.Metrics;
        var m = trained.Metrics;
        Console.WriteLine(Invariant($"{Region}: RMSE {m.Rmse:0.00}k views, R² {m.RSquared:0.000} on {m.TestRows:N0} held-out rows (trained on {m.TrainRows:N0}) in {m.Seconds:0.00} s; model {Model.Length / 1024.0:0} KiB"));
        Current.Card.Append(new Markdown(Invariant($"# {Region}\n\nFastTree regression, {Trees} trees, on {m.TrainRows:N0} rows; evaluated on {m.TestRows:N0} held-out rows.")));
        Current.Card.Append(Table.From([m]));
        Current.Card.Append(new Chart("Held-out rows: predicted against actual views (thousands)", trained.Sample) { XLabel = "actual", YLabel = "predicted" });
        Next(Join);
    }

    [Step]
    [Card]
    public void Join(JoinInputs<TitleModels> inputs)
    {
        AllMetrics = inputs.Select(i => i.Metrics ?? throw new InvalidOperationException($"The task of {i.Region} finished without metrics."))
            .OrderBy(m => m.Region, StringComparer.Ordinal)
            .ToList();
        Models = inputs.ToDictionary(i => i.Region, i => i.Model, StringComparer.Ordinal);
        var results = inputs[0].Results ?? throw new InvalidOperationException("Start set no results target.");
        Results = results;
        results.Write(nameof(TitleModels), Current.RunId, AllMetrics, DateTime.UtcNow);
        Console.WriteLine($"{AllMetrics.Count} regions' metrics written to {ResultsTarget.Table} in {results.Describe()}");

        var regions = AllMetrics.Select(m => m.Region).ToList();
        Current.Card.Append(new Markdown(Invariant($"# One model per region\n\n{AllMetrics.Count} regions, {AllMetrics.Sum(m => m.Rows):N0} rows; metrics on each region's held-out 20 %, also in the table `{ResultsTarget.Table}` ({results.Describe()}).")));
        Current.Card.Append(new Chart("R² on held-out rows, by region", AllMetrics.Select(m => m.RSquared), ChartKind.Bar) { Labels = regions, YLabel = "R²" });
        Current.Card.Append(new Chart("RMSE on held-out rows (thousands of views), by region", AllMetrics.Select(m => m.Rmse), ChartKind.Bar) { Labels = regions, YLabel = "RMSE" });
        Current.Card.Append(Table.From(AllMetrics));
        Next(End);
    }

    [Step]
    public void End()
    {
        var ranked = AllMetrics.OrderByDescending(m => m.RSquared).ThenBy(m => m.Region, StringComparer.Ordinal).ToList();
        if (ranked.Count == 0)
        {
            throw new InvalidOperationException("The join gathered no metrics.");
        }

        var best = ranked[0];
        var worst = ranked[^1];
        Console.WriteLine(Invariant($"{ranked.Count} models, mean R² {ranked.Average(m => m.RSquared):0.000}"));
        Console.WriteLine(Invariant($"best:  {best.Region} (R² {best.RSquared:0.000}, RMSE {best.Rmse:0.00}k)"));
        Console.WriteLine(Invariant($"worst: {worst.Region} (R² {worst.RSquared:0.000}, RMSE {worst.Rmse:0.00}k)"));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
