using System.Diagnostics;
using System.IO;
using Microsoft.ML;
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

/// <summary>The result of training one partition: the model's bytes (ML.NET's zip), its metrics and a sample of its predictions.</summary>
public sealed record TrainedModel(byte[] Model, PartitionMetrics Metrics, List<(double Actual, double Predicted)> Sample);

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
    private readonly PredictionEngine<TitleFeatures, ViewsPrediction> _engine;

    private TitleModel(MLContext context, ITransformer transformer)
    {
        _context = context;
        _engine = context.Model.CreatePredictionEngine<TitleFeatures, ViewsPrediction>(transformer);
    }

    /// <summary>The smallest partition that can be trained and evaluated.</summary>
    public const int MinimumRows = 50;

    /// <summary>
    /// Trains a model on 80 % of <paramref name="rows"/> and evaluates it on the other 20 % (a split fixed by
    /// <paramref name="seed"/>). A partition with fewer than <see cref="MinimumRows"/> rows is an error that names it.
    /// </summary>
    public static TrainedModel Train(string region, IReadOnlyList<TitleDay> rows, int trees, int seed)
    {
        var clock = Stopwatch.StartNew();
        if (rows.Count == 0)
        {
            throw new InvalidDataException($"The partition {TitleData.FolderOf(region)} is empty: its Parquet files hold no rows.");
        }

        if (rows.Count < MinimumRows)
        {
            throw new InvalidDataException($"The partition {TitleData.FolderOf(region)} has {rows.Count} rows, too few to train and evaluate a model (at least {MinimumRows}).");
        }

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

        var actual = predictions.GetColumn<float>(nameof(TitleFeatures.Label)).ToList();
        var predicted = predictions.GetColumn<float>("Score").ToList();
        var sample = actual.Zip(predicted, (a, p) => ((double)a, (double)p)).Take(400).ToList();

        using var bytes = new MemoryStream();
        context.Model.Save(model, data.Schema, bytes);
        var testRows = actual.Count;
        return new TrainedModel(
            bytes.ToArray(),
            new PartitionMetrics(region, rows.Count, rows.Count - testRows, testRows, Math.Round(metrics.RootMeanSquaredError, 4), Math.Round(metrics.RSquared, 4), Math.Round(metrics.MeanAbsoluteError, 4), Math.Round(clock.Elapsed.TotalSeconds, 3)),
            sample);
    }

    /// <summary>A model saved by <see cref="Train"/> (its bytes, as stored in the flow's artifacts), ready to predict.</summary>
    public static TitleModel Load(byte[] model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var context = new MLContext();
        using var stream = new MemoryStream(model, writable: false);
        return new TitleModel(context, context.Model.Load(stream, out _));
    }

    /// <summary>The expected views (thousands) of a title with these features.</summary>
    public float Predict(TitleFeatures features) => _engine.Predict(features).Views;

    /// <summary>The expected views (thousands) of each row.</summary>
    public List<float> Predict(IEnumerable<TitleDay> rows) => rows.Select(r => Predict(TitleFeatures.Of(r))).ToList();

    /// <summary>The context the model was loaded into, for ML.NET's own APIs (batch scoring, evaluation).</summary>
    public MLContext Context => _context;
}
