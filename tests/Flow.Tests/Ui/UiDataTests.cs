using Flow.Datastore;
using NUnit.Framework;

namespace Flow.Tests.Ui;

/// <summary>
/// The UI's reads of task records: the stores list a run's records with versions that change when a record is
/// written again.
/// </summary>
public class UiDataTests
{
    private string _root = null!;

    [SetUp]
    public void CreateRoot() => _root = Directory.CreateTempSubdirectory("flow-uidata-").FullName;

    [TearDown]
    public void DeleteRoot() => Directory.Delete(_root, recursive: true);

    [Test]
    public async Task TheLocalStoreListsTaskVersionsThatChangeWhenARecordIsWrittenAgain()
    {
        var store = new LocalMetadataStore(_root);
        ITaskRecordVersions listing = store;
        Assert.That(await listing.ListTaskVersionsAsync("UiFlow", "none"), Is.Empty, "a run without records");
        var start = DateTimeOffset.UtcNow;
        await UiRecords.RunAsync(store, "UiFlow", "v", RunStatus.Running, start);
        await store.PutTaskAsync(UiRecords.Task("UiFlow", "v", "Start", 1, start, ["Work"], elements: 1));
        await store.PutTaskAsync(UiRecords.Task("UiFlow", "v", "Work", 2, start, ["Join"]));
        var folder = Path.Combine(_root, DatastoreLayout.TaskFolder("UiFlow", "v"));
        await File.WriteAllTextAsync(Path.Combine(folder, ".Work.3.json.0123456789abcdef.tmp"), "{");
        await File.WriteAllTextAsync(Path.Combine(folder, "notes.json"), "{}");
        var first = await listing.ListTaskVersionsAsync("UiFlow", "v");
        Assert.That(first.Select(v => (v.Step, v.TaskId)), Is.EquivalentTo(new[] { ("Start", 1L), ("Work", 2L) }), "temporary files and other names are not records");

        await store.PutTaskAsync(UiRecords.Task("UiFlow", "v", "Work", 2, start, []) with { Status = RunStatus.Failed });
        var second = await listing.ListTaskVersionsAsync("UiFlow", "v");
        Assert.That(second.Single(v => v.Step == "Work").Version, Is.Not.EqualTo(first.Single(v => v.Step == "Work").Version));
        Assert.That(second.Single(v => v.Step == "Start").Version, Is.EqualTo(first.Single(v => v.Step == "Start").Version));
    }

    [TestCase("Work.12.json", "Work", 12L)]
    [TestCase("a.b.3.json", "a.b", 3L)]
    [TestCase("Work.json", null, 0L)]
    [TestCase("Work.x.json", null, 0L)]
    [TestCase(".Work.1.json", null, 0L)]
    [TestCase("Work.1.json.0123456789abcdef.tmp", null, 0L)]
    [TestCase("Work.-1.json", null, 0L)]
    public void TaskFileNamesAreReadBack(string name, string? step, long task) =>
        Assert.That(DatastoreLayout.ParseTaskFile(name), Is.EqualTo(step is null ? null : ((string, long)?)(step, task)));
}
