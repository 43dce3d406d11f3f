using Flow.Cli;
using Flow.Datastore;
using Flow.Execution;
using Flow.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace Flow.Tests.Ui;

/// <summary>The UI over a temporary local datastore, on 127.0.0.1 with a free port, and records written into it.</summary>
public sealed class UiServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private UiServer(string root, WebApplication app, HttpClient http)
    {
        Root = root;
        _app = app;
        Http = http;
    }

    public string Root { get; }

    public FlowDatastore Store => FlowDatastore.Local(Root);

    public HttpClient Http { get; }

    public string Url => Http.BaseAddress!.ToString().TrimEnd('/');

    public static async Task<UiServer> StartAsync(string? root = null)
    {
        root ??= Directory.CreateTempSubdirectory("flow-ui-").FullName;
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddFlowUi(o =>
        {
            o.Datastore = FlowDatastore.Local(root);
            o.Flows.Add(FlowApp.DefinitionOf<UiFlow>());
            o.Flows.Add(FlowApp.DefinitionOf<UiWaitFlow>());
        });
        var app = builder.Build();
        app.UseFlowUi();
        await app.StartAsync();
        return new UiServer(root, app, new HttpClient { BaseAddress = new Uri(app.Urls.Single()) });
    }

    /// <summary>A real run of <see cref="UiFlow"/>, in process.</summary>
    public async Task<RunResult> RunAsync(int count, int failAt = -1, string[]? tags = null)
    {
        var options = new RunOptions
        {
            User = "tester", Tags = tags ?? [], Datastore = Store, Log = TextWriter.Null, Output = TextWriter.Null, MaxWorkers = 1,
            Isolation = TaskIsolation.InProcess,
        };
        var parameters = new Dictionary<string, string>
        {
            ["Count"] = count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["FailAt"] = failAt.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        return await new LocalScheduler(FlowApp.DefinitionOf<UiFlow>(), options).RunAsync(parameters);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }
}

/// <summary>Run and task records written straight into a datastore, as a run that is going would leave them.</summary>
public static class UiRecords
{
    public static async Task<RunRecord> RunAsync(IMetadataStore store, string flow, string runId, RunStatus status, DateTimeOffset start, string[]? tags = null)
    {
        var run = new RunRecord
        {
            Flow = flow, RunId = runId, User = "tester", Status = status, Tags = tags ?? [], SystemTags = ["user:tester"],
            StartedAt = start, FinishedAt = status == RunStatus.Running ? null : start.AddSeconds(30),
        };
        await store.CreateRunAsync(run);
        return run;
    }

    public static TaskRecord Task(string flow, string runId, string step, long id, DateTimeOffset start, string[] next, int elements = 0, int index = 0) => new()
    {
        Flow = flow, RunId = runId, Step = step, TaskId = id, Position = $"{step}/{index}", Status = RunStatus.Succeeded, Index = index,
        Next = next, StartedAt = start, FinishedAt = start.AddMilliseconds(500),
        Artifacts = new Dictionary<string, ArtifactRef> { ["X"] = new(new string('a', 64), "int", 1) { Inline = [(byte)(index % 100)] } },
        ForeachElements = elements == 0 ? null : Enumerable.Range(0, elements).Select(i => new ArtifactRef(new string('b', 64), "int", 1) { Inline = [(byte)(i % 100)] }).ToList(),
    };
}
