using NUnit.Framework;

namespace Flow.Tests.Reliability;

/// <summary>Stored data that changed after it was written is a clear error naming what it belongs to, never a wrong value.</summary>
public class CorruptionTests : ReliabilityTest
{
    public enum Damage
    {
        FlipAByte,
        Truncate,
        Empty,
        Delete,
    }

    [TestCase(Damage.FlipAByte, "is corrupt")]
    [TestCase(Damage.Truncate, "is corrupt")]
    [TestCase(Damage.Empty, "is corrupt")]
    [TestCase(Damage.Delete, "is missing")]
    public async Task ResumingFromAStepThatReadsADamagedArtifactFailsAndNamesIt(Damage damage, string what)
    {
        var (runId, work) = await CopyRunAndDamageTheLastReportAsync(damage);

        var resumed = RunFlow("FaultFlow", null, "resume", "Join", "--origin-run-id", runId);
        Assert.That(resumed.Code, Is.Not.EqualTo(0), resumed.ToString());
        Assert.That(resumed.Output, Does.Not.Contain("total ="), $"a damaged artifact must not give a result.\n{resumed}");
        var clone = (await Stored.Datastore.Metadata.ListTasksAsync("FaultFlow", RunIdStarted(resumed))).Single(t => t.ClonedFrom == work.Pathspec);
        Assert.That(resumed.Error, Does.Contain($"artifact Report of {clone.Pathspec} (cloned from {work.Pathspec})").And.Contain(what), resumed.ToString());
        Assert.That(resumed.Error, Does.Contain($"failed in task {RunIdStarted(resumed)}/Join/"), resumed.ToString());
    }

    [TestCase(Damage.FlipAByte, "is corrupt")]
    [TestCase(Damage.Delete, "is missing")]
    public async Task TheStepCommandOnATaskThatReadsADamagedArtifactFailsAndNamesIt(Damage damage, string what)
    {
        var (runId, _) = await CopyRunAndDamageTheLastReportAsync(Damage.FlipAByte);
        var join = await Stored.TaskAsync("FaultFlow", runId, "Join");
        Damage_(damage, Stored.BlobPath(join.Artifacts["Summary"].Key));

        var result = RunFlow("FaultFlow", null, "step", "End", "--run-id", runId, "--task-id", "100", "--input", join.Pathspec);
        Assert.That(result.Code, Is.Not.EqualTo(0), result.ToString());
        Assert.That(result.Output, Does.Not.Contain("total ="), $"a damaged artifact must not give a result.\n{result}");
        Assert.That(result.Error, Does.Contain($"artifact Summary of {join.Pathspec}").And.Contain(what).And.Contain($"{runId}/End/100"), result.ToString());
    }

    [Test]
    public async Task ASmallValueChangedInItsTaskRecordIsAClearErrorOnResume()
    {
        var (runId, work) = await CopyRunAndDamageTheLastReportAsync(null);
        var record = Path.Combine(Stored.RunFolder("FaultFlow", runId), "tasks", $"Work.{work.TaskId}.json");
        var nine = Convert.ToBase64String(new byte[] { 9 });
        var eight = Convert.ToBase64String(new byte[] { 8 });
        var json = File.ReadAllText(record);
        Assert.That(json, Does.Contain($"\"inline\":\"{nine}\""), "Square (9) is kept in the record");
        File.WriteAllText(record, json.Replace($"\"inline\":\"{nine}\"", $"\"inline\":\"{eight}\"", StringComparison.Ordinal));

        var resumed = RunFlow("FaultFlow", null, "resume", "Join", "--origin-run-id", runId);
        Assert.That(resumed.Code, Is.Not.EqualTo(0), resumed.ToString());
        Assert.That(resumed.Output, Does.Not.Contain("total ="), $"a damaged artifact must not give a result.\n{resumed}");
        Assert.That(resumed.Error, Does.Contain("artifact Square of").And.Contain("is corrupt").And.Contain("record that holds it was changed"), resumed.ToString());
    }

