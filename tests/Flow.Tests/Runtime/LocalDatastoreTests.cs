using System.Security.Cryptography;
using Flow.Datastore;
using NUnit.Framework;

namespace Flow.Tests.Runtime;

/// <summary>The local datastore's files: what earlier versions wrote still reads, and what killed writes left is swept.</summary>
public class LocalDatastoreTests
{
    private string _root = "";

    [SetUp]
    public void CreateRoot() => _root = Directory.CreateTempSubdirectory("flow-local-").FullName;

    [TearDown]
    public void DeleteRoot() => Directory.Delete(_root, recursive: true);

    [Test]
    public async Task BlobsInTheEarlierLocalLayoutAreStillRead()
    {
        var data = RandomNumberGenerator.GetBytes(1000);
        var key = Convert.ToHexStringLower(SHA256.HashData(data));
        var earlier = Path.Combine(_root, DatastoreLayout.EarlierLocalBlob(key));
        Directory.CreateDirectory(Path.GetDirectoryName(earlier)!);
        await File.WriteAllBytesAsync(earlier, data);

        var blobs = FlowDatastore.Local(_root).Blobs;
        Assert.That(await blobs.ExistsAsync(key), Is.True);
        Assert.That(await blobs.GetAsync(key), Is.EqualTo(data));
        await using (var stream = await blobs.OpenReadAsync(key))
        {
            Assert.That(stream, Is.Not.Null);
        }

        await blobs.PutAsync(key, data);
        Assert.That(File.Exists(Path.Combine(_root, DatastoreLayout.Blob(key))), Is.False, "a blob stored in the earlier layout is not stored again");
    }

    [Test]
    public async Task TemporaryFilesThatKilledWritesLeftAreSweptWhenARunStartsButNotFreshOnes()
    {
        var now = DateTimeOffset.UtcNow;
        var old = now - StaleTempFiles.SafeAge - TimeSpan.FromHours(1);
        var oldBlob = Leftover(Path.Combine("blobs", "ab", ".abcdef.0a1b2c.tmp"), old);
        var oldRecord = Leftover(Path.Combine("SomeFlow", "1-ab", "tasks", ".Start.1.json.0a1b2c.tmp"), old);
        var oldStaging = Path.Combine(_root, "SomeFlow", ".2-cd.0a1b2c.tmp");
        Leftover(Path.Combine("SomeFlow", ".2-cd.0a1b2c.tmp", "run.json"), old);
        Directory.SetLastWriteTimeUtc(oldStaging, old.UtcDateTime);
        var fresh = Leftover(Path.Combine("blobs", "ab", ".abcdef.3d4e5f.tmp"), now - TimeSpan.FromMinutes(5));
        var oldButNotTemporary = Leftover(Path.Combine("SomeFlow", "1-ab", "tasks", "Start.1.json"), old);

        var store = new LocalMetadataStore(_root, new FixedTime(now));
        await store.CreateRunAsync(new RunRecord { Flow = "SomeFlow", RunId = "3-ef", User = "savin", StartedAt = now });

        Assert.That(File.Exists(oldBlob) || File.Exists(oldRecord) || Directory.Exists(oldStaging), Is.False, "leftovers older than a day are removed");
        Assert.That(File.Exists(fresh), Is.True, "a temporary file a live write may still rename is kept");
        Assert.That(File.Exists(oldButNotTemporary), Is.True, "only temporary files are removed");

        // The next sweep waits for the interval: a run that starts soon after does not walk the datastore again.
        var later = Leftover(Path.Combine("blobs", "cd", ".cdef01.0a1b2c.tmp"), old);
        await new LocalMetadataStore(_root, new FixedTime(now + TimeSpan.FromMinutes(10))).CreateRunAsync(new RunRecord { Flow = "SomeFlow", RunId = "4-ab", User = "savin", StartedAt = now });
        Assert.That(File.Exists(later), Is.True);
        await new LocalMetadataStore(_root, new FixedTime(now + StaleTempFiles.Interval + TimeSpan.FromMinutes(1))).CreateRunAsync(new RunRecord { Flow = "SomeFlow", RunId = "5-cd", User = "savin", StartedAt = now });
        Assert.That(File.Exists(later), Is.False);
    }

    private string Leftover(string relative, DateTimeOffset written)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, [1, 2, 3]);
        File.SetLastWriteTimeUtc(path, written.UtcDateTime);
        return path;
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Test]
    public async Task AWriteWhoseFolderIsReplacedByAFileFailsWithItsOwnError()
    {
        var folder = Path.Combine(_root, "F", "R", "tasks");
        var record = Path.Combine(folder, "A.1.json");
        await LocalFiles.WriteAtomicAsync(record, new byte[] { 1 }, CancellationToken.None);
        Directory.Delete(folder, recursive: true);
        await File.WriteAllTextAsync(folder, "not a folder");

        // The write fails making the folder again; removing its temporary file must not hide that.
        var e = Assert.ThrowsAsync<IOException>(() => LocalFiles.WriteAtomicAsync(record, new byte[] { 2 }, CancellationToken.None));
        Assert.That(e, Is.Not.InstanceOf<DirectoryNotFoundException>(), e!.ToString());
        Assert.That(e.Message, Does.Contain(folder));
    }
}
