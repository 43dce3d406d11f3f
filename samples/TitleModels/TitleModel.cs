using System.Diagnostics;
using System.IO;
using System.Threading;
using Microsoft.ML;
using Flow;
using Microsoft.ML.Data;

namespace TitleModelling;

/// <summary>What a model predicts from: a title's features on one day in one region.</summary>
public sealed class TitleFeatures
{
    public float Budget { get; set; }

    public float RuntimeMinutes { get; set; }

    public float StarPower { get; set; }

    public float Marketing { get; set; }

    public float DaysSinceLaunch { get; set; }

    public float Weekend { get; set; }

    /// <summary>The views (thousands): the label when training, unused when predicting.</summary>
    public float Label { get; set; }

    /// <summary>The features of a row of the dataset, its views as the label.</summary>
    public static TitleFeatures Of(TitleDay row) => new()
    {
        Budget = row.Budget,
        RuntimeMinutes = row.RuntimeMinutes,
        StarPower = row.StarPower,
        Marketing = row.Marketing,
        DaysSinceLaunch = row.DaysSinceLaunch,
        Weekend = row.Weekend,
        Label = row.Views,
    };
}

/// <summary>What a model says: the expected views (thousands).</summary>
public sealed class ViewsPrediction
{
    [ColumnName("Score")]
    public float Views { get; set; }
}

/// <summary>A region's trained model and how well it did on the rows held out of its training.</summary>
/// <param name="Region">The partition.</param>
/// <param name="Rows">The partition's rows.</param>
/// <param name="TrainRows">The rows it was trained on.</param>
/// <param name="TestRows">The rows held out to evaluate it.</param>
/// <param name="Rmse">The root mean squared error on the held-out rows, thousands of views.</param>
/// <param name="RSquared">The coefficient of determination on the held-out rows.</param>
/// <param name="Mae">The mean absolute error on the held-out rows, thousands of views.</param>
/// <param name="Seconds">How long reading, training and evaluating took.</param>
public sealed record PartitionMetrics(string Region, int Rows, int TrainRows, int TestRows, double Rmse, double RSquared, double Mae, double Seconds);

/// <summary>
/// The result of training one partition: the model's bytes (ML.NET's zip, or the coefficients of R's lm as JSON), its
/// metrics, and its held-out rows' actual and predicted views.
/// </summary>
public sealed record TrainedModel(byte[] Model, PartitionMetrics Metrics, Holdout Holdout)
{
    /// <summary>A sample of the held-out predictions, for a chart.</summary>
    public List<(double Actual, double Predicted)> Sample => Holdout.Actual.Zip(Holdout.Predicted, (a, p) => ((double)a, (double)p)).Take(400).ToList();
}

/// <summary>What scripts/score.py returns: scikit-learn's scores of each region.</summary>
public sealed record ScoreOutput(List<RegionScore> Regions);

/// <summary>scikit-learn's scores of one region's held-out predictions.</summary>
public sealed record RegionScore(string Region, double RSquared, double Rmse, double Mae);

/// <summary>A region's held-out rows: the actual views and what its model predicted, in the same order.</summary>
public sealed record Holdout(string Region, float[] Actual, float[] Predicted);

/// <summary>The columns of some rows, as a script reads them: one array of each feature, and the views.</summary>
public sealed record ScriptColumns(float[] Budget, float[] RuntimeMinutes, float[] StarPower, float[] Marketing, float[] DaysSinceLaunch, float[] Weekend, float[] Views)
{
    /// <summary>The columns of <paramref name="rows"/>.</summary>
    public static ScriptColumns Of(IReadOnlyList<TitleDay> rows) => new(
        [.. rows.Select(r => r.Budget)], [.. rows.Select(r => r.RuntimeMinutes)], [.. rows.Select(r => r.StarPower)],
        [.. rows.Select(r => r.Marketing)], [.. rows.Select(r => r.DaysSinceLaunch)], [.. rows.Select(r => r.Weekend)], [.. rows.Select(r => r.Views)]);
}

/// <summary>What fit.R returns: lm's coefficients (the intercept, then one per feature column) and its held-out predictions.</summary>
public sealed record LinearFit(double[] Coefficients, double[] Predictions);

