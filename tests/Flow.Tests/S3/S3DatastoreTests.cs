using System.Security.Cryptography;
using Amazon.S3.Model;
using Flow.Datastore;
using Flow.S3;
using Flow.Serialization;
using NUnit.Framework;

namespace Flow.Tests.S3;

/// <summary>The S3 blob and metadata stores on their own, against the loopback server.</summary>
public class S3DatastoreTests
{
    private static MotoServer Moto => MotoServer.Current;

    /// <summary>Every key under a datastore's root, relative to it.</summary>
    internal static async Task<List<string>> KeysAsync(string root)
    {
        var location = S3Root.Parse(root);
        using var client = Moto.Client();
        var keys = new List<string>();
        var request = new ListObjectsV2Request { BucketName = location.Bucket, Prefix = location.Prefix + "/" };
        ListObjectsV2Response response;
        do
        {
            response = await client.ListObjectsV2Async(request);
            keys.AddRange((response.S3Objects ?? []).Select(o => o.Key[request.Prefix.Length..]));
            request.ContinuationToken = response.NextContinuationToken;
        }
        while (response.IsTruncated == true);

        return keys;
    }

    internal static async Task<string> ReadAsync(string root, string relative)
    {
        var location = S3Root.Parse(root);
        using var client = Moto.Client();
        using var response = await client.GetObjectAsync(location.Bucket, location.Key(relative));
        using var reader = new StreamReader(response.ResponseStream);
        return await reader.ReadToEndAsync();
    }

    [Test]
    public async Task BlobsAreStoredUnderTheirHashAndMissingOnesReadAsNull()
    {
        var store = Moto.NewDatastore(out var root);
        var value = FlowSerializer.Serialize(Enumerable.Range(0, 500).ToList());
        var reference = await store.PutAsync(value, "List<int>");
        Assert.That(reference.Inline, Is.Null, "a value over 256 bytes is a blob");

        Assert.That(await store.Blobs.ExistsAsync(value.Hash), Is.True);
        Assert.That(await Moto.Open(root).Blobs.GetAsync(value.Hash), Is.EqualTo(value.Data.ToArray()));
        Assert.That(reference.Key, Is.EqualTo(value.Hash));
        Assert.That(await KeysAsync(root), Is.EqualTo(new[] { $"blobs/{value.Hash[..2]}/{value.Hash}" }));

        var missing = new string('0', 64);
        Assert.That(await store.Blobs.ExistsAsync(missing), Is.False);
        Assert.That(await store.Blobs.GetAsync(missing), Is.Null);
        Assert.That(() => store.Blobs.GetAsync("../x"), Throws.TypeOf<FlowException>().With.Message.Contains("not a blob key"));
    }

    [Test]
    public async Task ASmallValueIsKeptInItsReferenceAndALargeArrayIsStoredWhole()
    {
        var store = Moto.NewDatastore(out var root);
        var small = await store.PutAsync(FlowSerializer.Serialize(42), "int");
        Assert.That(small.Inline, Is.Not.Null);
        Assert.That(await KeysAsync(root), Is.Empty, "a small value writes no object");
        Assert.That(FlowSerializer.Deserialize<int>(await store.GetAsync(small, "artifact X"), "X"), Is.EqualTo(42));

        var bytes = RandomNumberGenerator.GetBytes(2 << 20);
        var large = await store.PutAsync(FlowSerializer.Serialize(bytes), "byte[]");
        Assert.That(await KeysAsync(root), Is.EqualTo(new[] { $"blobs/{large.Key[..2]}/{large.Key}" }));
        Assert.That(FlowSerializer.Deserialize<byte[]>(await Moto.Open(root).GetAsync(large, "artifact Y"), "Y"), Is.EqualTo(bytes));
    }

