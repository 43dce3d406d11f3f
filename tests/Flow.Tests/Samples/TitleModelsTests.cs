using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using Flow.Client;
using Flow.Datastore;
using Flow.Execution;
using Flow.Tests.Infrastructure;
using Npgsql;
using NUnit.Framework;
using TitleModelling;

namespace Flow.Tests.Samples
{
    /// <summary>The TitleModels sample on a small dataset: its data, its flow run end to end, its models loaded back, its results in DuckDB.</summary>
    public class TitleModelsTests
    {
        private const int Partitions = 4;
        private const int Rows = 2000;
        private const int Seed = 3;

        private string _folder = "";
        private string _data = "";
        private string _duckDb = "";
        private RunResult _result = null!;
        private Run<TitleModels> _run = null!;
        private TitleModels _end = null!;

        [OneTimeSetUp]
        public async Task RunTheFlowAsync()
        {
            _folder = Directory.CreateTempSubdirectory("flow-titles-").FullName;
            _data = Path.Combine(_folder, "data");
            _duckDb = Path.Combine(_folder, "metrics.duckdb");
            Assert.That(MakeDataCommand.Write(_data, Partitions, Rows, Seed, TextWriter.Null), Is.EqualTo(0));
            _result = await RunAsync(_folder, new() { ["Data"] = _data, ["ResultsDb"] = _duckDb });
            Assert.That(_result.Succeeded, Is.True, _result.Error?.ToString());
            _run = await Client(_folder).Flow<TitleModels>().GetAsync(_result.RunId);
            _end = await _run.DataAsync();
        }

        [OneTimeTearDown]
        public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

        internal static FlowClient Client(string root) => new(FlowDatastore.Local(root)) { Namespace = null };

        /// <summary>The environment the sample's scripts need: the Python with scikit-learn (and R, for --model r, from PATH).</summary>
        internal static Dictionary<string, string> ScriptEnvironment(Dictionary<string, string>? more = null)
        {
            var environment = new Dictionary<string, string>(more ?? []) { ["FLOW_PYTHON"] = Flow.Tests.Scripts.Interpreters.PythonWithScikitLearn };
            return environment;
        }

        internal static Task<RunResult> RunAsync(string root, Dictionary<string, string> parameters)
        {
            // The scoring step runs python3 from FLOW_PYTHON: the tests' own, which has scikit-learn.
            Environment.SetEnvironmentVariable("FLOW_PYTHON", Flow.Tests.Scripts.Interpreters.PythonWithScikitLearn);
            var options = new RunOptions
            {
                User = "tester", Datastore = FlowDatastore.Local(root), Log = TextWriter.Null, Output = TextWriter.Null, MaxWorkers = 2,
                Isolation = TaskIsolation.InProcess,
            };
            return new LocalScheduler(Cli.FlowApp.DefinitionOf<TitleModels>(), options).RunAsync(parameters);
        }

        /// <summary>R² of <paramref name="predicted"/> against <paramref name="actual"/>.</summary>
        internal static double RSquared(IReadOnlyList<float> actual, IReadOnlyList<float> predicted)
        {
            var mean = actual.Average();
            var total = actual.Sum(a => Math.Pow(a - mean, 2));
            var residual = actual.Zip(predicted, (a, p) => Math.Pow(a - p, 2)).Sum();
            return 1 - residual / total;
        }