/// <summary>A model of R's lm, stored as JSON: the intercept and one coefficient per feature column.</summary>
public sealed record LinearModel(string Kind, string[] Features, double[] Coefficients)
{
    /// <summary>The value of <see cref="Kind"/> that marks a stored linear model.</summary>
    public const string LinearKind = "lm";
}

/// <summary>Trains, saves and loads one region's model: ML.NET's FastTree regression of views on the features.</summary>
public sealed class TitleModel
{
    /// <summary>The feature columns, in the order the model concatenates them.</summary>
    public static readonly string[] FeatureColumns =
    [
        nameof(TitleFeatures.Budget), nameof(TitleFeatures.RuntimeMinutes), nameof(TitleFeatures.StarPower),
        nameof(TitleFeatures.Marketing), nameof(TitleFeatures.DaysSinceLaunch), nameof(TitleFeatures.Weekend),
    ];

    private readonly MLContext _context;
    private readonly PredictionEngine<TitleFeatures, ViewsPrediction>? _engine;
    private readonly double[]? _coefficients;

    private TitleModel(MLContext context, ITransformer transformer)
    {
        _context = context;
        _engine = context.Model.CreatePredictionEngine<TitleFeatures, ViewsPrediction>(transformer);
    }

    private TitleModel(double[] coefficients)
    {
        _context = new MLContext();
        _coefficients = coefficients;
    }

    /// <summary>Whether it is a linear model of R's lm (else ML.NET's FastTree).</summary>
    public bool IsLinear => _coefficients is not null;

    /// <summary>The smallest partition that can be trained and evaluated.</summary>
    public const int MinimumRows = 50;

    /// <summary>
    /// Trains a model on 80 % of <paramref name="rows"/> and evaluates it on the other 20 % (a split fixed by
    /// <paramref name="seed"/>). A partition with fewer than <see cref="MinimumRows"/> rows is an error that names it.
    /// </summary>
    public static TrainedModel Train(string region, IReadOnlyList<TitleDay> rows, int trees, int seed)
    {
        var clock = Stopwatch.StartNew();
        Check(region, rows);
        var context = new MLContext(seed);
        var data = context.Data.LoadFromEnumerable(rows.Select(TitleFeatures.Of).ToList());
        var split = context.Data.TrainTestSplit(data, testFraction: 0.2, seed: seed);
        var pipeline = context.Transforms.Concatenate("Features", FeatureColumns)
            .Append(context.Regression.Trainers.FastTree(
                labelColumnName: nameof(TitleFeatures.Label),
                featureColumnName: "Features",
                numberOfLeaves: 31,
                numberOfTrees: trees,
                minimumExampleCountPerLeaf: 20,
                learningRate: 0.1));
        var model = pipeline.Fit(split.TrainSet);
        var predictions = model.Transform(split.TestSet);
        var metrics = context.Regression.Evaluate(predictions, labelColumnName: nameof(TitleFeatures.Label));

        var actual = predictions.GetColumn<float>(nameof(TitleFeatures.Label)).ToArray();
        var predicted = predictions.GetColumn<float>("Score").ToArray();

        using var bytes = new MemoryStream();
        context.Model.Save(model, data.Schema, bytes);
        var testRows = actual.Length;
        return new TrainedModel(
            bytes.ToArray(),
            new PartitionMetrics(region, rows.Count, rows.Count - testRows, testRows, Math.Round(metrics.RootMeanSquaredError, 4), Math.Round(metrics.RSquared, 4), Math.Round(metrics.MeanAbsoluteError, 4), Math.Round(clock.Elapsed.TotalSeconds, 3)),
            new Holdout(region, actual, predicted));
    }

