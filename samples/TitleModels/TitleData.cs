using System.Globalization;
using System.IO;
using System.Threading;
using Amazon.S3;
using Amazon.S3.Model;
using Flow.S3;
using Parquet.Serialization;

namespace TitleModelling;

/// <summary>One row of the dataset: a title's views on one day in one region, with the features that explain them.</summary>
public sealed class TitleDay
{
    /// <summary>The title's name.</summary>
    public string Title { get; set; } = "";

    /// <summary>The region (the partition), an ISO country code.</summary>
    public string Region { get; set; } = "";

    /// <summary>The day the views were counted (UTC midnight).</summary>
    public DateTime Day { get; set; }

    /// <summary>The title's production budget, millions of dollars.</summary>
    public float Budget { get; set; }

    /// <summary>The title's running time, minutes.</summary>
    public float RuntimeMinutes { get; set; }

    /// <summary>How well known the title's cast is, 0 to 1.</summary>
    public float StarPower { get; set; }

    /// <summary>What was spent marketing the title in the region, millions of dollars.</summary>
    public float Marketing { get; set; }

    /// <summary>Days since the title launched in the region.</summary>
    public float DaysSinceLaunch { get; set; }

    /// <summary>1 on Saturdays and Sundays, else 0.</summary>
    public float Weekend { get; set; }

    /// <summary>The views that day, thousands: what the models predict.</summary>
    public float Views { get; set; }
}

/// <summary>
/// A partition of the dataset: a region, its Parquet files (local paths or <c>s3://</c> locations), and what the files
/// are now (each one's size and modification time, or its S3 ETag). A [Cache] step that trains on a partition keys on
/// the whole record, so rewriting a file trains again, and leaving it alone does not.
/// </summary>
public sealed record Partition(string Region, List<string> Files, List<string> Versions);

/// <summary>Lists and reads the partitions of a dataset: <c>region=NAME/*.parquet</c> under a local folder or an S3 prefix.</summary>
public static class TitleData
{
    /// <summary>The folder name of a region's partition.</summary>
    public static string FolderOf(string region) => "region=" + region;

    /// <summary>Whether <paramref name="location"/> is an S3 location.</summary>
    public static bool IsS3(string location) => location.StartsWith("s3://", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The partitions under <paramref name="data"/>, ordered by region: each <c>region=NAME</c> folder (or prefix) with
    /// its <c>.parquet</c> files. A missing folder, a folder without partitions, or a partition without Parquet files
    /// is an <see cref="ArgumentException"/> that says which.
    /// </summary>
    public static List<Partition> List(string data)
    {
        if (string.IsNullOrWhiteSpace(data))
        {
            throw new ArgumentException("--data is required: a folder or an s3://bucket/prefix written by make-data.");
        }

        var partitions = IsS3(data) ? ListS3(data) : ListLocal(data);
        if (partitions.Count == 0)
        {
            throw new ArgumentException($"--data: {data} holds no partitions (region=NAME folders of .parquet files); write some with make-data --output {data}.");
        }

        var empty = partitions.FirstOrDefault(p => p.Files.Count == 0);
        if (empty is not null)
        {
            throw new ArgumentException($"--data: the partition {FolderOf(empty.Region)} in {data} has no .parquet files.");
        }

        return partitions;
    }

    private static List<Partition> ListLocal(string data)
    {
        var folder = Path.GetFullPath(data);
        if (!Directory.Exists(folder))
        {
            throw new ArgumentException($"--data: the folder {folder} does not exist; write the dataset there with make-data --output {data}.");
        }

        return Directory.EnumerateDirectories(folder, "region=*")
            .Select(d =>
            {
                var files = Directory.EnumerateFiles(d, "*.parquet").Order(StringComparer.Ordinal).ToList();
                var versions = files.Select(f => new FileInfo(f)).Select(f => $"{f.Length}:{f.LastWriteTimeUtc.Ticks}").ToList();
                return new Partition(Path.GetFileName(d)["region=".Length..], files, versions);
            })
            .Where(p => p.Region.Length > 0)
            .OrderBy(p => p.Region, StringComparer.Ordinal)
            .ToList();
    }

    private static List<Partition> ListS3(string data)
    {
        var root = S3Root.Parse(data.TrimEnd('/'));
        var prefix = root.Prefix.Length == 0 ? "" : root.Prefix + "/";
        var files = new SortedDictionary<string, List<(string Location, string ETag)>>(StringComparer.Ordinal);
        using var client = S3Clients.Create();
        var request = new ListObjectsV2Request { BucketName = root.Bucket, Prefix = prefix };
        try
        {
            ListObjectsV2Response response;
            do
            {
                response = client.ListObjectsV2Async(request).GetAwaiter().GetResult();
                foreach (var item in response.S3Objects ?? [])
                {
                    var relative = item.Key[prefix.Length..];
                    var slash = relative.IndexOf('/', StringComparison.Ordinal);
                    if (slash <= 0 || !relative.StartsWith("region=", StringComparison.Ordinal))
                    {
                        continue;
                    }

                    var region = relative["region=".Length..slash];
                    if (!files.TryGetValue(region, out var list))
                    {
                        files[region] = list = [];
                    }

                    if (relative.EndsWith(".parquet", StringComparison.Ordinal) && relative.IndexOf('/', slash + 1) < 0)
                    {
                        list.Add(($"s3://{root.Bucket}/{item.Key}", item.ETag ?? ""));
                    }
                }

                request.ContinuationToken = response.NextContinuationToken;
            }
            while (response.IsTruncated == true);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchBucket")
        {
            throw new ArgumentException($"--data: the bucket {root.Bucket} does not exist ({data}).", e);
        }

        return files.Where(f => f.Key.Length > 0)
            .Select(f => new Partition(f.Key, f.Value.Select(v => v.Location).ToList(), f.Value.Select(v => v.ETag).ToList()))
            .ToList();
    }

    /// <summary>Reads a partition's rows, through <see cref="S3Transfer"/> when its files are on S3.</summary>
    public static List<TitleDay> Read(Partition partition, CancellationToken cancellationToken = default)
    {
        var rows = new List<TitleDay>();
        using var transfer = partition.Files.Any(IsS3) ? new S3Transfer() : null;
        foreach (var file in partition.Files)
        {
            using var stream = transfer is null
                ? (Stream)File.OpenRead(file)
                : new MemoryStream(transfer.GetAsync(file, cancellationToken).GetAwaiter().GetResult(), writable: false);
            try
            {
                rows.AddRange(ParquetSerializer.DeserializeAsync<TitleDay>(stream, cancellationToken: cancellationToken).GetAwaiter().GetResult().Data);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or NotSupportedException or Parquet.ParquetException)
            {
                throw new InvalidDataException($"{file} is not a Parquet file of the dataset's rows: {e.Message}", e);
            }
        }

        return rows;
    }

    /// <summary>Writes <paramref name="rows"/> as one Parquet file into memory.</summary>
    public static byte[] Write(IReadOnlyCollection<TitleDay> rows)
    {
        using var stream = new MemoryStream();
        ParquetSerializer.SerializeAsync(rows, stream).GetAwaiter().GetResult();
        return stream.ToArray();
    }

    internal static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