    [Test]
    public async Task ACorruptBlobIsRepairedByDoingWhatTheErrorSays()
    {
        var (runId, work) = await CopyRunAndDamageTheLastReportAsync(Damage.FlipAByte);
        var failed = RunFlow("FaultFlow", null, "resume", "Join", "--origin-run-id", runId);
        var key = work.Artifacts["Report"].Key;
        Assert.That(failed.Error, Does.Contain($"Remove blob {key} from the datastore at {Root} and run the step that wrote it again"), failed.ToString());

        File.Delete(Stored.BlobPath(key));
        var repaired = RunFlow("FaultFlow", null, "resume", "Work", "--origin-run-id", runId);
        Assert.That(repaired.Code, Is.EqualTo(0), repaired.ToString());
        Assert.That(repaired.Output, Does.Contain("total = 14"), repaired.ToString());
        Stored.AssertEveryBlobMatchesItsName();
    }

    [Test]
    public async Task ABlobOfTheWrongLengthIsReplacedWhenTheSameValueIsStoredAgain()
    {
        var (_, work) = await CopyRunAndDamageTheLastReportAsync(Damage.Truncate);
        var again = RunFlow("FaultFlow", null, "run");
        Assert.That(again.Code, Is.EqualTo(0), again.ToString());
        Assert.That(again.Output, Does.Contain("total = 14"), again.ToString());
        Assert.That(Stored.AssertEveryBlobMatchesItsName(), Is.Empty);
        Assert.That(File.Exists(Stored.BlobPath(work.Artifacts["Report"].Key)), Is.True);
    }

    [Test]
    public async Task ADamagedTaskRecordIsAClearErrorOnResume()
    {
        var (runId, work) = await CopyRunAndDamageTheLastReportAsync(null);
        var record = Path.Combine(Stored.RunFolder("FaultFlow", runId), "tasks", $"Work.{work.TaskId}.json");
        File.WriteAllText(record, File.ReadAllText(record)[..20]);

        var resumed = RunFlow("FaultFlow", null, "resume", "Join", "--origin-run-id", runId);
        Assert.That(resumed.Code, Is.Not.EqualTo(0), resumed.ToString());
        Assert.That(resumed.Output, Does.Not.Contain("total ="), resumed.ToString());
        Assert.That(resumed.Error, Does.Contain($"Work.{work.TaskId}.json").And.Contain("corrupt"), resumed.ToString());
    }

    private PreparedRun? _prepared;

    [OneTimeSetUp]
    public void RunOnce() => _prepared = new PreparedRun("FaultFlow", "total = 14");

    [OneTimeTearDown]
    public void DeleteTheRun() => _prepared?.Dispose();

    /// <summary>Takes a finished FaultFlow run and damages the blob of its last Work task's Report (item 3: no other artifact has that value).</summary>
    private async Task<(string RunId, Flow.Datastore.TaskRecord Work)> CopyRunAndDamageTheLastReportAsync(Damage? damage)
    {
        _prepared!.CopyTo(Root);
        var runId = _prepared.RunId;
        var tasks = await Stored.Datastore.Metadata.ListTasksAsync("FaultFlow", runId);
        var work = tasks.Where(t => t.Step == "Work").OrderBy(t => t.TaskId).Last();
        Assert.That(await Stored.ArtifactAsync<int>("FaultFlow", runId, "End", "Total"), Is.EqualTo(14));
        if (damage is { } d)
        {
            Damage_(d, Stored.BlobPath(work.Artifacts["Report"].Key));
        }

        return (runId, work);
    }

    private static void Damage_(Damage damage, string blob)
    {
        var bytes = File.ReadAllBytes(blob);
        switch (damage)
        {
            case Damage.FlipAByte:
                // The last character changes: still a valid MessagePack string, so only the hash can tell.
                bytes[^1] ^= 1;
                File.WriteAllBytes(blob, bytes);
                break;
            case Damage.Truncate:
                File.WriteAllBytes(blob, bytes[..^1]);
                break;
            case Damage.Empty:
                File.WriteAllBytes(blob, []);
                break;
            case Damage.Delete:
                File.Delete(blob);
                break;
        }
    }
}
