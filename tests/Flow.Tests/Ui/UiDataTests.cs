using Flow.Datastore;
using Flow.Hosting;
using NUnit.Framework;

namespace Flow.Tests.Ui;

/// <summary>
/// The UI's reads of task records: a run's list follows records written after the run ended, and a request reads only
/// the records that are new or were written again since the last one.
/// </summary>
public class UiDataTests
{
    private string _root = null!;

    [SetUp]
    public void CreateRoot() => _root = Directory.CreateTempSubdirectory("flow-uidata-").FullName;

    [TearDown]
    public void DeleteRoot() => Directory.Delete(_root, recursive: true);

    [Test]
    public async Task RecordsWrittenAfterTheRunFailedAreShown()
    {
        // The scheduler recorded the failure while two of the foreach's tasks were still finishing.
        await using var ui = await UiServer.StartAsync();
        var store = ui.Store.Metadata;
        var start = DateTimeOffset.UtcNow.AddMinutes(-1);
        await UiRecords.RunAsync(store, "UiFlow", "late", RunStatus.Failed, start);
        await store.PutTaskAsync(UiRecords.Task("UiFlow", "late", "Start", 1, start, ["Work"], elements: 3));
        await store.PutTaskAsync(UiRecords.Task("UiFlow", "late", "Work", 2, start, ["Join"]) with { Status = RunStatus.Failed });
        Assert.That(await ui.Http.GetStringAsync("/runs/late/status.json"), Does.Contain("\"tasks\":2,"));
        Assert.That(await ui.Http.GetStringAsync("/runs/late"), Does.Not.Contain("/runs/late/Work/3\""));

        await store.PutTaskAsync(UiRecords.Task("UiFlow", "late", "Work", 3, start, ["Join"], index: 1));
        await store.PutTaskAsync(UiRecords.Task("UiFlow", "late", "Work", 4, start, ["Join"], index: 2));
        Assert.That(await ui.Http.GetStringAsync("/runs/late/status.json"), Does.Contain("\"tasks\":4,"));
        Assert.That(await ui.Http.GetStringAsync("/runs/late"), Does.Contain("/runs/late/Work/3\"").And.Contain("/runs/late/Work/4\""));
    }

    [Test]
    public async Task ARecordWrittenAgainAfterTheRunEndedShowsItsNewState()
    {
        // A task's record is replaced by its failure when the datastore could not store all of it.
        await using var ui = await UiServer.StartAsync();
        var store = ui.Store.Metadata;
        var start = DateTimeOffset.UtcNow.AddMinutes(-1);
        await UiRecords.RunAsync(store, "UiFlow", "again", RunStatus.Failed, start);
        await store.PutTaskAsync(UiRecords.Task("UiFlow", "again", "Start", 1, start, ["Work"], elements: 1));
        await store.PutTaskAsync(UiRecords.Task("UiFlow", "again", "Work", 2, start, ["Join"]));
        Assert.That(await ui.Http.GetStringAsync("/runs/again"), Does.Not.Contain("the logs could not be stored"));

        await store.PutTaskAsync(UiRecords.Task("UiFlow", "again", "Work", 2, start, []) with
        {
            Status = RunStatus.Failed,
            Error = new StepError { Type = "Flow.FlowException", Message = "the logs could not be stored", Step = "Work" },
        });
        Assert.That(await ui.Http.GetStringAsync("/runs/again"), Does.Contain("the logs could not be stored"));
        Assert.That(await ui.Http.GetStringAsync("/runs/again/status.json"), Does.Contain("\"failed\":1"));
    }

