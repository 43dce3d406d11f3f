using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Flow.Cli;
using Flow.Datastore;
using Flow.Deploy;
using Flow.Execution;
using Flow.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace Flow.Tests.Hosting;

/// <summary>The service host on loopback, with a real HTTP client: which run answers, bad input, errors, health, OpenAPI, swaps under load.</summary>
public class ServiceHostTests
{
    private const string User = "tester";

    private string _root = "";
    private FlowDatastore _store = null!;
    private WebApplication? _app;
    private HttpClient _http = null!;

    [SetUp]
    public void CreateDatastore()
    {
        _root = Directory.CreateTempSubdirectory("flow-service-").FullName;
        _store = FlowDatastore.Local(_root);
    }

    [TearDown]
    public async Task StopAsync()
    {
        _http?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        Directory.Delete(_root, recursive: true);
    }

    private async Task StartAsync(Action<FlowServiceOptions>? configure = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddFlowService<PriceService>(o =>
        {
            o.Datastore = FlowDatastore.Local(_root);
            o.Namespace = "user:" + User;
            o.Refresh = TimeSpan.FromMilliseconds(100);
            configure?.Invoke(o);
        });
        _app = builder.Build();
        _app.UseFlowService<PriceService>();
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_app.Urls.Single()) };
    }

    private async Task<string> RunAsync(int @base, string user = User, string[]? tags = null, (string Token, string Branch)? production = null)
    {
        var options = new RunOptions
        {
            User = user, Tags = tags ?? [], Datastore = _store, Log = TextWriter.Null, Output = TextWriter.Null, MaxWorkers = 1,
            Isolation = TaskIsolation.InProcess, Production = production,
        };
        var result = await new LocalScheduler(FlowApp.DefinitionOf<PriceFlow>(), options).RunAsync(new Dictionary<string, string> { ["Base"] = @base.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        Assert.That(result.Succeeded, Is.True, result.Error?.ToString());
        return result.RunId;
    }

    private async Task<HttpResponseMessage> WaitForAsync(string path, string runId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var response = await _http.GetAsync(path);
            if (response.Headers.TryGetValues(ServedRun.Header, out var served) && served.Single() == $"PriceFlow/{runId}")
            {
                return response;
            }

            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"run {runId} was not put in service; the last answer was {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            await Task.Delay(50);
        }
    }

    private static async Task<JsonObject> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), body);
        return JsonNode.Parse(body)!.AsObject();
    }

    [Test]
    public async Task BeforeAnyRunEndpointsAnswer503SayingWhatToRunAndHealthIsNotReady()
    {
        await StartAsync();

        var problem = await ProblemAsync(await _http.GetAsync("/show_data"), HttpStatusCode.ServiceUnavailable);
        Assert.That((string?)problem["detail"], Does.Contain("No successful run of PriceFlow in namespace 'user:tester'").And.Contain("'run' command"));
        var health = await _http.GetAsync(FlowServiceExtensions.HealthPath);
        Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(await health.Content.ReadAsStringAsync(), Does.StartWith("not ready"));

        var run = await RunAsync(3);
        var response = await WaitForAsync("/show_data", run);
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("{\"result\":3}"));
        health = await _http.GetAsync(FlowServiceExtensions.HealthPath);
        Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await health.Content.ReadAsStringAsync(), Does.Contain($"PriceFlow/{run}"));
    }

    [Test]
    public async Task GetBindsTheQueryAndPostTheJsonBody()
    {
        var run = await RunAsync(4);
        await StartAsync();
        await WaitForAsync("/show_data", run);

        Assert.That(await _http.GetFromJsonAsync<double>("/price?plan=premium&months=2"), Is.EqualTo(20));
        Assert.That(await _http.GetFromJsonAsync<double>("/price?plan=basic"), Is.EqualTo(4), "an optional parameter keeps its default");
        var quote = await (await _http.PostAsJsonAsync("/what_if", new Scenario("basic", 10, 0.5))).Content.ReadFromJsonAsync<Quote>();
        Assert.That(quote, Is.EqualTo(new Quote("basic", 20)));
        Assert.That(await _http.GetFromJsonAsync<string>("/slow"), Is.EqualTo(run), "an async endpoint is awaited, with the request's token");
    }

    [Test]
    public async Task BadInputIs400ProblemJsonNamingWhatWasWrong()
    {
        var run = await RunAsync(4);
        await StartAsync(o => o.MaxBodySize = 1000);
        await WaitForAsync("/show_data", run);

        var problem = await ProblemAsync(await _http.GetAsync("/price?plan=basic&months=many"), HttpStatusCode.BadRequest);
        Assert.That((string?)problem["detail"], Does.Contain("months").And.Contain("many"));
        problem = await ProblemAsync(await _http.GetAsync("/price?plan=basic&months=0"), HttpStatusCode.BadRequest);
        Assert.That((string?)problem["detail"], Is.EqualTo("months must be at least 1, not 0."), "an endpoint rejects input with BadHttpRequestException and its message");
        problem = await ProblemAsync(await _http.GetAsync("/price"), HttpStatusCode.BadRequest);
        Assert.That((string?)problem["detail"], Does.Contain("plan"));

        HttpContent Json(string text) => new StringContent(text, Encoding.UTF8, "application/json");
        problem = await ProblemAsync(await _http.PostAsync("/what_if", Json("{\"plan\": \"basic\", ")), HttpStatusCode.BadRequest);
        Assert.That((string?)problem["detail"], Does.Contain("scenario"));
        problem = await ProblemAsync(await _http.PostAsync("/what_if", Json("{\"plan\": \"basic\", \"months\": \"ten\"}")), HttpStatusCode.BadRequest);
        Assert.That((string?)problem["field"], Is.EqualTo("$.months"));
        problem = await ProblemAsync(await _http.PostAsync("/what_if", Json("{\"plan\": \"basic\"}")), HttpStatusCode.BadRequest);
        Assert.That((string?)problem["detail"], Does.Contain("months"), "a missing member is named");
        problem = await ProblemAsync(await _http.PostAsync("/what_if", Json("{\"plan\": null, \"months\": 1}")), HttpStatusCode.BadRequest);
        Assert.That((string?)problem["detail"], Does.Contain("plan"), "null where the type says it cannot be is named");
        problem = await ProblemAsync(await _http.PostAsync("/what_if", Json("{\"plan\": \"" + new string('x', 2000) + "\", \"months\": 1}")), HttpStatusCode.BadRequest);
        Assert.That((string?)problem["detail"], Does.Contain("1000").And.Contain("parameter scenario"));
        Assert.That((string?)problem["field"], Is.EqualTo("scenario"));

        problem = await ProblemAsync(await _http.GetAsync("/no_such_route"), HttpStatusCode.NotFound);
        Assert.That((string?)problem["detail"], Does.Contain("No endpoint at /no_such_route").And.Contain("GET /show_data"));
        var own = await _http.GetAsync("/plan?name=gold");
        Assert.That(own.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "an endpoint's own 404");
        Assert.That(await own.Content.ReadAsStringAsync(), Does.Not.Contain("No endpoint at"));
        Assert.That(await _http.GetStringAsync("/show_data"), Is.EqualTo("{\"result\":4}"), "the service still answers");
    }

    [Test]
    public async Task APlainClassBodyWithoutANonNullableMemberIs400NamingIt()
    {
        var run = await RunAsync(4);
        await StartAsync();
        await WaitForAsync("/show_data", run);

        HttpContent Json(string text) => new StringContent(text, Encoding.UTF8, "application/json");
        var answer = await _http.PostAsync("/place_order", Json("{\"plan\": \"basic\"}"));
        Assert.That(await answer.Content.ReadAsStringAsync(), Is.EqualTo("BASIC EUR - -"), "a member with a default, or a nullable one, may be left out");
        answer = await _http.PostAsync("/place_order", Json("{\"plan\": \"basic\", \"note\": null, \"billing\": {\"city\": \"Oslo\"}}"));
        Assert.That(await answer.Content.ReadAsStringAsync(), Is.EqualTo("BASIC EUR - OSLO"));

        var problem = await ProblemAsync(await _http.PostAsync("/place_order", Json("{\"currency\": \"USD\"}")), HttpStatusCode.BadRequest);
        Assert.That((string?)problem["field"], Is.EqualTo("$.plan"), problem.ToJsonString());
        Assert.That((string?)problem["detail"], Does.Contain("'plan'").And.Contain("Order.Plan"));
        problem = await ProblemAsync(await _http.PostAsync("/place_order", Json("{\"plan\": null}")), HttpStatusCode.BadRequest);
        Assert.That((string?)problem["field"], Is.EqualTo("$.plan"), problem.ToJsonString());
        problem = await ProblemAsync(await _http.PostAsync("/place_order", Json("{\"plan\": \"basic\", \"billing\": {}}")), HttpStatusCode.BadRequest);
        Assert.That((string?)problem["field"], Is.EqualTo("$.billing.city"), problem.ToJsonString());
        Assert.That((string?)problem["detail"], Does.Contain("Address.City"));
    }

    [Test]
    public async Task AnEndpointThatThrowsIs500WithoutItsMessageStackOrPaths()
    {
        var run = await RunAsync(4);
        await StartAsync();
        await WaitForAsync("/show_data", run);

        var response = await _http.GetAsync("/price?plan=gold");
        var body = (await ProblemAsync(response, HttpStatusCode.InternalServerError)).ToJsonString();
        Assert.That(body, Does.Contain("KeyNotFoundException").And.Contain("trace id"));
        Assert.That(body, Does.Not.Contain("/var/lib").And.Not.Contain("catalogue").And.Not.Contain(" at ").And.Not.Contain(".cs"));
        Assert.That(response.Headers.GetValues(ServedRun.Header).Single(), Is.EqualTo($"PriceFlow/{run}"));
    }

    [Test]
    public async Task TheOpenApiDocumentListsEveryEndpointWithItsTypes()
    {
        await StartAsync();
        var document = JsonNode.Parse(await _http.GetStringAsync(FlowServiceExtensions.OpenApiPath))!;
        var paths = document["paths"]!.AsObject();
        Assert.That(paths.Select(p => p.Key), Is.EquivalentTo(new[] { "/show_data", "/price", "/what_if", "/slow", "/ratio", "/plan", "/place_order" }));
        Assert.That(paths["/what_if"]!["post"]!["requestBody"]!.ToJsonString(), Does.Contain("Scenario"));
        Assert.That(paths["/what_if"]!["post"]!["responses"]!["200"]!.ToJsonString(), Does.Contain("Quote"));
        var price = paths["/price"]!["get"]!["parameters"]!.AsArray().Select(p => ((string?)p!["name"], (string?)p["in"]));
        Assert.That(price, Is.EquivalentTo(new[] { ("plan", "query"), ("months", "query") }));
        var schemas = document["components"]!["schemas"]!.AsObject();
        Assert.That(schemas["Scenario"]!["properties"]!.AsObject().Select(p => p.Key), Is.EquivalentTo(new[] { "plan", "months", "discount" }));
    }

    [Test]
    public async Task ANewerRunReplacesTheServedOneUnderLoadWithoutAFailedRequest()
    {
        var first = await RunAsync(3);
        await StartAsync();
        await WaitForAsync("/show_data", first);
        var loadsBefore = PriceService.Loads;
        var disposedBefore = PriceService.Disposed;

        const int requests = 20_000;
        const int concurrency = 32;
        var next = 0;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var answers = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var lastSeen = new string[concurrency];
        string? second = null;
        var workers = Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) <= requests)
            {
                try
                {
                    using var response = await _http.GetAsync("/show_data");
                    var body = await response.Content.ReadAsStringAsync();
                    var served = response.Headers.GetValues(ServedRun.Header).Single();
                    if (response.StatusCode != HttpStatusCode.OK || body != (served == $"PriceFlow/{first}" ? "{\"result\":3}" : "{\"result\":5}"))
                    {
                        failures.Enqueue($"{(int)response.StatusCode} {served} {body}");
                    }

                    // Once a worker saw the new run, it never sees the old one again.
                    if (lastSeen[worker] is { } seen && seen != served && served == $"PriceFlow/{first}")
                    {
                        failures.Enqueue($"worker {worker} went back from {seen} to {served}");
                    }

                    lastSeen[worker] = served;
                    answers.AddOrUpdate(served, 1, (_, n) => n + 1);
                }
                catch (Exception e)
                {
                    failures.Enqueue(e.Message);
                }
            }
        })).ToList();

        // The second run finishes while the load runs.
        while (Volatile.Read(ref next) < requests / 4)
        {
            await Task.Delay(5);
        }

        second = await RunAsync(5);
        await Task.WhenAll(workers);
        Assert.That(failures, Is.Empty);
        Assert.That(answers.Values.Sum(), Is.EqualTo(requests));
        Assert.That(answers.Keys, Does.Contain($"PriceFlow/{first}"));
        Assert.That(answers.Keys, Does.Contain($"PriceFlow/{second}"), "the newer run was put in service during the load");
        Assert.That(PriceService.Loads - loadsBefore, Is.EqualTo(1), "artifacts are loaded once per run, not per request");
        Assert.That(PriceService.Disposed - disposedBefore, Is.EqualTo(1), "the replaced run's instance is disposed once its requests are done");
        Assert.That(await _http.GetStringAsync("/show_data"), Is.EqualTo("{\"result\":5}"));
    }

    [Test]
    public async Task NotANumberIsAnsweredAsJsonNotAFailure()
    {
        var run = await RunAsync(3);
        await StartAsync();
        await WaitForAsync("/show_data", run);

        Assert.That(await _http.GetStringAsync("/ratio"), Is.EqualTo("\"NaN\""));
    }

    [Test]
    public void AnApplicationServesOneService()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Services.AddFlowService<PriceService>();
        Assert.That(() => builder.Services.AddFlowService<PriceService>(), Throws.InvalidOperationException.With.Message.Contains("one web service"));
    }

    [Test]
    public async Task RunTagAndNamespaceChooseTheServedRun()
    {
        var tagged = await RunAsync(7, tags: ["champion"]);
        var latest = await RunAsync(8);
        var other = await RunAsync(9, user: "someone-else");

        await StartAsync(o => o.Tag = "champion");
        await WaitForAsync("/show_data", tagged);
        await _app!.DisposeAsync();
        _http.Dispose();

        await StartAsync(o => o.RunId = tagged);
        await WaitForAsync("/show_data", tagged);
        await _app!.DisposeAsync();
        _http.Dispose();

        await StartAsync();
        await WaitForAsync("/show_data", latest);
        await _app!.DisposeAsync();
        _http.Dispose();

        await StartAsync(o => o.Namespace = "user:someone-else");
        await WaitForAsync("/show_data", other);
    }

    [Test]
    public async Task WithoutANamespaceProductionRunsAreServedOnceTheFlowHasOne()
    {
        var mine = await RunAsync(3, user: Flow.Client.FlowClient.DefaultNamespace["user:".Length..]);
        await StartAsync(o => o.Namespace = null);
        await WaitForAsync("/show_data", mine);

        var graph = FlowApp.DefinitionOf<PriceFlow>().Graph;
        var production = await RunAsync(6, user: "production", production: (Deployments.Token(graph, Deployments.ProductionBranch), Deployments.ProductionBranch));
        var response = await WaitForAsync("/show_data", production);
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("{\"result\":6}"));
        await RunAsync(4, user: Flow.Client.FlowClient.DefaultNamespace["user:".Length..]);
        await Task.Delay(500);
        Assert.That(await _http.GetStringAsync("/show_data"), Is.EqualTo("{\"result\":6}"), "a user's newer run does not replace production's");
    }

    [Test]
    public async Task ARunThatCannotBeLoadedLeavesThePreviousOneInService()
    {
        var first = await RunAsync(3);
        await StartAsync(o => o.Refresh = TimeSpan.FromHours(1));
        await WaitForAsync("/show_data", first);
        var runs = _app!.Services.GetRequiredService<ServedRuns>();

        // The newer run's artifacts are damaged: the host keeps serving the first, and says why.
        static HashSet<string> Blobs(string root) => Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Where(f => f.Contains("blobs", StringComparison.Ordinal)).ToHashSet();
        var before = Blobs(_root);
        var second = await RunAsync(5);
        foreach (var blob in Blobs(_root).Except(before))
        {
            File.WriteAllText(blob, "damaged");
        }

        Assert.That(await runs.RefreshAsync(CancellationToken.None), Is.True, "a run is still in service");
        var response = await _http.GetAsync("/show_data");
        Assert.That(response.Headers.GetValues(ServedRun.Header).Single(), Is.EqualTo($"PriceFlow/{first}"));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("{\"result\":3}"));
        Assert.That(second, Is.Not.EqualTo(first));
    }
}