    [Test]
    public async Task ManyWritersOfTheSameBlobAtOnceLeaveOneWholeBlob()
    {
        var data = RandomNumberGenerator.GetBytes(3 << 20);
        var key = Convert.ToHexStringLower(SHA256.HashData(data));
        var root = $"s3://{MotoServer.Bucket}/concurrent-{Guid.NewGuid():N}";

        // Each writer has a client of its own, as tasks in different worker processes do.
        var writers = Enumerable.Range(0, 16).Select(_ => Moto.Open(root)).ToList();
        using var go = new ManualResetEventSlim();
        var puts = writers.Select(w => Task.Run(async () =>
        {
            go.Wait();
            await w.Blobs.PutAsync(key, data);
        })).ToList();
        go.Set();
        await Task.WhenAll(puts);

        var read = await Moto.Open(root).GetAsync(key, "the shared blob");
        Assert.That(read.Data.ToArray(), Is.EqualTo(data));
        Assert.That(await KeysAsync(root), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task RunsTasksAndLogsAreLaidOutLikeTheLocalStore()
    {
        var store = Moto.NewDatastore(out var root);
        var run = new RunRecord { Flow = "SomeFlow", RunId = "1-ab", User = "savin", StartedAt = DateTimeOffset.UnixEpoch };
        await store.Metadata.CreateRunAsync(run);
        Assert.That(() => store.Metadata.CreateRunAsync(run), Throws.TypeOf<FlowException>().With.Message.Contains("exists already"));
        await store.Metadata.CreateRunAsync(run with { RunId = "2-cd" });
        await store.Metadata.UpdateRunAsync(run with { Status = RunStatus.Succeeded, Tags = ["x"] });
        foreach (var (step, id) in new[] { ("Start", 1L), ("A", 2L), ("A", 3L) })
        {
            await store.Metadata.PutTaskAsync(new TaskRecord { Flow = "SomeFlow", RunId = "1-ab", Step = step, TaskId = id, Position = step + "/" });
        }

        await store.Metadata.PutLogAsync("SomeFlow", "1-ab", "A", 2, 0, "stdout", "hi\n"u8.ToArray());

        var reader = Moto.Open(root).Metadata;
        Assert.That((await reader.ListRunsAsync("SomeFlow")).Select(r => (r.RunId, r.Status)), Is.EquivalentTo(new[] { ("1-ab", RunStatus.Succeeded), ("2-cd", RunStatus.Running) }));
        Assert.That(await reader.ListRunsAsync("OtherFlow"), Is.Empty);
        Assert.That((await reader.ListTasksAsync("SomeFlow", "1-ab")).Select(t => t.Pathspec), Is.EquivalentTo(new[] { "1-ab/Start/1", "1-ab/A/2", "1-ab/A/3" }));
        Assert.That((await reader.GetTaskAsync("SomeFlow", "1-ab", "A", 3))!.Position, Is.EqualTo("A/"));
        Assert.That(await reader.GetTaskAsync("SomeFlow", "1-ab", "A", 4), Is.Null);
        Assert.That((await reader.GetRunAsync("SomeFlow", "1-ab"))!.Tags, Is.EqualTo(new[] { "x" }));
        Assert.That(await reader.GetLogAsync("SomeFlow", "1-ab", "A", 2, 0, "stdout"), Is.EqualTo("hi\n"u8.ToArray()));
        Assert.That(await reader.GetLogAsync("SomeFlow", "1-ab", "A", 2, 0, "stderr"), Is.Null);
        Assert.That(await KeysAsync(root), Is.EquivalentTo(new[]
        {
            "SomeFlow/1-ab/run.json", "SomeFlow/2-cd/run.json",
            "SomeFlow/1-ab/tasks/Start.1.json", "SomeFlow/1-ab/tasks/A.2.json", "SomeFlow/1-ab/tasks/A.3.json",
            "SomeFlow/1-ab/logs/A.2.0.stdout",
        }));
    }

    [Test]
    public async Task TheLocalAndS3StoresWriteTheSameKeys()
    {
        var local = Directory.CreateTempSubdirectory("flow-layout-").FullName;
        try
        {
            var stores = new[] { FlowDatastore.Local(local), Moto.NewDatastore(out var root) };
            foreach (var store in stores)
            {
                var run = new RunRecord { Flow = "SomeFlow", RunId = "1-ab", User = "savin", StartedAt = DateTimeOffset.UnixEpoch };
                await store.Metadata.CreateRunAsync(run);
                await store.Metadata.UpdateRunAsync(run with { Status = RunStatus.Succeeded });
                await store.Metadata.PutTaskAsync(new TaskRecord { Flow = "SomeFlow", RunId = "1-ab", Step = "Start", TaskId = 1, Position = "Start/" });
                await store.Metadata.PutLogAsync("SomeFlow", "1-ab", "Start", 1, 0, "stderr", "oops\n"u8.ToArray());
                await store.PutAsync(FlowSerializer.Serialize(Enumerable.Range(0, 500).ToList()), "List<int>");
            }

            // Names that start with '.' are the local store's own (temporary files, the sweep's mark), not the layout.
            var localKeys = Directory.EnumerateFiles(local, "*", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(local, f).Replace(Path.DirectorySeparatorChar, '/'))
                .Where(k => !k.Split('/').Any(part => part.StartsWith('.')));
            Assert.That(localKeys, Is.EquivalentTo(await KeysAsync(root)));
            Assert.That(localKeys, Has.Member(DatastoreLayout.TaskFile("SomeFlow", "1-ab", "Start", 1)));
        }
        finally
        {
            Directory.Delete(local, recursive: true);
        }
    }

    [TestCase("s3://b")]
    [TestCase("s3://UPPER/x")]
    [TestCase("s3://bucket/a/../b")]
    [TestCase("/not/s3")]
    public void BadLocationsAreClearErrors(string root) =>
        Assert.That(() => S3Root.Parse(root), Throws.TypeOf<FlowException>().With.Message.Contains("s3://BUCKET/PREFIX").Or.Message.Contains("bucket name"));

    [Test]
    public void AMissingBucketIsNamedWithTheFix()
    {
        var store = Moto.Open($"s3://no-such-bucket-{Guid.NewGuid():N}"[..40]);
        var e = Assert.ThrowsAsync<FlowException>(() => store.Metadata.ListRunsAsync("SomeFlow"));
        Assert.That(e!.Message, Does.Contain("does not exist").And.Contain("no-such-bucket"));
    }
}