    [Test]
    public async Task APollReadsOnlyTheRecordsThatAreNewOrWrittenAgain()
    {
        var store = new VersionedStore(new LocalMetadataStore(_root));
        var data = Data(store);
        var start = DateTimeOffset.UtcNow.AddMinutes(-1);
        var run = await UiRecords.RunAsync(store, "UiFlow", "going", RunStatus.Running, start);
        await store.PutTaskAsync(UiRecords.Task("UiFlow", "going", "Start", 1, start, ["Work"], elements: 40));
        for (var i = 0; i < 20; i++)
        {
            await store.PutTaskAsync(UiRecords.Task("UiFlow", "going", "Work", i + 2, start, ["Join"], index: i));
        }

        Assert.That(await data.TasksAsync(run, default), Has.Count.EqualTo(21));
        Assert.That(store.RecordsRead, Is.EqualTo(21), "the first request reads every record");

        store.RecordsRead = 0;
        Assert.That(await data.TasksAsync(run, default), Has.Count.EqualTo(21));
        Assert.That(store.RecordsRead, Is.Zero, "nothing changed");

        await store.PutTaskAsync(UiRecords.Task("UiFlow", "going", "Work", 22, start, ["Join"], index: 20));
        await store.PutTaskAsync(UiRecords.Task("UiFlow", "going", "Work", 23, start, ["Join"], index: 21));
        await store.PutTaskAsync(UiRecords.Task("UiFlow", "going", "Work", 5, start, []) with { Status = RunStatus.Failed, Index = 3 });
        store.RecordsRead = 0;
        var tasks = await data.TasksAsync(run, default);
        Assert.That(store.RecordsRead, Is.EqualTo(3), "two new records and one written again");
        Assert.That(tasks, Has.Count.EqualTo(23));
        Assert.That(tasks.Single(t => t.TaskId == 5).Status, Is.EqualTo(RunStatus.Failed));
        Assert.That(tasks.Select(t => t.TaskId), Is.EquivalentTo(Enumerable.Range(1, 23).Select(i => (long)i)));

        // The run ends; its list is still checked, and a record deleted since is left out.
        var ended = run with { Status = RunStatus.Succeeded, FinishedAt = DateTimeOffset.UtcNow };
        File.Delete(Path.Combine(_root, DatastoreLayout.TaskFile("UiFlow", "going", "Work", 23)));
        store.RecordsRead = 0;
        var left = (await data.TasksAsync(ended, default)).Select(t => t.TaskId).ToList();
        Assert.That(left, Does.Not.Contain(23L));
        Assert.That(left, Has.Count.EqualTo(22));
        Assert.That(store.RecordsRead, Is.Zero);
    }

    [Test]
    public async Task ARunWhoseRecordsDidNotChangeIsNotListedAgain()
    {
        var store = new VersionedStore(new LocalMetadataStore(_root));
        var data = Data(store);
        var start = DateTimeOffset.UtcNow.AddMinutes(-1);
        var run = await UiRecords.RunAsync(store, "UiFlow", "settled", RunStatus.Succeeded, start);
        await store.PutTaskAsync(UiRecords.Task("UiFlow", "settled", "Start", 1, start, ["Work"], elements: 2));
        await store.PutTaskAsync(UiRecords.Task("UiFlow", "settled", "Work", 2, start, ["Join"]));
        var folder = Path.Combine(_root, DatastoreLayout.TaskFolder("UiFlow", "settled"));

        // Just written: the folder's time may be shared with a write still to come, so each request lists.
        Assert.That(await data.TasksAsync(run, default), Has.Count.EqualTo(2));
        Assert.That(await data.TasksAsync(run, default), Has.Count.EqualTo(2));
        Assert.That(store.Listings, Is.EqualTo(2));

        // Settled: listed once more to take the stamp, then not again while nothing is written.
        Directory.SetLastWriteTimeUtc(folder, DateTime.UtcNow.AddMinutes(-1));
        Assert.That(await data.TasksAsync(run, default), Has.Count.EqualTo(2));
        Assert.That(await data.TasksAsync(run, default), Has.Count.EqualTo(2));
        Assert.That(store.Listings, Is.EqualTo(3));
        Assert.That(store.RecordsRead, Is.EqualTo(2), "the records were read once");

        // A record written since changes the folder's time: the run is listed, and the record read.
        await store.PutTaskAsync(UiRecords.Task("UiFlow", "settled", "Work", 3, start, ["Join"], index: 1));
        var tasks = await data.TasksAsync(run, default);
        Assert.That(tasks.Select(t => t.TaskId), Is.EquivalentTo(new[] { 1L, 2L, 3L }));
        Assert.That(store.Listings, Is.EqualTo(4));
    }

    [Test]
    public async Task AStoreThatCannotListVersionsIsReadOnEachRequest()
    {
        var store = new CountingStore(new LocalMetadataStore(_root));
        var data = Data(store);
        var start = DateTimeOffset.UtcNow.AddMinutes(-1);
        var run = await UiRecords.RunAsync(store, "UiFlow", "plain", RunStatus.Failed, start);
        await store.PutTaskAsync(UiRecords.Task("UiFlow", "plain", "Start", 1, start, ["Work"], elements: 2));
        Assert.That(await data.TasksAsync(run, default), Has.Count.EqualTo(1));
        await store.PutTaskAsync(UiRecords.Task("UiFlow", "plain", "Work", 2, start, ["Join"]));
        Assert.That(await data.TasksAsync(run, default), Has.Count.EqualTo(2), "a finished run's list is not kept without versions to check it against");
        Assert.That(store.RecordsRead, Is.EqualTo(3));
    }

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

