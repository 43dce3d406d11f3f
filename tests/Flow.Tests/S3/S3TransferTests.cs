using System.Security.Cryptography;
using Flow.Datastore;
using Flow.S3;
using NUnit.Framework;

namespace Flow.Tests.S3;

/// <summary>Many and large objects to and from S3, in parts, with retries and progress.</summary>
public class S3TransferTests
{
    private static MotoServer Moto => MotoServer.Current;

    private static readonly S3TransferOptions SmallParts = new() { PartSize = 5L << 20, MultipartThreshold = 5L << 20, Parallelism = 4 };

    private string _folder = "";

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("flow-transfer-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private static string Uri(string name) => $"s3://{MotoServer.Bucket}/transfer-{TestContext.CurrentContext.Test.MethodName}-{name}";

    // A config passed in keeps its own retry count: the tests set it from MaxAttempts, as the transfer does for a config of its own.
    private static S3Transfer Transfer(S3TransferOptions options, string? endpoint = null)
    {
        var config = MotoServer.Config(endpoint ?? Moto.Endpoint);
        config.MaxErrorRetry = options.MaxAttempts - 1;
        return new(options, config, MotoServer.Credentials);
    }

    [Test]
    public void TheConfigPassedInIsLeftAsItIs()
    {
        var config = MotoServer.Config(Moto.Endpoint);
        config.MaxErrorRetry = 7;
        using var transfer = new S3Transfer(new S3TransferOptions { MaxAttempts = 2 }, config, MotoServer.Credentials);
        Assert.That(config.MaxErrorRetry, Is.EqualTo(7), "a config other clients may share is not changed");
    }

    [Test]
    public async Task ALargeObjectMovesInPartsBetweenMemoryFilesAndS3WithProgress()
    {
        var data = RandomNumberGenerator.GetBytes((23 << 20) + 12345);
        var reports = new List<S3TransferProgress>();
        using var transfer = Transfer(SmallParts with { Progress = new SynchronousProgress(reports) });

        await transfer.PutAsync(Uri("a"), data);
        Assert.That(reports[^1], Is.EqualTo(new S3TransferProgress(data.Length, data.Length, 1, 1)));
        Assert.That(reports.Select(r => r.Bytes), Is.Ordered, "progress only grows");
        Assert.That(await transfer.GetAsync(Uri("a")), Is.EqualTo(data));

        var file = Path.Combine(_folder, "sub", "a.bin");
        lock (reports)
        {
            reports.Clear();
        }

        await transfer.GetFileAsync(Uri("a"), file);
        Assert.That(await File.ReadAllBytesAsync(file), Is.EqualTo(data));
        Assert.That(Directory.GetFiles(Path.Combine(_folder, "sub")), Has.Length.EqualTo(1), "no part file is left");
        Assert.That(reports[^1], Is.EqualTo(new S3TransferProgress(data.Length, data.Length, 1, 1)), "a download learns the size from its first GET");
        Assert.That(reports.Select(r => r.Bytes), Is.Ordered, "download progress only grows");

        await transfer.PutFileAsync(file, Uri("b"));
        Assert.That(await transfer.GetAsync(Uri("b")), Is.EqualTo(data));

        // Both went up as five parts: a multipart ETag ends in the part count.
        using var client = Moto.Client();
        foreach (var name in new[] { "a", "b" })
        {
            var head = await client.GetObjectMetadataAsync(MotoServer.Bucket, S3Root.Parse(Uri(name)).Prefix);
            Assert.That(head.ETag.Trim('"'), Does.EndWith("-5"), name);
        }
    }

    [Test]
    public async Task AnObjectUploadedInPartsComesDownPartByPartIntoMemoryAndFiles()
    {
        var data = RandomNumberGenerator.GetBytes((23 << 20) + 12345);
        using var client = new PartServingClient(MotoServer.Config(Moto.Endpoint), SmallParts.PartSize);
        using var transfer = new S3Transfer(client, SmallParts);
        await transfer.PutAsync(Uri("parts"), data);

        Assert.That(await transfer.GetAsync(Uri("parts")), Is.EqualTo(data));
        Assert.That(client.PartsAsked, Is.EquivalentTo(new[] { 1, 2, 3, 4, 5 }), "part 1 first, then the other four");

        client.PartsAsked.Clear();
        var file = Path.Combine(_folder, "parts.bin");
        await transfer.GetFileAsync(Uri("parts"), file);
        Assert.That(await File.ReadAllBytesAsync(file), Is.EqualTo(data));
        Assert.That(client.PartsAsked, Has.Count.EqualTo(5));
    }

    [Test]
    public async Task ManySmallObjectsMoveAtOnceInOrder()
    {
        var objects = Enumerable.Range(0, 120).Select(i => (Uri: Uri($"small/{i:D3}"), Data: RandomNumberGenerator.GetBytes(i * 97))).ToList();
        using var transfer = Transfer(new S3TransferOptions { Parallelism = 16 });
        await transfer.PutManyAsync(objects.Select(o => (o.Uri, (ReadOnlyMemory<byte>)o.Data)));

        var read = await transfer.GetManyAsync(objects.Select(o => o.Uri));
        Assert.That(read, Is.EqualTo(objects.Select(o => o.Data)));

        await transfer.GetFilesAsync(objects.Select((o, i) => (o.Uri, Path.Combine(_folder, $"{i:D3}.bin"))));
        for (var i = 0; i < objects.Count; i++)
        {
            Assert.That(await File.ReadAllBytesAsync(Path.Combine(_folder, $"{i:D3}.bin")), Is.EqualTo(objects[i].Data));
        }
    }

    [Test]
    public async Task ConnectionsThatFailAreTriedAgain()
    {
        using var proxy = new LoopbackProxy(Moto.Port);
        var data = RandomNumberGenerator.GetBytes(11 << 20);
        using var transfer = Transfer(SmallParts with { MaxAttempts = 6 }, proxy.Endpoint);
        proxy.FailNext(5);
        await transfer.PutAsync(Uri("flaky"), data);
        proxy.FailNext(5);
        Assert.That(await transfer.GetAsync(Uri("flaky")), Is.EqualTo(data));
    }

    [Test]
    public async Task DataDamagedOnTheWayIsAnErrorAndNeverKept()
    {
        using var proxy = new LoopbackProxy(Moto.Port);
        using var transfer = Transfer(new S3TransferOptions { MaxAttempts = 3 }, proxy.Endpoint);
        var data = RandomNumberGenerator.GetBytes(3 << 20);
        await transfer.PutAsync(Uri("checksummed"), data);

        // Stored without a checksum of its own: the ETag's MD5 catches the damage instead.
        var config = MotoServer.Config(Moto.Endpoint);
        config.RequestChecksumCalculation = Amazon.Runtime.RequestChecksumCalculation.WHEN_REQUIRED;
        using (var client = new Amazon.S3.AmazonS3Client(MotoServer.Credentials, config))
        {
            await client.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = MotoServer.Bucket, Key = S3Root.Parse(Uri("plain")).Prefix, InputStream = new MemoryStream(data) });
        }

