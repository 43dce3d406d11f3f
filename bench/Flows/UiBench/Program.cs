using System.Diagnostics;
using Flow;
using Flow.Cli;
using Flow.Datastore;
using Flow.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

// Times the UI's pages over a datastore of the size PRODUCT.md names: 1,000 runs, and a 10,000-task foreach (one run
// finished, one still running, with 10 more of its tasks recorded before each request of the last row but one). The
// records are written straight into a fresh local datastore; the UI runs in this process on loopback, as the ui
// command runs it; each page is requested 6 times: the first (nothing cached) and the median of the 5 after it. Times
// are whole round trips, so they bound the server's time from above.
var root = Directory.CreateTempSubdirectory("flow-ui-bench-").FullName;
try
{
    var store = FlowDatastore.Local(root).Metadata;
    var start = DateTimeOffset.UtcNow.AddDays(-1);
    Console.Error.WriteLine($"Writing 1,000 runs and two 10,000-task runs into {root} ...");
    for (var i = 0; i < 1000; i++)
    {
        await Records.RunAsync(store, $"run{i:0000}", i % 10 == 0 ? RunStatus.Failed : RunStatus.Succeeded, start.AddMinutes(i), i % 2 == 0 ? ["even"] : []);
    }

    foreach (var (id, status) in new[] { ("big", RunStatus.Succeeded), ("bigrunning", RunStatus.Running) })
    {
        await Records.RunAsync(store, id, status, start.AddDays(1), []);
        await store.PutTaskAsync(Records.Task(id, "Start", 1, start, ["Work"], elements: 10_000));
        // The running one has 60 tasks left to finish: the last row writes 10 of their records before each poll.
        await Parallel.ForAsync(0, status == RunStatus.Running ? 10_000 - 60 : 10_000, async (i, ct) => await store.PutTaskAsync(Records.Task(id, "Work", i + 2, start.AddMilliseconds(i * 10), ["Join"], index: i), ct));
    }

    // A run is looked at some time after its records were written: the local store trusts a task folder's time as a
    // stamp of its records once it is 2 s old (LocalMetadataStore.SettledStamp), so the pages are timed after that.
    await Task.Delay(TimeSpan.FromSeconds(2.5));

    var finishing = 10_000 - 60;
    async Task FinishTenAsync()
    {
        for (var i = 0; i < 10; i++, finishing++)
        {
            await store.PutTaskAsync(Records.Task("bigrunning", "Work", finishing + 2, start.AddMilliseconds(finishing * 10), ["Join"], index: finishing));
        }
    }

    var builder = WebApplication.CreateBuilder();
    builder.WebHost.UseUrls("http://127.0.0.1:0");
    builder.Logging.ClearProviders();
    builder.Services.AddFlowUi(o =>
    {
        o.Datastore = FlowDatastore.Local(root);
        o.Flows.Add(FlowApp.DefinitionOf<UiBenchFlow>());
    });
    await using var app = builder.Build();
    app.UseFlowUi();
    await app.StartAsync();
    using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };

    Console.WriteLine("| page | request | first | median after | size |");
    Console.WriteLine("|---|---|---:|---:|---:|");
    foreach (var (path, what, before) in new (string, string, Func<Task>?)[]
    {
        ("/", "runs page, 1,000 runs (+2), page 1", null),
        ("/?page=10&tag=even", "runs page, 1,000 runs, filtered by tag, page 10 of 10", null),
        ("/runs/big", "run page, finished 10,000-task foreach", null),
        ("/runs/big/status.json", "status JSON, finished 10,000-task foreach", null),
        ("/runs/bigrunning", "run page, running 10,000-task foreach", null),
        ("/runs/bigrunning/status.json", "status JSON (what a running run's page polls every 2 s), running 10,000-task foreach", null),
        ("/runs/bigrunning/status.json", "the same, 10 more tasks recorded before each poll", FinishTenAsync),
        ("/runs/big/Work/5000", "task page", null),
    })
    {
        var times = new List<double>();
        long bytes = 0;
        for (var i = 0; i < 6; i++)
        {
            if (before is not null)
            {
                await before();
            }

            var clock = Stopwatch.StartNew();
            using var response = await http.GetAsync(path);
            var body = await response.Content.ReadAsByteArrayAsync();
            clock.Stop();
            response.EnsureSuccessStatusCode();
            bytes = body.Length;
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        Console.WriteLine($"| {what} | `{path}` | {times[0]:0} ms | {times.Skip(1).Order().ElementAt(2):0} ms | {bytes / 1024.0:0} KiB |");
    }

    await app.StopAsync();
}
finally
{
    Directory.Delete(root, recursive: true);
}

/// <summary>The shape of the benchmark's runs: a foreach over many elements.</summary>
public partial class UiBenchFlow : FlowSpec
{
    public List<int> Items { get; set; } = [];

    public int X { get; set; }

    [Step]
    [Foreach(nameof(Items))]
    public void Start()
    {
        Items = [.. Enumerable.Range(0, 10)];
        Next(Work);
    }

    [Step]
    public void Work(int item)
    {
        X = item;
        Next(Join);
    }

    [Step]
    public void Join(JoinInputs<UiBenchFlow> inputs)
    {
        X = inputs.Sum(i => i.X);
        Next(End);
    }

    [Step]
    public void End()
    {
    }
}

/// <summary>Run and task records as a run of <see cref="UiBenchFlow"/> writes them.</summary>
internal static class Records
{
    public static async Task RunAsync(IMetadataStore store, string runId, RunStatus status, DateTimeOffset start, string[] tags) =>
        await store.CreateRunAsync(new RunRecord
        {
            Flow = nameof(UiBenchFlow), RunId = runId, User = "bench", Status = status, Tags = tags, SystemTags = ["user:bench"],
            StartedAt = start, FinishedAt = status == RunStatus.Running ? null : start.AddSeconds(30),
        });

    public static TaskRecord Task(string runId, string step, long id, DateTimeOffset start, string[] next, int elements = 0, int index = 0) => new()
    {
        Flow = nameof(UiBenchFlow), RunId = runId, Step = step, TaskId = id, Position = $"{step}/{index}", Status = RunStatus.Succeeded, Index = index,
        Next = next, StartedAt = start, FinishedAt = start.AddMilliseconds(500),
        Artifacts = new Dictionary<string, ArtifactRef> { ["X"] = new(new string('a', 64), "int", 1) { Inline = [(byte)(index % 100)] } },
        ForeachElements = elements == 0 ? null : Enumerable.Range(0, elements).Select(i => new ArtifactRef(new string('b', 64), "int", 1) { Inline = [(byte)(i % 100)] }).ToList(),
    };
}
