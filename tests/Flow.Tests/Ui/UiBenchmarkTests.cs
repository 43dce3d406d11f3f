using System.Diagnostics;
using Flow.Datastore;
using NUnit.Framework;

namespace Flow.Tests.Ui;

/// <summary>
/// The UI at scale (BENCHMARKS.md, "UI"): the runs page over 1,000 runs and the run page of a 10,000-task foreach,
/// with records written straight into a local datastore. Explicit: it writes some 11,000 files.
/// </summary>
[Explicit("a benchmark: dotnet test tests/Flow.Tests --filter FullyQualifiedName~UiBenchmark")]
public class UiBenchmarkTests
{
    [Test]
    public async Task RunsPageOf1000RunsAndRunPageOf10000Tasks()
    {
        await using var ui = await UiServer.StartAsync();
        var store = ui.Store.Metadata;
        var start = DateTimeOffset.UtcNow.AddDays(-1);
        for (var i = 0; i < 1000; i++)
        {
            await UiRecords.RunAsync(store, "UiFlow", $"run{i:0000}", i % 10 == 0 ? RunStatus.Failed : RunStatus.Succeeded, start.AddMinutes(i), i % 2 == 0 ? ["even"] : []);
        }

        foreach (var (id, status) in new[] { ("big", RunStatus.Succeeded), ("bigrunning", RunStatus.Running) })
        {
            await UiRecords.RunAsync(store, "UiFlow", id, status, start.AddDays(1));
            await store.PutTaskAsync(UiRecords.Task("UiFlow", id, "Start", 1, start, ["Work"], elements: 10_000));
            await Parallel.ForAsync(0, 10_000, async (i, ct) =>
                await store.PutTaskAsync(UiRecords.Task("UiFlow", id, "Work", i + 2, start.AddMilliseconds(i * 10), ["Join"], index: i), ct));
        }

        var figures = new List<string>
        {
            await Measure(ui, "/", "runs page, 1,000 runs (+2), page 1"),
            await Measure(ui, "/?page=10&tag=even", "runs page, 1,000 runs, filtered by tag, page 10 of 10"),
            await Measure(ui, "/runs/big", "run page, finished 10,000-task foreach"),
            await Measure(ui, "/runs/big/status.json", "status JSON, finished 10,000-task foreach"),
            await Measure(ui, "/runs/bigrunning", "run page, running 10,000-task foreach (not cached)"),
            await Measure(ui, "/runs/bigrunning/status.json", "status JSON, running 10,000-task foreach (not cached)"),
            await Measure(ui, "/runs/big/Work/5000", "task page"),
        };
        foreach (var line in figures)
        {
            TestContext.Out.WriteLine(line);
        }
    }

    // The first request (cold: nothing cached, files read from disk) and the median of 5 after it.
    private static async Task<string> Measure(UiServer ui, string path, string what)
    {
        var times = new List<double>();
        long bytes = 0;
        for (var i = 0; i < 6; i++)
        {
            var clock = Stopwatch.StartNew();
            var response = await ui.Http.GetAsync(path);
            var body = await response.Content.ReadAsByteArrayAsync();
            clock.Stop();
            response.EnsureSuccessStatusCode();
            bytes = body.Length;
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        var warm = times.Skip(1).Order().ElementAt(2);
        return $"| {what} | `{path}` | {times[0]:0} ms | {warm:0} ms | {bytes / 1024.0:0} KiB |";
    }
}