        foreach (var name in new[] { "checksummed", "plain" })
        {
            proxy.DamageNext(1);
            var e = Assert.ThrowsAsync<FlowException>(() => transfer.GetAsync(Uri(name)));
            Assert.That(e!.Message, Does.StartWith($"Cannot read {Uri(name)}:").And.Contain("hash").And.Not.Contain("did not answer"), "damaged data is not an endpoint that is down");

            proxy.DamageNext(1);
            e = Assert.ThrowsAsync<FlowException>(() => transfer.GetFileAsync(Uri(name), Path.Combine(_folder, "damaged.bin")));
            Assert.That(e!.Message, Does.StartWith($"Cannot read {Uri(name)}:"));
            Assert.That(Directory.GetFiles(_folder), Is.Empty, "neither the file nor a part file is left");

            Assert.That(await transfer.GetAsync(Uri(name)), Is.EqualTo(data), "read again, the data is whole");
        }
    }

    [Test]
    public async Task EveryBodyGoesWithItsCrc32AndASmallObjectComesBackInOneGet()
    {
        var large = RandomNumberGenerator.GetBytes((11 << 20) + 777);
        var small = RandomNumberGenerator.GetBytes(70_001);
        var file = Path.Combine(_folder, "large.bin");
        await File.WriteAllBytesAsync(file, large);
        using var client = new RecordingClient(MotoServer.Config(Moto.Endpoint));
        using var transfer = new S3Transfer(client, SmallParts);

        await transfer.PutAsync(Uri("small"), small);
        await transfer.PutFileAsync(file, Uri("large"));
        await transfer.PutAsync(Uri("large-memory"), large);

        Assert.That(client.Sent.Where(s => s.Part == 0).Select(s => s.Crc32), Is.EqualTo(new[] { Crc32(small) }), "the PutObject");
        var parts = client.Sent.Where(s => s.Part > 0).ToList();
        Assert.That(parts, Has.Count.EqualTo(6), "three parts for each large upload");
        foreach (var (part, crc) in parts)
        {
            var start = (part - 1) * (int)SmallParts.PartSize;
            Assert.That(crc, Is.EqualTo(Crc32(large.AsSpan(start, Math.Min((int)SmallParts.PartSize, large.Length - start)))), $"part {part}");
        }

        client.Gets.Clear();
        Assert.That(await transfer.GetAsync(Uri("small")), Is.EqualTo(small));
        Assert.That(client.Gets, Is.EqualTo(new[] { "range" }), "one ranged GET, checked by the CRC32 S3 stored");
        Assert.That(await transfer.GetAsync(Uri("large")), Is.EqualTo(large));
    }

    /// <summary>CRC32 (IEEE) bit by bit, big-endian and base64 as S3 takes it: a reference the transfer's own is checked against.</summary>
    private static string Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        crc ^= 0xFFFFFFFFu;
        return Convert.ToBase64String([(byte)(crc >> 24), (byte)(crc >> 16), (byte)(crc >> 8), (byte)crc]);
    }

    [Test]
    public void AMissingObjectIsAClearErrorNamingIt()
    {
        using var transfer = Transfer(new S3TransferOptions());
        var e = Assert.ThrowsAsync<FlowException>(() => transfer.GetAsync(Uri("missing")));
        Assert.That(e!.Message, Does.Contain(Uri("missing")).And.Contain("no such object"));
        Assert.That(e.Message, Does.Not.Contain(MotoServer.SecretKey).And.Not.Contain(MotoServer.AccessKey));
    }

    [Test]
    public void AMissingObjectDownloadedIntoAFolderNotMadeYetIsTheSameClearErrorAndLeavesNothing()
    {
        using var transfer = Transfer(new S3TransferOptions());
        var target = Path.Combine(_folder, "new", "out.bin");
        var e = Assert.ThrowsAsync<FlowException>(() => transfer.GetFileAsync(Uri("missing"), target));
        Assert.That(e!.Message, Does.Contain(Uri("missing")).And.Contain("no such object"));
        Assert.That(Directory.Exists(Path.GetDirectoryName(target)) ? Directory.GetFileSystemEntries(Path.GetDirectoryName(target)!) : [], Is.Empty);
    }

    /// <summary>
    /// A client that answers a GET of one part as AWS S3 does (the part's bytes, its range, the object's part count)
    /// for objects uploaded in parts of <paramref name="partSize"/>; moto answers it with the whole object.
    /// </summary>
    private sealed class PartServingClient(Amazon.S3.AmazonS3Config config, long partSize) : Amazon.S3.AmazonS3Client(MotoServer.Credentials, config)
    {
        public System.Collections.Concurrent.ConcurrentBag<int> PartsAsked { get; } = [];

        public override async Task<Amazon.S3.Model.GetObjectResponse> GetObjectAsync(Amazon.S3.Model.GetObjectRequest request, CancellationToken cancellationToken = default)
        {
            if (request.PartNumber is not { } part)
            {
                return await base.GetObjectAsync(request, cancellationToken);
            }

            PartsAsked.Add(part);
            var size = (await GetObjectMetadataAsync(request.BucketName, request.Key, cancellationToken)).ContentLength;
            var start = (part - 1) * partSize;
            var response = await base.GetObjectAsync(new Amazon.S3.Model.GetObjectRequest
            {
                BucketName = request.BucketName,
                Key = request.Key,
                EtagToMatch = request.EtagToMatch,
                ByteRange = new Amazon.S3.Model.ByteRange(start, Math.Min(size, start + partSize) - 1),
            }, cancellationToken);
            response.PartsCount = (int)((size + partSize - 1) / partSize);
            return response;
        }
    }

    /// <summary>A client that records the CRC32 each upload request carries (part 0: a PutObject) and the kind of each GET.</summary>
    private sealed class RecordingClient(Amazon.S3.AmazonS3Config config) : Amazon.S3.AmazonS3Client(MotoServer.Credentials, config)
    {
        public System.Collections.Concurrent.ConcurrentQueue<(int Part, string Crc32)> Sent { get; } = [];

        public System.Collections.Concurrent.ConcurrentQueue<string> Gets { get; } = [];

        public override Task<Amazon.S3.Model.PutObjectResponse> PutObjectAsync(Amazon.S3.Model.PutObjectRequest request, CancellationToken cancellationToken = default)
        {
            Sent.Enqueue((0, request.ChecksumCRC32));
            return base.PutObjectAsync(request, cancellationToken);
        }

        public override Task<Amazon.S3.Model.UploadPartResponse> UploadPartAsync(Amazon.S3.Model.UploadPartRequest request, CancellationToken cancellationToken = default)
        {
            Sent.Enqueue((request.PartNumber ?? -1, request.ChecksumCRC32));
            return base.UploadPartAsync(request, cancellationToken);
        }

        public override Task<Amazon.S3.Model.GetObjectResponse> GetObjectAsync(Amazon.S3.Model.GetObjectRequest request, CancellationToken cancellationToken = default)
        {
            Gets.Enqueue(request.ByteRange is not null ? "range" : $"part {request.PartNumber}");
            return base.GetObjectAsync(request, cancellationToken);
        }
    }

    /// <summary>Records reports on the reporting thread (Progress&lt;T&gt; posts them later).</summary>
    private sealed class SynchronousProgress(List<S3TransferProgress> reports) : IProgress<S3TransferProgress>
    {
        public void Report(S3TransferProgress value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}
