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
        var oldBlob = Leftover(Path.Combine("blobs", "ab", ".abcdef.0a1b2c3d4e5f.tmp"), old);
        var oldRecord = Leftover(Path.Combine("SomeFlow", "1-ab", "tasks", ".Start.1.json.0a1b2c3d4e5f.tmp"), old);
        var oldStaging = Path.Combine(_root, "SomeFlow", ".2-cd.0a1b2c3d4e5f.tmp");
        Leftover(Path.Combine("SomeFlow", ".2-cd.0a1b2c3d4e5f.tmp", "run.json"), old);
        Directory.SetLastWriteTimeUtc(oldStaging, old.UtcDateTime);
        var fresh = Leftover(Path.Combine("blobs", "ab", ".abcdef.3d4e5f6a7b8c.tmp"), now - TimeSpan.FromMinutes(5));
        var oldButNotTemporary = Leftover(Path.Combine("SomeFlow", "1-ab", "tasks", "Start.1.json"), old);

        var store = new LocalMetadataStore(_root, new FixedTime(now));
        await store.CreateRunAsync(new RunRecord { Flow = "SomeFlow", RunId = "3-ef", User = "savin", StartedAt = now });
        await store.Sweeping;

        Assert.That(File.Exists(oldBlob) || File.Exists(oldRecord) || Directory.Exists(oldStaging), Is.False, "leftovers older than a day are removed");
        Assert.That(File.Exists(fresh), Is.True, "a temporary file a live write may still rename is kept");
        Assert.That(File.Exists(oldButNotTemporary), Is.True, "only temporary files are removed");

        // The next sweep waits for the interval: a run that starts soon after does not walk the datastore again.
        var later = Leftover(Path.Combine("blobs", "cd", ".cdef01.0a1b2c3d4e5f.tmp"), old);
        await CreateRunAsync(now + TimeSpan.FromMinutes(10), "4-ab");
        Assert.That(File.Exists(later), Is.True);
        await CreateRunAsync(now + StaleTempFiles.Interval + TimeSpan.FromMinutes(1), "5-cd");
        Assert.That(File.Exists(later), Is.False);
    }

    [Test]
    public async Task TheSweepLeavesFilesOutsideTheLayoutAndNamesItDoesNotMake()
    {
        var now = DateTimeOffset.UtcNow;
        var old = now - StaleTempFiles.SafeAge - TimeSpan.FromHours(1);
        var kept = new[]
        {
            Leftover(".cache.tmp", old),
            Leftover(Path.Combine("other", ".x.tmp"), old),
            Leftover(Path.Combine("other", "deeper", "still", ".data.0a1b2c3d4e5f.tmp"), old),
            Leftover(Path.Combine("SomeFlow", "1-ab", "artifacts", ".a.0a1b2c3d4e5f.tmp"), old),
            Leftover(Path.Combine("SomeFlow", "1-ab", "tasks", ".x.tmp"), old),
            Leftover(Path.Combine("SomeFlow", "1-ab", "tasks", ".Start.1.json.0A1B2C3D4E5F.tmp"), old),
            Leftover(Path.Combine("blobs", "zz", ".abcdef.0a1b2c3d4e5f.tmp"), old),
            Leftover(Path.Combine(".git", "objects", ".pack.0a1b2c3d4e5f.tmp"), old),
        };
        var removed = new[]
        {
            Leftover(Path.Combine("SomeFlow", "1-ab", ".run.json.0a1b2c3d4e5f.tmp"), old),
            Leftover(Path.Combine("SomeFlow", "1-ab", "logs", ".Start.1.1.stdout.0a1b2c3d4e5f.tmp"), old),
            Leftover(Path.Combine("SomeFlow", "1-ab", "tasks", Path.GetFileName(LocalFiles.TempName("Start.2.json"))), old),
        };

        await CreateRunAsync(now, "2-cd");

        Assert.That(kept.Where(path => !File.Exists(path)), Is.Empty, "files outside the layout's folders, or with names Flow does not make, are kept");
        Assert.That(removed.Where(File.Exists), Is.Empty, "leftovers in the layout's folders are removed");
    }

    [TestCase(".Start.1.json.0a1b2c3d4e5f.tmp", true)]
    [TestCase(".2-cd.0a1b2c3d4e5f.tmp", true)]
    [TestCase(".x.tmp", false)]
    [TestCase(".cache.tmp", false)]
    [TestCase("..0a1b2c3d4e5f.tmp", false)]
    [TestCase(".a b.0a1b2c3d4e5f.tmp", false)]
    [TestCase(".a.0a1b2c3d4e5.tmp", false)]
    [TestCase(".a.0a1b2c3d4e5g.tmp", false)]
    [TestCase("a.0a1b2c3d4e5f.tmp", false)]
    public void OnlyNamesThatTempNameMakesAreTemporary(string name, bool temporary) =>
        Assert.That(LocalFiles.IsTempName(name), Is.EqualTo(temporary));

    [Test]
    public void TempNameMakesTemporaryNames() =>
        Assert.That(LocalFiles.IsTempName(Path.GetFileName(LocalFiles.TempName(Path.Combine(_root, "run.json")))), Is.True);

    private async Task CreateRunAsync(DateTimeOffset now, string runId)
    {
        var store = new LocalMetadataStore(_root, new FixedTime(now));
        await store.CreateRunAsync(new RunRecord { Flow = "SomeFlow", RunId = runId, User = "savin", StartedAt = now });
        await store.Sweeping;
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