        [Test]
        public void MakeDataWritesOneParquetFilePerRegionThatReadsBack()
        {
            var partitions = TitleData.List(_data);
            Assert.That(partitions.Select(p => p.Region), Is.EqualTo(new[] { "DE", "FR", "GB", "US" }), "the first four regions, ordered");
            Assert.That(partitions, Has.All.Property(nameof(Partition.Files)).Count.EqualTo(1));
            var rows = TitleData.Read(partitions[3]);
            Assert.That(rows, Has.Count.EqualTo(Rows));
            Assert.That(rows, Has.All.Property(nameof(TitleDay.Region)).EqualTo("US"));
            Assert.That(rows.Select(r => r.Title).Distinct().Count(), Is.GreaterThan(20));
            Assert.That(rows.Min(r => r.Day), Is.GreaterThanOrEqualTo(Synthetic.FirstDay));
            Assert.That(rows.Max(r => r.Day), Is.LessThan(Synthetic.FirstDay.AddDays(Synthetic.Days)));
            Assert.That(rows, Has.All.Matches<TitleDay>(r => r.Views > 0 && r.Budget > 0 && r.StarPower is >= 0 and <= 1 && r.Weekend is 0 or 1));

            // The same seed writes the same data.
            var again = Path.Combine(_folder, "again");
            MakeDataCommand.Write(again, 1, Rows, Seed, TextWriter.Null);
            var first = TitleData.Read(TitleData.List(again)[0]);
            var original = TitleData.Read(TitleData.List(_data).Single(p => p.Region == "US"));
            Assert.That(first.Select(r => (r.Title, r.Day, r.Views)), Is.EqualTo(original.Select(r => (r.Title, r.Day, r.Views))));
        }