    private UiData Data(IMetadataStore store) =>
        new(new FlowUiOptions { Datastore = new FlowDatastore(new LocalBlobStore(_root), store, _root) });

    /// <summary>A metadata store that counts the task records it reads, and cannot list their versions.</summary>
    private class CountingStore(LocalMetadataStore inner) : IMetadataStore
    {
        private int _read;

        protected LocalMetadataStore Inner => inner;

        public int RecordsRead
        {
            get => Volatile.Read(ref _read);
            set => Interlocked.Exchange(ref _read, value);
        }

        public Task CreateRunAsync(RunRecord run, CancellationToken cancellationToken = default) => inner.CreateRunAsync(run, cancellationToken);

        public Task UpdateRunAsync(RunRecord run, CancellationToken cancellationToken = default) => inner.UpdateRunAsync(run, cancellationToken);

        public Task<RunRecord?> GetRunAsync(string flow, string runId, CancellationToken cancellationToken = default) => inner.GetRunAsync(flow, runId, cancellationToken);

        public Task<IReadOnlyList<RunRecord>> ListRunsAsync(string flow, CancellationToken cancellationToken = default) => inner.ListRunsAsync(flow, cancellationToken);

        public Task PutTaskAsync(TaskRecord task, CancellationToken cancellationToken = default) => inner.PutTaskAsync(task, cancellationToken);

        public async Task<TaskRecord?> GetTaskAsync(string flow, string runId, string step, long taskId, CancellationToken cancellationToken = default)
        {
            var task = await inner.GetTaskAsync(flow, runId, step, taskId, cancellationToken);
            Interlocked.Increment(ref _read);
            return task;
        }

        public async Task<IReadOnlyList<TaskRecord>> ListTasksAsync(string flow, string runId, CancellationToken cancellationToken = default)
        {
            var tasks = await inner.ListTasksAsync(flow, runId, cancellationToken);
            Interlocked.Add(ref _read, tasks.Count);
            return tasks;
        }

        public Task PutLogAsync(string flow, string runId, string step, long taskId, int attempt, string stream, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
            inner.PutLogAsync(flow, runId, step, taskId, attempt, stream, content, cancellationToken);

        public Task<byte[]?> GetLogAsync(string flow, string runId, string step, long taskId, int attempt, string stream, CancellationToken cancellationToken = default) =>
            inner.GetLogAsync(flow, runId, step, taskId, attempt, stream, cancellationToken);

        public Task<IReadOnlyList<string>> ListFlowsAsync(CancellationToken cancellationToken = default) => inner.ListFlowsAsync(cancellationToken);

        public Task PutCardAsync(string flow, string runId, string step, long taskId, int attempt, string id, ReadOnlyMemory<byte> html, CancellationToken cancellationToken = default) =>
            inner.PutCardAsync(flow, runId, step, taskId, attempt, id, html, cancellationToken);

        public Task<byte[]?> GetCardAsync(string flow, string runId, string step, long taskId, int attempt, string id, CancellationToken cancellationToken = default) =>
            inner.GetCardAsync(flow, runId, step, taskId, attempt, id, cancellationToken);

        public Task<IReadOnlyList<Flow.Cards.CardInfo>> ListCardsAsync(string flow, string runId, CancellationToken cancellationToken = default) => inner.ListCardsAsync(flow, runId, cancellationToken);
    }

    /// <summary>The same, listing versions as the local store does.</summary>
    private sealed class VersionedStore(LocalMetadataStore store) : CountingStore(store), ITaskRecordVersions
    {
        private int _listings;

        /// <summary>How many times the records were listed.</summary>
        public int Listings => Volatile.Read(ref _listings);

        public Task<IReadOnlyList<TaskRecordVersion>> ListTaskVersionsAsync(string flow, string runId, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _listings);
            return ((ITaskRecordVersions)Inner).ListTaskVersionsAsync(flow, runId, cancellationToken);
        }

        public string? TaskStamp(string flow, string runId) => ((ITaskRecordVersions)Inner).TaskStamp(flow, runId);
    }
}
