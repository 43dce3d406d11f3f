using System.CommandLine;
using System.Diagnostics;
using System.IO;
using System.Threading;
using Flow;
using Flow.Cli;
using Flow.S3;

namespace TitleModelling;

/// <summary>
/// <c>make-data --output DIR|s3://bucket/prefix [--partitions N] [--rows N] [--seed N]</c>: writes the synthetic
/// dataset, one Parquet file per region at <c>region=NAME/part-00000.parquet</c>, to a folder or through
/// <see cref="S3Transfer"/> to S3.
/// </summary>
public sealed class MakeDataCommand : FlowProgramCommand
{
    public override string Name => "make-data";

    public override FlowDefinition Flow => FlowApp.DefinitionOf<TitleModels>();

    public override Command Create(FlowCommandContext context)
    {
        var output = new Option<string>("--output") { Description = "Where to write the dataset: a folder or s3://bucket/prefix.", Required = true };
        var partitions = new Option<int>("--partitions") { Description = "How many regions (partitions), 1 to 1000.", DefaultValueFactory = _ => 40 };
        var rows = new Option<int>("--rows") { Description = "Rows per partition, 50 to 10,000,000.", DefaultValueFactory = _ => 25_000 };
        var seed = new Option<int>("--seed") { Description = "The seed: the same seed writes the same data.", DefaultValueFactory = _ => 1 };
        var command = new Command(Name, "Write the synthetic dataset the flow trains on: Parquet files partitioned by region.")
        {
            output, partitions, rows, seed,
        };
        command.SetAction((parsed, cancellationToken) =>
        {
            try
            {
                var written = Write(parsed.GetValue(output)!, parsed.GetValue(partitions), parsed.GetValue(rows), parsed.GetValue(seed), context.Output, cancellationToken);
                return Task.FromResult(written);
            }
            catch (ArgumentException e)
            {
                context.Error.WriteLine($"error: {e.Message}");
                return Task.FromResult(ExitCodes.UsageError);
            }
            catch (FlowException e)
            {
                context.Error.WriteLine($"error: {e.Message}");
                return Task.FromResult(ExitCodes.RunFailed);
            }
            catch (IOException e)
            {
                context.Error.WriteLine($"error: {e.Message}");
                return Task.FromResult(ExitCodes.RunFailed);
            }
            catch (UnauthorizedAccessException e)
            {
                context.Error.WriteLine($"error: {e.Message}");
                return Task.FromResult(ExitCodes.RunFailed);
            }
        });
        return command;
    }

    /// <summary>Writes the dataset; returns the exit code.</summary>
    public static int Write(string output, int partitions, int rows, int seed, TextWriter log, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(output))
        {
            throw new ArgumentException("--output must be a folder or s3://bucket/prefix.");
        }

        if (partitions is < 1 or > 1000)
        {
            throw new ArgumentException($"--partitions must be between 1 and 1000, not {partitions}.");
        }

        if (rows < TitleModel.MinimumRows || rows > 10_000_000)
        {
            throw new ArgumentException(TitleData.Invariant($"--rows must be between {TitleModel.MinimumRows} (the fewest a model is trained on) and 10,000,000, not {rows}."));
        }

        var clock = Stopwatch.StartNew();
        var s3 = TitleData.IsS3(output);
        var root = s3 ? S3Root.Parse(output.TrimEnd('/')).ToString() : Path.GetFullPath(output);
        var catalogue = Synthetic.Catalogue(Math.Clamp(rows / 20, 50, 5000), seed);
        using var transfer = s3 ? new S3Transfer() : null;
        long bytes = 0;
        var options = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount };
        Parallel.For(0, partitions, options, index =>
        {
            var region = Synthetic.Region(index);
            var data = TitleData.Write(Synthetic.Partition(catalogue, index, rows, seed));
            var relative = $"{TitleData.FolderOf(region)}/part-00000.parquet";
            if (transfer is not null)
            {
                transfer.PutAsync($"{root}/{relative}", data, cancellationToken).GetAwaiter().GetResult();
            }
            else
            {
                var path = Path.Combine(root, TitleData.FolderOf(region), "part-00000.parquet");
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllBytes(path + ".tmp", data);
                File.Move(path + ".tmp", path, overwrite: true);
            }

            Interlocked.Add(ref bytes, data.Length);
        });
        log.WriteLine(TitleData.Invariant($"wrote {partitions} partitions × {rows:N0} rows ({bytes / 1048576.0:0.0} MiB of Parquet) to {root} in {clock.Elapsed.TotalSeconds:0.0} s"));
        return ExitCodes.Success;
    }
}