        [Test]
        public async Task ASecondRunTrainsOnlyThePartitionsWhoseFilesChanged()
        {
            var folder = Directory.CreateTempSubdirectory("flow-titles-cache-").FullName;
            try
            {
                var data = Path.Combine(folder, "data");
                Assert.That(MakeDataCommand.Write(data, 3, 500, Seed, TextWriter.Null), Is.EqualTo(0));
                var parameters = new Dictionary<string, string> { ["Data"] = data, ["ResultsDb"] = Path.Combine(folder, "metrics.duckdb") };
                var first = await RunAsync(folder, parameters);
                Assert.That((first.Succeeded, first.CachedCount), Is.EqualTo((true, 0)), first.Error?.ToString());

                var second = await RunAsync(folder, parameters);
                Assert.That((second.Succeeded, second.CachedCount), Is.EqualTo((true, 3)), "every partition's model is the first run's");
                var models = (await (await Client(folder).Flow<TitleModels>().GetAsync(second.RunId)).DataAsync()).Models;
                var firstModels = (await (await Client(folder).Flow<TitleModels>().GetAsync(first.RunId)).DataAsync()).Models;
                Assert.That(models.Keys, Is.EquivalentTo(firstModels.Keys));
                Assert.That(models.All(m => m.Value.SequenceEqual(firstModels[m.Key])), Is.True);

                // One partition's file is written again: only its model is trained again.
                var file = Directory.EnumerateFiles(data, "*.parquet", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
                File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddMinutes(1));
                var third = await RunAsync(folder, parameters);
                Assert.That((third.Succeeded, third.CachedCount), Is.EqualTo((true, 2)));

                // A parameter the step reads trains every partition again.
                var fourth = await RunAsync(folder, new(parameters) { ["Trees"] = "20" });
                Assert.That((fourth.Succeeded, fourth.CachedCount), Is.EqualTo((true, 0)));
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        [Test]
        public void ThePythonStepScoresEveryRegionAsTheJoinDid()
        {
            Assert.That(_end.Scores.Select(s => s.Region), Is.EqualTo(_end.AllMetrics.Select(m => m.Region)));
            foreach (var score in _end.Scores)
            {
                var metrics = _end.AllMetrics.Single(m => m.Region == score.Region);
                Assert.That(score.RSquared, Is.EqualTo(metrics.RSquared).Within(1e-3), $"scikit-learn's R² of {score.Region}");
                Assert.That(score.Rmse, Is.EqualTo(metrics.Rmse).Within(1e-2), $"scikit-learn's RMSE of {score.Region}");
            }
        }

        [Test]
        public async Task WithModelRAnRFitsEachRegionAndTheClientPredictsWithItsCoefficients()
        {
            Environment.SetEnvironmentVariable("FLOW_RSCRIPT", Flow.Tests.Scripts.Interpreters.Rscript);
            var result = await RunAsync(_folder, new() { ["Data"] = _data, ["ResultsDb"] = Path.Combine(_folder, "r.duckdb"), ["ModelKind"] = "r", ["ScoreWith"] = "none" });
            Assert.That(result.Succeeded, Is.True, result.Error?.ToString());
            var run = await Client(_folder).Flow<TitleModels>().GetAsync(result.RunId);
            var data = await run.DataAsync();
            Assert.That(data.AllMetrics, Has.Count.EqualTo(Partitions));
            Assert.That(data.AllMetrics.Select(m => m.RSquared), Has.All.GreaterThan(0.2), "a linear model explains part of the views");
            Assert.That(data.Scores, Is.Empty, "--score none skips the Python step");

            var region = data.AllMetrics[0].Region;
            var model = TitleModel.Load(data.Models[region]);
            Assert.That(model.IsLinear, Is.True);
            var holdout = data.Holdouts.Single(h => h.Region == region);
            var rows = TitleData.Read(TitleData.List(_data).Single(p => p.Region == region));
            var predicted = model.Predict(rows);
            Assert.That(RSquared(rows.Select(r => r.Views).ToList(), predicted), Is.GreaterThan(0.2), "the coefficients read back predict the region's views");
            Assert.That(holdout.Actual, Has.Length.EqualTo(holdout.Predicted.Length));
            var stderr = await (await run.StepAsync("Train")).First().StderrAsync();
            Assert.That(stderr, Does.Contain("lm on"), "R's messages are in the task's log");
        }

        [Test]
        public void EachPartitionGetsAModelEvaluatedOnHeldOutRows()
        {
            Assert.That(_end.AllMetrics.Select(m => m.Region), Is.EqualTo(new[] { "DE", "FR", "GB", "US" }));
            Assert.That(_end.Models.Keys, Is.EquivalentTo(new[] { "DE", "FR", "GB", "US" }));
            foreach (var m in _end.AllMetrics)
            {
                Assert.That(m.Rows, Is.EqualTo(Rows), m.Region);
                Assert.That(m.TestRows, Is.InRange(300, 500), $"{m.Region}: about a fifth held out");
                Assert.That(m.TrainRows + m.TestRows, Is.EqualTo(Rows), m.Region);
                Assert.That(m.RSquared, Is.InRange(0.2, 1.0), $"{m.Region}: the model explains the views");
                Assert.That(m.Rmse, Is.GreaterThan(0), m.Region);
                Assert.That(m.Mae, Is.InRange(0, m.Rmse), m.Region);
            }

            Assert.That(_end.AllMetrics.Select(m => m.RSquared).Distinct().Count(), Is.EqualTo(Partitions), "each region its own model");
        }

        [Test]
        public void TheMetricsAreInTheDuckDbTable()
        {
            var stored = ResultsTarget.Parse(_duckDb).Read(nameof(TitleModels), _result.RunId);
            Assert.That(stored, Is.EqualTo(_end.AllMetrics));

            // Read with DuckDB itself, as an analyst would.
            using var connection = new DuckDBConnection($"Data Source={_duckDb}");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT count(*), max(r_squared), min(trained_at) FROM {ResultsTarget.Table} WHERE run_id = '{_result.RunId}'";
            using var reader = command.ExecuteReader();
            Assert.That(reader.Read(), Is.True);
            Assert.That(reader.GetInt64(0), Is.EqualTo(Partitions));
            Assert.That(reader.GetDouble(1), Is.EqualTo(_end.AllMetrics.Max(m => m.RSquared)));
        }

        [Test]
        public async Task AModelLoadedBackThroughTheClientPredictsSensibly()
        {
            // The join's dictionary and the training task's own artifact hold the same model.
            var tasks = new List<TitleModels>();
            foreach (var train in await _run.StepAsync("Train"))
            {
                tasks.Add(await train.DataAsync());
            }

            Assert.That(tasks.Select(t => t.Region), Is.EquivalentTo(_end.Models.Keys));
            Assert.That(tasks.Single(t => t.Region == "US").Model, Is.EqualTo(_end.Models["US"]));

            var model = TitleModel.Load(_end.Models["US"]);

            // Rows the model never saw: the same region's data, drawn further.
            var fresh = Synthetic.Partition(Synthetic.Catalogue(Math.Clamp(Rows / 20, 50, 5000), Seed), 0, 2 * Rows, Seed).Skip(Rows).ToList();
            var predicted = model.Predict(fresh);
            Assert.That(predicted.Average(), Is.EqualTo(fresh.Average(r => r.Views)).Within(15).Percent, "about as many views as there were");
            var r2 = RSquared(fresh.Select(r => r.Views).ToList(), predicted);
            Assert.That(r2, Is.GreaterThan(0.5), "the US model predicts unseen US rows well");

            // Another region's model is worse on US rows than the US model.
            var other = TitleModel.Load(_end.Models["FR"]).Predict(fresh);
            Assert.That(RSquared(fresh.Select(r => r.Views).ToList(), other), Is.LessThan(r2));

            // More marketing, more stars, a fresher title: more views.
            var baseline = new TitleFeatures { Budget = 30, RuntimeMinutes = 110, StarPower = 0.3f, Marketing = 3, DaysSinceLaunch = 20 };
            var better = new TitleFeatures { Budget = 30, RuntimeMinutes = 110, StarPower = 0.9f, Marketing = 10, DaysSinceLaunch = 2 };
            Assert.That(model.Predict(better), Is.GreaterThan(model.Predict(baseline)));
        }

        [Test]
        public async Task TheJoinsCardChartsTheMetricsByRegion()
        {
            var join = (await _run.StepAsync("Join")).Single();
            var card = await join.CardAsync();
            Assert.That(card, Does.Contain("R&#178; on held-out rows, by region").And.Contain("RMSE on held-out rows"));
            Assert.That(Regex.Matches(card, "<svg").Count, Is.GreaterThanOrEqualTo(2), "the two charts");
            foreach (var region in new[] { "DE", "FR", "GB", "US" })
            {
                Assert.That(card, Does.Contain($">{region}<"), region);
            }

            var train = (await _run.StepAsync("Train")).First();
            Assert.That(await train.CardAsync(), Does.Contain("predicted against actual"));
        }

        [Test]
        public void TheTwoCommandsOfTheReadmeRunTheBuiltProgram()
        {
            var folder = Directory.CreateTempSubdirectory("flow-titles-cli-").FullName;
            try
            {
                var make = TestProcess.RunProgram(RepoPaths.SampleDll("TitleModels"), folder, null, "make-data", "--output", "data", "--partitions", "3", "--rows", "1000");
                Assert.That(make.Code, Is.EqualTo(0), make.ToString());
                Assert.That(make.Output, Does.Contain("wrote 3 partitions × 1,000 rows"), make.ToString());

                var run = TestProcess.RunProgram(RepoPaths.SampleDll("TitleModels"), folder, ScriptEnvironment(), "run", "--data", "data");
                Assert.That(run.Code, Is.EqualTo(0), run.ToString());
                Assert.That(run.Output, Does.Contain("3 partitions in data").And.Contain("3 regions' metrics written to title_model_metrics in DuckDB"), run.ToString());
                var best = Regex.Match(run.Output, @"best:  (\w+) \(R² ([\d.]+)");
                var worst = Regex.Match(run.Output, @"worst: (\w+) \(R² ([\d.]+)");
                Assert.That(best.Success && worst.Success, Is.True, run.ToString());
                Assert.That(double.Parse(best.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThanOrEqualTo(double.Parse(worst.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)));

                // The default results file, in the folder the flow ran in.
                var runId = Regex.Match(run.Output + run.Error, @"run (\d+-\w+) succeeded").Groups[1].Value;
                Assert.That(runId, Is.Not.Empty, run.ToString());
                var stored = ResultsTarget.Parse(Path.Combine(folder, "results.duckdb")).Read(nameof(TitleModels), runId);
                Assert.That(stored.Select(m => m.Region), Is.EqualTo(new[] { "DE", "GB", "US" }));
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        [Test]
        public void MakeDataRefusesBadArguments()
        {
            var folder = Directory.CreateTempSubdirectory("flow-titles-cli-").FullName;
            try
            {
                var result = TestProcess.RunProgram(RepoPaths.SampleDll("TitleModels"), folder, null, "make-data", "--output", "data", "--partitions", "0");
                Assert.That(result.Code, Is.EqualTo(2), result.ToString());
                Assert.That(result.Error, Does.Contain("--partitions must be between 1 and 1000, not 0"), result.ToString());
                Assert.That(Directory.Exists(Path.Combine(folder, "data")), Is.False);

                var few = TestProcess.RunProgram(RepoPaths.SampleDll("TitleModels"), folder, null, "make-data", "--output", "data", "--rows", "49");
                Assert.That(few.Code, Is.EqualTo(2), few.ToString());
                Assert.That(few.Error, Does.Contain("--rows must be between 50 (the fewest a model is trained on) and 10,000,000, not 49"), few.ToString());

                var missing = TestProcess.RunProgram(RepoPaths.SampleDll("TitleModels"), folder, null, "make-data");
                Assert.That(missing.Code, Is.EqualTo(2), missing.ToString());
                Assert.That(missing.Error, Does.Contain("--output"), missing.ToString());
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        [Test]
        public async Task AMissingDataFolderFailsTheRunSayingSo()
        {
            var result = await RunAsync(_folder, new() { ["Data"] = Path.Combine(_folder, "nowhere"), ["ResultsDb"] = _duckDb });
            Assert.That(result.Succeeded, Is.False);
            Assert.That(result.Error!.Message, Does.Contain("--data: the folder").And.Contain("nowhere does not exist"));
        }

        [Test]
        public async Task AFolderWithoutPartitionsOrAPartitionWithoutFilesFailsTheRun()
        {
            var empty = Directory.CreateDirectory(Path.Combine(_folder, "empty-" + Guid.NewGuid().ToString("N"))).FullName;
            var result = await RunAsync(_folder, new() { ["Data"] = empty, ["ResultsDb"] = _duckDb });
            Assert.That(result.Succeeded, Is.False);
            Assert.That(result.Error!.Message, Does.Contain("holds no partitions"));

            Directory.CreateDirectory(Path.Combine(empty, "region=XX"));
            result = await RunAsync(_folder, new() { ["Data"] = empty, ["ResultsDb"] = _duckDb });
            Assert.That(result.Succeeded, Is.False);
            Assert.That(result.Error!.Message, Does.Contain("the partition region=XX").And.Contain("has no .parquet files"));
        }

        [Test]
        public async Task AnEmptyPartitionFailsItsTaskNamingIt()
        {
            var data = Path.Combine(_folder, "with-empty-" + Guid.NewGuid().ToString("N"));
            MakeDataCommand.Write(data, 2, 500, Seed, TextWriter.Null);
            Directory.CreateDirectory(Path.Combine(data, "region=ZZ"));
            await File.WriteAllBytesAsync(Path.Combine(data, "region=ZZ", "part-00000.parquet"), TitleData.Write([]));
            var result = await RunAsync(_folder, new() { ["Data"] = data, ["ResultsDb"] = _duckDb });
            Assert.That(result.Succeeded, Is.False);
            Assert.That(result.Error!.Message, Does.Contain("The partition region=ZZ is empty"));
        }

        [Test]
        public async Task AFileThatIsNotParquetFailsItsTaskNamingIt()
        {
            var data = Path.Combine(_folder, "damaged-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path.Combine(data, "region=QQ"));
            await File.WriteAllTextAsync(Path.Combine(data, "region=QQ", "part-00000.parquet"), "not parquet");
            var result = await RunAsync(_folder, new() { ["Data"] = data, ["ResultsDb"] = _duckDb });
            Assert.That(result.Succeeded, Is.False);
            Assert.That(result.Error!.Message, Does.Contain("region=QQ").And.Contain("is not a Parquet file of the dataset's rows"));
        }

        [TestCase("Host=127.0.0.1;Colour=blue", "--results-db is not a PostgreSQL connection string Npgsql can read")]
        [TestCase("Port=5432;Username=x", "names no Host")]
        [TestCase("/no/such/folder/results.duckdb", "the folder of the DuckDB file /no/such/folder/results.duckdb does not exist")]
        public async Task ABadResultsDatabaseFailsTheRunBeforeTraining(string resultsDb, string message)
        {
            var result = await RunAsync(_folder, new() { ["Data"] = _data, ["ResultsDb"] = resultsDb });
            Assert.That(result.Succeeded, Is.False);
            Assert.That(result.Error!.Message, Does.Contain(message));
            var run = await Client(_folder).Flow<TitleModels>().GetAsync(result.RunId);
            Assert.That(await run.StepAsync("Train"), Is.Empty, "nothing was trained");
        }
    }

    /// <summary>The TitleModels sample writing its results to a real PostgreSQL 15 server of its own.</summary>
    public class TitleModelsPostgresTests
    {
        private PostgresServer? _server;
        private string _folder = "";

        [OneTimeSetUp]
        public void StartServer()
        {
            _server = PostgresServer.Start();
            _folder = Directory.CreateTempSubdirectory("flow-titles-pg-").FullName;
            MakeDataCommand.Write(Path.Combine(_folder, "data"), 3, 1000, 5, TextWriter.Null);
        }

        [OneTimeTearDown]
        public void StopServer()
        {
            _server?.Dispose();
            if (_folder.Length > 0)
            {
                Directory.Delete(_folder, recursive: true);
            }
        }

        [Test]
        public async Task TheMetricsOfEachRunAreRowsOfTheTable()
        {
            var first = await TitleModelsTests.RunAsync(_folder, new() { ["Data"] = Path.Combine(_folder, "data"), ["ResultsDb"] = _server!.ConnectionString });
            Assert.That(first.Succeeded, Is.True, first.Error?.ToString());
            var second = await TitleModelsTests.RunAsync(_folder, new() { ["Data"] = Path.Combine(_folder, "data"), ["ResultsDb"] = _server.ConnectionString, ["Trees"] = "20" });
            Assert.That(second.Succeeded, Is.True, second.Error?.ToString());

            var end = await (await TitleModelsTests.Client(_folder).Flow<TitleModels>().GetAsync(first.RunId)).DataAsync();
            var target = ResultsTarget.Parse(_server.ConnectionString);
            Assert.That(target.Postgres, Is.True);
            Assert.That(target.Read(nameof(TitleModels), first.RunId), Is.EqualTo(end.AllMetrics));

            await using var connection = new NpgsqlConnection(_server.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"SELECT run_id, count(*), avg(r_squared) FROM {ResultsTarget.Table} GROUP BY run_id ORDER BY run_id", connection);
            await using var reader = await command.ExecuteReaderAsync();
            var runs = new List<(string Run, long Count, double R2)>();
            while (await reader.ReadAsync())
            {
                runs.Add((reader.GetString(0), reader.GetInt64(1), reader.GetDouble(2)));
            }

            Assert.That(runs.Select(r => r.Run), Is.EquivalentTo(new[] { first.RunId, second.RunId }));
            Assert.That(runs.Select(r => r.Count), Has.All.EqualTo(3));
            Assert.That(runs.Single(r => r.Run == first.RunId).R2, Is.EqualTo(end.AllMetrics.Average(m => m.RSquared)).Within(1e-9));
            Assert.That(runs[0].R2, Is.Not.EqualTo(runs[1].R2), "20 trees are not 100");
        }

        [Test]
        public async Task AServerThatDoesNotAnswerFailsTheRunBeforeTraining()
        {
            var port = new Npgsql.NpgsqlConnectionStringBuilder(_server!.ConnectionString).Port;
            var wrong = _server.ConnectionString.Replace($"Port={port}", "Port=1", StringComparison.Ordinal) + ";Timeout=5";
            var result = await TitleModelsTests.RunAsync(_folder, new() { ["Data"] = Path.Combine(_folder, "data"), ["ResultsDb"] = wrong });
            Assert.That(result.Succeeded, Is.False);
            Assert.That(result.Error!.Message, Does.Contain("Cannot open the results database (PostgreSQL 127.0.0.1:1/postgres)"));
        }
    }
}

namespace Flow.Tests.S3
{
    /// <summary>The TitleModels sample with its data and its datastore on S3 (moto): the two commands of its README.</summary>
    public class TitleModelsS3Tests
    {
        [Test]
        public async Task TheSampleTrainsOnDataInS3WithItsDatastoreThere()
        {
            var moto = MotoServer.Current;
            var prefix = $"s3://{MotoServer.Bucket}/titles-{Guid.NewGuid():N}";
            var folder = Directory.CreateTempSubdirectory("flow-titles-s3-").FullName;
            try
            {
                var environment = moto.AwsEnvironment();
                var make = TestProcess.RunProgram(RepoPaths.SampleDll("TitleModels"), folder, environment, "make-data", "--output", prefix + "/data", "--partitions", "4", "--rows", "2000");
                Assert.That(make.Code, Is.EqualTo(0), make.ToString());
                using (var client = moto.Client())
                {
                    var listed = await client.ListObjectsV2Async(new() { BucketName = MotoServer.Bucket, Prefix = Flow.S3.S3Root.Parse(prefix).Prefix + "/data/" });
                    Assert.That(listed.S3Objects.Select(o => o.Key[(o.Key.IndexOf("/data/", StringComparison.Ordinal) + 6)..]), Is.EquivalentTo(new[]
                    {
                        "region=US/part-00000.parquet", "region=GB/part-00000.parquet", "region=DE/part-00000.parquet", "region=FR/part-00000.parquet",
                    }));
                }

                var run = TestProcess.RunProgram(RepoPaths.SampleDll("TitleModels"), folder, Flow.Tests.Samples.TitleModelsTests.ScriptEnvironment(environment),
                    "run", "--data", prefix + "/data", "--datastore-root", prefix + "/flow", "--results-db", "s3-results.duckdb");
                Assert.That(run.Code, Is.EqualTo(0), run.ToString());
                Assert.That(run.Output, Does.Contain($"4 partitions in {prefix}/data"), run.ToString());
                var runId = Regex.Match(run.Output + run.Error, @"run (\d+-\w+) succeeded").Groups[1].Value;
                Assert.That(runId, Is.Not.Empty, run.ToString());

                var data = await new Flow.Client.FlowClient(moto.Open(prefix + "/flow")) { Namespace = null }.Flow<TitleModels>().GetAsync(runId).ContinueWith(r => r.Result.DataAsync()).Unwrap();
                Assert.That(data.Models.Keys, Is.EquivalentTo(new[] { "DE", "FR", "GB", "US" }));
                Assert.That(ResultsTarget.Parse(Path.Combine(folder, "s3-results.duckdb")).Read(nameof(TitleModels), runId), Is.EqualTo(data.AllMetrics));

                // The same rows as a local dataset of the same seed: the models read them through S3Transfer.
                var local = Path.Combine(folder, "local");
                MakeDataCommand.Write(local, 4, 2000, 1, TextWriter.Null);
                var fresh = TitleData.Read(TitleData.List(local).Single(p => p.Region == "US"));
                var predicted = TitleModel.Load(data.Models["US"]).Predict(fresh);
                Assert.That(Flow.Tests.Samples.TitleModelsTests.RSquared(fresh.Select(r => r.Views).ToList(), predicted), Is.GreaterThan(0.5), $"{data.AllMetrics.Single(m => m.Region == "US")} max {fresh.Max(r => r.Views)} mean {fresh.Average(r => r.Views)} predicted mean {predicted.Average()} max {predicted.Max()}");

                var missing = TestProcess.RunProgram(RepoPaths.SampleDll("TitleModels"), folder, environment, "run", "--data", prefix + "/nothing-here", "--results-db", "s3-results.duckdb");
                Assert.That(missing.Code, Is.EqualTo(1), missing.ToString());
                Assert.That(missing.Output + missing.Error, Does.Contain($"--data: {prefix}/nothing-here holds no partitions"), missing.ToString());
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
}