    /// <summary>
    /// Trains a linear model with R's <c>lm</c> (scripts/fit.R, through <see cref="Script"/>) on 80 % of
    /// <paramref name="rows"/> and evaluates it on the other 20 % (a split fixed by <paramref name="seed"/>).
    /// </summary>
    public static TrainedModel TrainInR(string region, IReadOnlyList<TitleDay> rows, int seed, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        Check(region, rows);
        var order = Enumerable.Range(0, rows.Count).ToArray();
        new Random(seed).Shuffle(order);
        var testCount = Math.Max(1, rows.Count / 5);
        var test = order.Take(testCount).Select(i => rows[i]).ToList();
        var train = order.Skip(testCount).Select(i => rows[i]).ToList();
        var fit = Script.Run<LinearFit>(Path.Combine("scripts", "fit.R"), new { Region = region, Train = ScriptColumns.Of(train), Test = ScriptColumns.Of(test) }, cancellationToken);
        if (fit.Coefficients.Length != FeatureColumns.Length + 1 || fit.Predictions.Length != test.Count)
        {
            throw new InvalidDataException($"fit.R returned {fit.Coefficients.Length} coefficients and {fit.Predictions.Length} predictions; expected {FeatureColumns.Length + 1} and {test.Count}.");
        }

        var actual = test.Select(r => r.Views).ToArray();
        var predicted = fit.Predictions.Select(p => (float)p).ToArray();
        var (rmse, r2, mae) = Evaluate(actual, predicted);
        var model = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new LinearModel(LinearModel.LinearKind, FeatureColumns, fit.Coefficients));
        return new TrainedModel(
            model,
            new PartitionMetrics(region, rows.Count, train.Count, test.Count, Math.Round(rmse, 4), Math.Round(r2, 4), Math.Round(mae, 4), Math.Round(clock.Elapsed.TotalSeconds, 3)),
            new Holdout(region, actual, predicted));
    }

    /// <summary>RMSE, R² and MAE of <paramref name="predicted"/> against <paramref name="actual"/>, as ML.NET defines them.</summary>
    public static (double Rmse, double RSquared, double Mae) Evaluate(IReadOnlyList<float> actual, IReadOnlyList<float> predicted)
    {
        var mean = actual.Average(a => (double)a);
        var residual = actual.Zip(predicted, (a, p) => Math.Pow(a - (double)p, 2)).Sum();
        var total = actual.Sum(a => Math.Pow(a - mean, 2));
        return (Math.Sqrt(residual / actual.Count), 1 - residual / total, actual.Zip(predicted, (a, p) => Math.Abs(a - (double)p)).Average());
    }

    private static void Check(string region, IReadOnlyList<TitleDay> rows)
    {
        if (rows.Count == 0)
        {
            throw new InvalidDataException($"The partition {TitleData.FolderOf(region)} is empty: its Parquet files hold no rows.");
        }

        if (rows.Count < MinimumRows)
        {
            throw new InvalidDataException($"The partition {TitleData.FolderOf(region)} has {rows.Count} rows, too few to train and evaluate a model (at least {MinimumRows}).");
        }
    }

    /// <summary>A model saved by <see cref="Train"/> or <see cref="TrainInR"/> (its bytes, as stored in the flow's artifacts), ready to predict.</summary>
    public static TitleModel Load(byte[] model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Length > 0 && model[0] == (byte)'{')
        {
            var linear = System.Text.Json.JsonSerializer.Deserialize<LinearModel>(model);
            return linear is { Kind: LinearModel.LinearKind } && linear.Coefficients.Length == FeatureColumns.Length + 1 && linear.Features.SequenceEqual(FeatureColumns)
                ? new TitleModel(linear.Coefficients)
                : throw new InvalidDataException($"These {model.Length} bytes are JSON, but not a linear model of the features {string.Join(", ", FeatureColumns)}.");
        }

        var context = new MLContext();
        using var stream = new MemoryStream(model, writable: false);
        return new TitleModel(context, context.Model.Load(stream, out _));
    }

    /// <summary>The expected views (thousands) of a title with these features.</summary>
    public float Predict(TitleFeatures features) => _coefficients is { } c
        ? (float)(c[0] + c[1] * features.Budget + c[2] * features.RuntimeMinutes + c[3] * features.StarPower + c[4] * features.Marketing + c[5] * features.DaysSinceLaunch + c[6] * features.Weekend)
        : _engine!.Predict(features).Views;

    /// <summary>The expected views (thousands) of each row.</summary>
    public List<float> Predict(IEnumerable<TitleDay> rows) => rows.Select(r => Predict(TitleFeatures.Of(r))).ToList();

    /// <summary>The context the model was loaded into, for ML.NET's own APIs (batch scoring, evaluation).</summary>
    public MLContext Context => _context;
}
