using System.Globalization;
using System.IO;
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

    [Parameter(Name = "model", Help = "Which model each region gets: mlnet (ML.NET's FastTree) or r (R's lm, through scripts/fit.R; needs Rscript with jsonlite).")]
    public string ModelKind { get; set; } = "mlnet";

    [Parameter(Name = "score", Help = "python: a step scores every region's held-out predictions again with scikit-learn (scripts/score.py; needs python3 with scikit-learn); none: skip it; auto (default): python when python3 has scikit-learn, else skip it and say so.")]
    public string ScoreWith { get; set; } = "auto";

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

    /// <summary>A task's held-out rows: actual and predicted views.</summary>
    public Holdout? Holdout { get; set; }

    /// <summary>Every region's held-out rows, ordered by region.</summary>
    public List<Holdout> Holdouts { get; set; } = [];

    /// <summary>scikit-learn's scores of each region's held-out predictions (empty with --score none).</summary>
    public List<RegionScore> Scores { get; set; } = [];

    [Step]
    [Foreach(nameof(Partitions))]
    public void Start()
    {
        if (Trees is < 1 or > 2000)
        {
            throw new ArgumentException($"--trees must be between 1 and 2000, not {Trees}.");
        }

        if (ModelKind is not ("mlnet" or "r"))
        {
            throw new ArgumentException($"--model must be mlnet or r, not '{ModelKind}'.");
        }

        if (ScoreWith is not ("auto" or "python" or "none"))
        {
            throw new ArgumentException($"--score must be auto, python or none, not '{ScoreWith}'.");
        }

        Results = ResultsTarget.Parse(ResultsDb);
        Results.Check();
        Partitions = TitleData.List(Data);
        Console.WriteLine($"{Partitions.Count} partitions in {Data} ({Partitions.Sum(p => p.Files.Count)} Parquet files); results to {Results.Describe()}");
        Next(Train);
    }

    // Cached: a partition whose files, and the parameters the step reads (Trees, Seed), are as in an earlier run of
    // this namespace is not trained again; its task is cloned from that run (docs/cache.md). The R fit runs through
    // TitleModel, another class, with a computed path, so the generator cannot see it: Files puts the script's
    // contents into the key (an edit of fit.R trains again, with either model).
    [Step]
    [Card]
    [Cache(Files = new[] { "scripts/fit.R" })]
    public void Train(Partition partition)
    {
        var rows = TitleData.Read(partition, Current.CancellationToken);
        var trained = ModelKind == "r"
            ? TitleModel.TrainInR(partition.Region, rows, Seed, Current.CancellationToken)
            : TitleModel.Train(partition.Region, rows, Trees, Seed);
        Region = partition.Region;
        Model = trained.Model;
        Metrics = trained.Metrics;
        Holdout = trained.Holdout;
        var m = trained.Metrics;
        Console.WriteLine(Invariant($"{Region}: RMSE {m.Rmse:0.00}k views, R² {m.RSquared:0.000} on {m.TestRows:N0} held-out rows (trained on {m.TrainRows:N0}) in {m.Seconds:0.00} s; model {Model.Length / 1024.0:0} KiB"));
        var how = ModelKind == "r" ? "R's lm (linear regression)" : Invariant($"FastTree regression, {Trees} trees,");
        Current.Card.Append(new Markdown(Invariant($"# {Region}\n\n{how} on {m.TrainRows:N0} rows; evaluated on {m.TestRows:N0} held-out rows.")));
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
        Holdouts = inputs.Select(i => i.Holdout ?? throw new InvalidOperationException($"The task of {i.Region} finished without its held-out rows."))
            .OrderBy(h => h.Region, StringComparer.Ordinal)
            .ToList();
        var results = inputs[0].Results ?? throw new InvalidOperationException("Start set no results target.");
        Results = results;
        results.Write(nameof(TitleModels), Current.RunId, AllMetrics, DateTime.UtcNow);
        Console.WriteLine($"{AllMetrics.Count} regions' metrics written to {ResultsTarget.Table} in {results.Describe()}");

        var regions = AllMetrics.Select(m => m.Region).ToList();
        Current.Card.Append(new Markdown(Invariant($"# One model per region\n\n{AllMetrics.Count} regions, {AllMetrics.Sum(m => m.Rows):N0} rows; metrics on each region's held-out 20 %, also in the table `{ResultsTarget.Table}` ({results.Describe()}).")));
        Current.Card.Append(new Chart("R² on held-out rows, by region", AllMetrics.Select(m => m.RSquared), ChartKind.Bar) { Labels = regions, YLabel = "R²" });
        Current.Card.Append(new Chart("RMSE on held-out rows (thousands of views), by region", AllMetrics.Select(m => m.Rmse), ChartKind.Bar) { Labels = regions, YLabel = "RMSE" });
        Current.Card.Append(Table.From(AllMetrics));
        Next(Score);
    }

    /// <summary>
    /// Scores every region's held-out predictions again, in Python with scikit-learn (scripts/score.py): an independent
    /// check of the metrics the join wrote, as a team's own scoring code would be.
    /// </summary>
    [Step]
    public void Score()
    {
        var score = ScoreWith == "python" || (ScoreWith == "auto" && HasScikitLearn());
        if (ScoreWith == "auto" && !score)
        {
            Console.WriteLine("not scored with scikit-learn: python3 (or FLOW_PYTHON) has no scikit-learn (apt-get install -y python3-sklearn); --score none skips this check");
        }

        if (score)
        {
            Scores = Script.Run<ScoreOutput>(Path.Combine("scripts", "score.py"), new { Regions = Holdouts }, Current.CancellationToken).Regions;
            var disagree = Scores.Where(s => AllMetrics.Single(m => m.Region == s.Region) is var m && Math.Abs(m.RSquared - s.RSquared) > 1e-3).ToList();
            Console.WriteLine(disagree.Count == 0
                ? $"scikit-learn agrees on the held-out R² of all {Scores.Count} regions"
                : $"scikit-learn's R² differs for {string.Join(", ", disagree.Select(d => d.Region))}");
        }

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

    // Whether the Python that scripts run has scikit-learn; no Python at all is a no.
    private bool HasScikitLearn()
    {
        try
        {
            return Script.Run<bool>(Path.Combine("scripts", "has_sklearn.py"), cancellationToken: Current.CancellationToken);
        }
        catch (ScriptException)
        {
            return false;
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
