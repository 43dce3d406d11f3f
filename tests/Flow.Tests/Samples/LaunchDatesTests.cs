using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Flow.Client;
using Flow.Datastore;
using Flow.Execution;
using Flow.Hosting;
using Flow.Tests.Infrastructure;
using LaunchPlanning;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace Flow.Tests.Samples;

/// <summary>The LaunchDates sample: its optimizer, its flow run end to end, and its service's endpoints on a run's artifacts.</summary>
public class LaunchDatesTests
{
    private const string Start = "2027-01-04";
    private const int Seed = 7;

    private string _root = "";
    private string _runId = "";
    private Run<LaunchDates> _run = null!;
    private LaunchDates _data = null!;
    private LaunchDatesService _service = null!;

    /// <summary>One run of the flow for the tests that read its artifacts, and a service over it.</summary>
    [OneTimeSetUp]
    public async Task RunTheFlowAsync()
    {
        _root = Directory.CreateTempSubdirectory("flow-launch-").FullName;
        var result = await RunAsync(new() { ["StartDate"] = Start });
        Assert.That(result.Succeeded, Is.True, result.Error?.Message);
        _runId = result.RunId;
        _run = await new FlowClient(FlowDatastore.Local(_root)) { Namespace = null }.Flow<LaunchDates>().GetAsync(_runId);
        _data = await _run.DataAsync();
        _service = new LaunchDatesService();
        _service.Attach(_run, _data);
    }

    [OneTimeTearDown]
    public void DeleteDatastore() => Directory.Delete(_root, recursive: true);

    private Task<RunResult> RunAsync(Dictionary<string, string> parameters)
    {
        var options = new RunOptions
        {
            User = "tester", Datastore = FlowDatastore.Local(_root), Log = TextWriter.Null, Output = TextWriter.Null, MaxWorkers = 2,
            Isolation = TaskIsolation.InProcess,
        };
        return new LocalScheduler(Cli.FlowApp.DefinitionOf<LaunchDates>(), options).RunAsync(parameters);
    }

    private static MarketProblem Problem(string market = "NA", int capacity = 2, int titles = 40, int horizon = 90, int seed = Seed)
    {
        var forecast = Synthetic.Forecast(["NA", "LATAM", "EMEA", "APAC"], new DateOnly(2027, 1, 4), horizon, seed);
        return MarketPlans.Problem(Synthetic.Catalogue(titles, horizon, seed), forecast, market, capacity);
    }

    private static void AssertFeasible(MarketProblem problem, Solution schedule)
    {
        Assert.That(schedule.Days, Has.Count.EqualTo(problem.Titles.Count));
        for (var i = 0; i < schedule.Days.Count; i++)
        {
            if (schedule.Days[i] >= 0)
            {
                Assert.That(schedule.Days[i], Is.InRange(problem.First(i), problem.Last(i)), $"title {problem.Titles[i].Id} is outside its window");
            }
        }

        Assert.That(schedule.Days.Where(d => d >= 0).GroupBy(d => d).Max(g => (int?)g.Count()) ?? 0, Is.LessThanOrEqualTo(problem.Capacity), "a day over capacity");
        Assert.That(schedule.Total, Is.EqualTo(schedule.Views.Sum()).Within(1e-6));
        Assert.That(LaunchOptimizer.Evaluate(problem, schedule.Days).Total, Is.EqualTo(schedule.Total).Within(1e-6), "the total is what the schedule is worth");
    }

    // --- the optimizer

    [TestCase("NA")]
    [TestCase("LATAM")]
    [TestCase("EMEA")]
    [TestCase("APAC")]
    public void OptimizerClearlyBeatsTheNaiveScheduleQuickly(string market)
    {
        var problem = Problem(market);
        LaunchOptimizer.Optimize(problem, Seed);   // compiled once, as the flow's task would be after its first market
        var clock = Stopwatch.StartNew();
        var result = LaunchOptimizer.Optimize(problem, Seed);
        clock.Stop();

        AssertFeasible(problem, result.Best);
        AssertFeasible(problem, result.Naive);
        Assert.That(result.Best.Total, Is.GreaterThan(result.Naive.Total * 1.1), $"best {result.Best.Total:N0}, naive {result.Naive.Total:N0}");
        Assert.That(result.Best.Total, Is.GreaterThanOrEqualTo(result.Greedy.Total), "local search starts from the greedy schedule and only improves it");
        Assert.That(result.Best.Days, Has.None.EqualTo(-1), "40 titles fit in 90 days at 2 a day");
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)), "40 titles over 90 days");
        TestContext.Out.WriteLine($"{market}: {result.Best.Total:N0} vs naive {result.Naive.Total:N0} ({result.Improvement:P1}), greedy {result.Greedy.Total:N0}, {result.Moves} moves, {clock.Elapsed.TotalMilliseconds:N1} ms");
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void SchedulesStayInsideWindowsAndCapacity(int capacity)
    {
        var problem = Problem(capacity: capacity, titles: 60);
        var result = LaunchOptimizer.Optimize(problem, Seed);
        AssertFeasible(problem, result.Best);
        AssertFeasible(problem, result.Naive);
        Assert.That(result.Best.Total, Is.GreaterThan(result.Naive.Total));
    }

    [Test]
    public void TheSameSeedGivesTheSameSchedule()
    {
        var first = LaunchOptimizer.Optimize(Problem(), 11);
        var second = LaunchOptimizer.Optimize(Problem(), 11);
        Assert.That(second.Best.Days, Is.EqualTo(first.Best.Days));
        Assert.That(second.Best.Total, Is.EqualTo(first.Best.Total));
        Assert.That(Synthetic.Catalogue(40, 90, 3), Is.EqualTo(Synthetic.Catalogue(40, 90, 3)));
        Assert.That(Synthetic.Catalogue(40, 90, 3), Is.Not.EqualTo(Synthetic.Catalogue(40, 90, 4)));
    }

    [Test]
    public void FindsTheOptimumOfASmallProblemThatEveryScheduleIsCheckedFor()
    {
        // Three dramas that cannibalise each other, a comedy, a documentary; six days, one launch a day.
        var titles = new List<Candidate>
        {
            new("A", "Drama", 100, 0, 5), new("B", "Drama", 90, 0, 3), new("C", "Drama", 60, 1, 5),
            new("D", "Comedy", 80, 0, 2), new("E", "Documentary", 40, 2, 5),
        };
        var problem = new MarketProblem(titles, [1.0, 0.9, 1.3, 1.4, 0.8, 1.1], capacity: 1);
        var best = double.NegativeInfinity;
        foreach (var days in Schedules(problem, 0, new int[titles.Count]))
        {
            best = Math.Max(best, LaunchOptimizer.Evaluate(problem, days).Total);
        }

        var result = LaunchOptimizer.Optimize(problem, Seed);
        AssertFeasible(problem, result.Best);
        Assert.That(result.Best.Total, Is.EqualTo(best).Within(1e-9));
    }

    // Every feasible schedule: each title on a day of its window or off it, at most one a day.
    private static IEnumerable<int[]> Schedules(MarketProblem problem, int i, int[] days)
    {
        if (i == days.Length)
        {
            yield return (int[])days.Clone();
            yield break;
        }

        for (var d = problem.First(i) - 1; d <= problem.Last(i); d++)
        {
            var day = d < problem.First(i) ? -1 : d;
            if (day >= 0 && days.Take(i).Contains(day))
            {
                continue;
            }

            days[i] = day;
            foreach (var s in Schedules(problem, i + 1, days))
            {
                yield return s;
            }
        }
    }

    [Test]
    public void NoTitlesIsAnEmptySchedule()
    {
        var result = LaunchOptimizer.Optimize(new MarketProblem([], [1.0, 1.2], 2), Seed);
        Assert.That(result.Best.Days, Is.Empty);
        Assert.That(result.Best.Total, Is.Zero);
        Assert.That(result.Improvement, Is.Zero);
        Assert.That(MarketPlans.Problem([], Synthetic.Forecast(["EMEA"], new DateOnly(2027, 1, 4), 30, 1), "EMEA", 1).Titles, Is.Empty);
    }

    [Test]
    public void CapacityOneWithMoreTitlesThanDaysLeavesTheLeastValuableOut()
    {
        var titles = new List<Candidate> { new("A", "Drama", 10, 0, 1), new("B", "Comedy", 50, 0, 1), new("C", "Thriller", 30, 0, 1) };
        var problem = new MarketProblem(titles, [1.0, 1.0, 1.0], capacity: 1);
        var result = LaunchOptimizer.Optimize(problem, Seed);
        AssertFeasible(problem, result.Best);
        Assert.That(result.Best.Days[0], Is.EqualTo(-1), "A is worth least and there are two days for three titles");
        Assert.That(result.Best.Days.Skip(1), Is.EquivalentTo(new[] { 0, 1 }));
        Assert.That(result.Naive.Days.Count(d => d == -1), Is.EqualTo(1), "the naive schedule cannot place three either");
    }

    [Test]
    public void AWindowOfOneDayIsKeptAndPinsOverrideWindows()
    {
        var titles = new List<Candidate> { new("A", "Drama", 100, 4, 4), new("B", "Drama", 100, 0, 9), new("C", "Drama", 100, 0, 9) };
        var flat = Enumerable.Repeat(1.0, 10).ToList();
        var result = LaunchOptimizer.Optimize(new MarketProblem(titles, flat, 1), Seed);
        Assert.That(result.Best.Days[0], Is.EqualTo(4));
        Assert.That(result.Best.Days.Skip(1).Select(d => Math.Abs(d - 4)), Has.All.GreaterThan(1), "the other dramas keep away from it");

        var pinned = new MarketProblem(titles, flat, 1, new Dictionary<string, int> { ["B"] = 5, ["A"] = 4 });
        var withPins = LaunchOptimizer.Optimize(pinned, Seed);
        AssertFeasible(pinned, withPins.Best);
        Assert.That(withPins.Best.Days[0], Is.EqualTo(4));
        Assert.That(withPins.Best.Days[1], Is.EqualTo(5));
    }

    [Test]
    public void ABadProblemIsAnArgumentExceptionSayingWhatIsWrong()
    {
        var titles = new List<Candidate> { new("A", "Drama", 100, 0, 4), new("B", "Drama", 100, 0, 4) };
        double[] days = [1, 1, 1, 1, 1];
        Assert.That(() => new MarketProblem(titles, days, 0), Throws.ArgumentException.With.Message.Contains("capacity"));
        Assert.That(() => new MarketProblem(titles, [1, 1], 1), Throws.ArgumentException.With.Message.Contains("'A' has window [0, 4]"));
        Assert.That(() => new MarketProblem([titles[0], titles[0]], days, 1), Throws.ArgumentException.With.Message.Contains("'A' appears twice"));
        Assert.That(() => new MarketProblem(titles, days, 1, new Dictionary<string, int> { ["Z"] = 1 }), Throws.ArgumentException.With.Message.Contains("'Z'"));
        Assert.That(() => new MarketProblem(titles, days, 1, new Dictionary<string, int> { ["A"] = 5 }), Throws.ArgumentException.With.Message.Contains("day 5, outside the horizon"));
        Assert.That(() => new MarketProblem(titles, days, 1, new Dictionary<string, int> { ["A"] = 2, ["B"] = 2 }), Throws.ArgumentException.With.Message.Contains("2 titles are pinned to day 2"));
        var problem = new MarketProblem(titles, days, 1);
        Assert.That(() => LaunchOptimizer.Evaluate(problem, [1, 1]), Throws.ArgumentException.With.Message.Contains("capacity"));
        Assert.That(() => LaunchOptimizer.Evaluate(problem, [0, 7]), Throws.ArgumentException.With.Message.Contains("outside its window"));
    }

    // --- the flow

    [Test]
    public void TheFlowSchedulesEveryMarketAndItsTotalsAgree()
    {
        string[] markets = ["NA", "LATAM", "EMEA", "APAC"];
        Assert.That(_data.Catalogue, Has.Count.EqualTo(40));
        Assert.That(_data.Forecast.StartDate, Is.EqualTo(Start));
        Assert.That(_data.Forecast.Horizon, Is.EqualTo(90));
        Assert.That(_data.Forecast.Markets.Select(m => m.Market), Is.EqualTo(markets));
        Assert.That(_data.Schedules.Keys, Is.EquivalentTo(markets));

        var titles = _data.Catalogue.ToDictionary(t => t.Id);
        foreach (var (market, schedule) in _data.Schedules)
        {
            Assert.That(schedule.Market, Is.EqualTo(market));
            Assert.That(schedule.Launches.Select(l => l.TitleId).Concat(schedule.Unscheduled), Is.EquivalentTo(titles.Keys), $"{market}: each title once");
            Assert.That(schedule.Launches.GroupBy(l => l.Day).Max(g => g.Count()), Is.LessThanOrEqualTo(_data.Capacity));
            foreach (var launch in schedule.Launches)
            {
                Assert.That(launch.Day, Is.InRange(titles[launch.TitleId].Earliest, titles[launch.TitleId].Latest), $"{market}: {launch.TitleId}");
                Assert.That(launch.Date, Is.EqualTo(new DateOnly(2027, 1, 4).AddDays(launch.Day).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
            }

            Assert.That(schedule.TotalViews, Is.EqualTo(schedule.Launches.Sum(l => l.ExpectedViews)).Within(0.05));
            Assert.That(schedule.TotalViews, Is.GreaterThan(schedule.NaiveViews));

            // The stored schedule is worth what the optimizer says, counted again from the stored catalogue and forecast.
            var problem = MarketPlans.Problem(_data.Catalogue, _data.Forecast, market, schedule.Capacity);
            var days = _data.Catalogue.Select(t => schedule.Launches.FirstOrDefault(l => l.TitleId == t.Id)?.Day ?? -1).ToArray();
            Assert.That(LaunchOptimizer.Evaluate(problem, days).Total, Is.EqualTo(schedule.TotalViews).Within(0.01));
        }

        var totals = _data.Totals!;
        Assert.That(totals.TotalViews, Is.EqualTo(_data.Schedules.Values.Sum(s => s.TotalViews)).Within(0.01));
        Assert.That(totals.NaiveViews, Is.EqualTo(_data.Schedules.Values.Sum(s => s.NaiveViews)).Within(0.01));
        Assert.That(totals.Improvement, Is.EqualTo(totals.TotalViews / totals.NaiveViews - 1).Within(1e-5).And.GreaterThan(0.1));
        Assert.That(totals.ByMarket, Is.EquivalentTo(_data.Schedules.ToDictionary(s => s.Key, s => s.Value.TotalViews)));
        Assert.That(totals.BusiestDays, Has.Count.EqualTo(5));
        Assert.That(totals.BusiestDays.Select(d => d.ExpectedViews), Is.Ordered.Descending);
    }

    [Test]
    public async Task TheFlowIsDeterministicForItsParameters()
    {
        var again = await RunAsync(new() { ["StartDate"] = Start });
        Assert.That(again.Succeeded, Is.True, again.Error?.Message);
        var data = await new FlowClient(FlowDatastore.Local(_root)) { Namespace = null }.Flow<LaunchDates>().GetAsync(again.RunId).ContinueWith(r => r.Result.DataAsync()).Unwrap();
        Assert.That(data.Totals!.TotalViews, Is.EqualTo(_data.Totals!.TotalViews));
        Assert.That(data.Schedules["EMEA"].Launches, Is.EqualTo(_data.Schedules["EMEA"].Launches));
    }

    [Test]
    public void TheBuiltProgramRunsAsTheReadmeShows()
    {
        var result = SampleTests.Run("LaunchDates", "run", "--start-date", Start, "--capacity", "2");
        Assert.That(result.Code, Is.EqualTo(0), result.ToString());
        Assert.That(result.Output, Does.Contain("[Start/1] 40 titles, 4 markets, 90 days from 2027-01-04, at most 2 launches a day"), result.ToString());
        var summary = Regex.Match(result.Output, @"launch schedule: 160 launches in 4 markets, ([\d,]+)k expected views, ([\d.]+) % over the naive schedule");
        Assert.That(summary.Success, Is.True, result.ToString());
        Assert.That(summary.Groups[1].Value, Is.EqualTo(_data.Totals!.TotalViews.ToString("N0", CultureInfo.InvariantCulture)), "the same schedule as in process");
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Samples, "LaunchDates", "README.md"));
        Assert.That(readme, Does.Contain(summary.Value), "the README shows this run's summary");
    }

    [TestCase("Capacity", "0", "--capacity must be at least 1")]
    [TestCase("StartDate", "04/01/2027", "--start-date must be a date as yyyy-MM-dd")]
    [TestCase("Regions", "NA,MARS", "'MARS' is not a known market")]
    public async Task ABadParameterFailsTheRunSayingWhich(string parameter, string value, string message)
    {
        var result = await RunAsync(new() { [parameter] = value });
        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.Error!.Message, Does.Contain(message));
    }

    // --- the service, on the run's artifacts

    [Test]
    public void ScheduleServesEveryMarketOrOne()
    {
        var all = _service.Schedule();
        Assert.That(all.RunId, Is.EqualTo(_runId));
        Assert.That(all.StartDate, Is.EqualTo(Start));
        Assert.That(all.Markets, Is.EqualTo(new[] { "NA", "LATAM", "EMEA", "APAC" }));
        Assert.That(all.Launches, Has.Count.EqualTo(_data.Schedules.Values.Sum(s => s.Launches.Count)));
        Assert.That(all.TotalViews, Is.EqualTo(_data.Totals!.TotalViews).Within(0.01));

        var emea = _service.Schedule("emea");
        Assert.That(emea.Markets, Is.EqualTo(new[] { "EMEA" }));
        Assert.That(emea.Launches.Select(l => (l.TitleId, l.Day, l.Date, l.ExpectedViews)), Is.EqualTo(_data.Schedules["EMEA"].Launches.Select(l => (l.TitleId, l.Day, l.Date, l.ExpectedViews))));
        Assert.That(emea.Launches, Has.All.Property(nameof(LaunchView.Market)).EqualTo("EMEA"));
        Assert.That(emea.TotalViews, Is.EqualTo(_data.Schedules["EMEA"].TotalViews));
        Assert.That(() => _service.Schedule("MARS"), Throws.TypeOf<Microsoft.AspNetCore.Http.BadHttpRequestException>().With.Message.Contains("market: 'MARS' is not one of the run's markets"));
    }

    [Test]
    public void AWhatIfThatChangesNothingGivesTheServedScheduleBack()
    {
        var result = _service.WhatIf(new WhatIfScenario { Market = "NA" });
        Assert.That(result.Difference, Is.Zero);
        Assert.That(result.Changes, Is.Empty);
        Assert.That(result.Capacity, Is.EqualTo(_data.Capacity));
        Assert.That(result.Launches.Select(l => (l.TitleId, l.Day)), Is.EqualTo(_data.Schedules["NA"].Launches.Select(l => (l.TitleId, l.Day))));
    }

    [Test]
    public void AWhatIfPinsRemovesAndAddsTitles()
    {
        var served = _data.Schedules["LATAM"].Launches;
        var moved = served[0];
        var day = moved.Day == 60 ? 61 : 60;
        var removed = served[^1].TitleId;
        var result = _service.WhatIf(new WhatIfScenario
        {
            Market = "LATAM",
            Pin = new() { [moved.TitleId] = day },
            Remove = [removed],
            Add = [new NewTitle { Name = "Late Arrival", Genre = "Comedy", Audience = 5000, Earliest = 80 }],
        });

        Assert.That(result.Launches.Single(l => l.TitleId == moved.TitleId).Day, Is.EqualTo(day));
        Assert.That(result.Launches.Select(l => l.TitleId), Does.Not.Contain(removed));
        var added = result.Launches.Single(l => l.TitleId == "NEW1");
        Assert.That(added.Title, Is.EqualTo("Late Arrival"));
        Assert.That(added.Day, Is.InRange(80, 89));
        Assert.That(result.Changes, Has.Some.EqualTo(new ScheduleChange(moved.TitleId, moved.Name, moved.Day, day)));
        Assert.That(result.Changes, Has.Some.EqualTo(new ScheduleChange(removed, served[^1].Name, served[^1].Day, null)));
        Assert.That(result.Changes, Has.Some.EqualTo(new ScheduleChange("NEW1", "Late Arrival", null, added.Day)));
        Assert.That(result.TotalViews, Is.EqualTo(result.Launches.Sum(l => l.ExpectedViews)).Within(0.05));
        Assert.That(result.Difference, Is.EqualTo(result.TotalViews - result.ServedTotalViews).Within(0.001));
        Assert.That(result.ServedTotalViews, Is.EqualTo(_data.Schedules["LATAM"].TotalViews));
    }

    [Test]
    public void AWhatIfWithLessCapacityKeepsToItAndCostsViews()
    {
        var result = _service.WhatIf(new WhatIfScenario { Market = "APAC", Capacity = 1 });
        Assert.That(result.Capacity, Is.EqualTo(1));
        Assert.That(result.Launches.GroupBy(l => l.Day).Max(g => g.Count()), Is.EqualTo(1));
        Assert.That(result.Launches.Count + result.Unscheduled.Count, Is.EqualTo(40));
        Assert.That(result.Difference, Is.LessThan(0), "one launch a day cannot do better than two");
    }

    [Test]
    public void TheReadmesWhatIfRequestBindsAsAServiceReadsJsonAndIsAnswered()
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Samples, "LaunchDates", "README.md"));
        var body = Regex.Match(readme, @"/what_if [^\n]*\n?\s*-d '(?<json>[^']+)'").Groups["json"].Value;
        Assert.That(body, Is.Not.Empty, "the README shows a what-if request");
        var web = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        var scenario = JsonSerializer.Deserialize<WhatIfScenario>(body, web)!;
        Assert.That(scenario.Market, Is.EqualTo("NA"));
        Assert.That(scenario.Pin, Is.EqualTo(new Dictionary<string, int> { ["T07"] = 12 }));
        Assert.That(scenario.Add, Has.Count.EqualTo(1));

        var result = _service.WhatIf(scenario);
        Assert.That(result.Launches.Single(l => l.TitleId == "T07").Day, Is.EqualTo(12));
        Assert.That(result.Launches.Select(l => l.TitleId), Does.Not.Contain("T03"));
        Assert.That(result.Launches.GroupBy(l => l.Day).Max(g => g.Count()), Is.EqualTo(1));
        var json = JsonSerializer.Serialize(result, web);
        Assert.That(json, Does.Contain("\"totalViews\":").And.Contain("\"changes\":[{\"titleId\":"));
        Assert.That(JsonSerializer.Serialize(_service.Schedule("NA"), web), Does.Contain("\"launches\":[{\"market\":\"NA\",\"titleId\":"));
    }

    [Test]
    public async Task TheGeneratedServiceAnswersOverHttp()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddFlowService<LaunchDatesService>(o =>
        {
            o.Datastore = FlowDatastore.Local(_root);
            o.RunId = _runId;
        });
        await using var app = builder.Build();
        app.UseFlowService<LaunchDatesService>();
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };

        var deadline = DateTime.UtcNow.AddSeconds(20);
        HttpResponseMessage response;
        while (!(response = await http.GetAsync("/schedule?market=APAC")).IsSuccessStatusCode)
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"the run was not put in service: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            await Task.Delay(50);
        }

        Assert.That(response.Headers.GetValues(ServedRun.Header).Single(), Is.EqualTo($"LaunchDates/{_runId}"));
        var apac = await response.Content.ReadFromJsonAsync<ScheduleView>();
        Assert.That(apac!.Launches.Select(l => (l.TitleId, l.Day)), Is.EqualTo(_data.Schedules["APAC"].Launches.Select(l => (l.TitleId, l.Day))));

        var pin = _data.Schedules["APAC"].Launches[0];
        var asked = await http.PostAsJsonAsync("/what_if", new { market = "apac", pin = new Dictionary<string, int> { [pin.TitleId] = 70 } });
        Assert.That(asked.IsSuccessStatusCode, Is.True, await asked.Content.ReadAsStringAsync());
        var result = await asked.Content.ReadFromJsonAsync<WhatIfResult>();
        Assert.That(result!.Market, Is.EqualTo("APAC"));
        Assert.That(result.Launches.Single(l => l.TitleId == pin.TitleId).Day, Is.EqualTo(70));
        Assert.That(result.Changes, Has.Some.EqualTo(new ScheduleChange(pin.TitleId, pin.Name, pin.Day, 70)));

        // A bad scenario is the client's mistake: 400 problem details naming the field.
        var bad = await http.PostAsJsonAsync("/what_if", new { market = "apac", pin = new Dictionary<string, int> { [pin.TitleId] = 500 } });
        Assert.That((int)bad.StatusCode, Is.EqualTo(400), await bad.Content.ReadAsStringAsync());
        Assert.That(bad.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(await bad.Content.ReadAsStringAsync(), Does.Contain($"scenario.pin['{pin.TitleId}']"));
        await app.StopAsync();
    }

    [Test]
    public void ABadScenarioIsABadRequestNamingTheField()
    {
        Assert.That(() => _service.WhatIf(new WhatIfScenario { Market = "MARS" }), Throws.TypeOf<Microsoft.AspNetCore.Http.BadHttpRequestException>().With.Message.Contains("scenario.market"));
        Assert.That(() => _service.WhatIf(new WhatIfScenario { Market = "NA", Capacity = 0 }), Throws.TypeOf<Microsoft.AspNetCore.Http.BadHttpRequestException>().With.Message.Contains("scenario.capacity must be at least 1"));
        Assert.That(() => _service.WhatIf(new WhatIfScenario { Market = "NA", Pin = new() { ["T99"] = 3 } }), Throws.TypeOf<Microsoft.AspNetCore.Http.BadHttpRequestException>().With.Message.Contains("scenario.pin: 'T99'"));
        Assert.That(() => _service.WhatIf(new WhatIfScenario { Market = "NA", Pin = new() { ["T01"] = 90 } }), Throws.TypeOf<Microsoft.AspNetCore.Http.BadHttpRequestException>().With.Message.Contains("scenario.pin['T01']: day 90 is outside the horizon"));
        Assert.That(() => _service.WhatIf(new WhatIfScenario { Market = "NA", Pin = new() { ["T01"] = 3, ["T02"] = 3 }, Capacity = 1 }), Throws.TypeOf<Microsoft.AspNetCore.Http.BadHttpRequestException>().With.Message.Contains("scenario.pin: 2 titles are pinned to day 3"));
        Assert.That(() => _service.WhatIf(new WhatIfScenario { Market = "NA", Remove = ["T77"] }), Throws.TypeOf<Microsoft.AspNetCore.Http.BadHttpRequestException>().With.Message.Contains("scenario.remove: 'T77'"));
        Assert.That(() => _service.WhatIf(new WhatIfScenario { Market = "NA", Remove = ["T01"], Pin = new() { ["T01"] = 3 } }), Throws.TypeOf<Microsoft.AspNetCore.Http.BadHttpRequestException>().With.Message.Contains("scenario.pin: 'T01' is also removed"));
        Assert.That(() => _service.WhatIf(new WhatIfScenario { Market = "NA", Add = [new NewTitle { Genre = "Drama", Audience = 0 }] }), Throws.TypeOf<Microsoft.AspNetCore.Http.BadHttpRequestException>().With.Message.Contains("scenario.add[0].audience"));
        Assert.That(() => _service.WhatIf(new WhatIfScenario { Market = "NA", Add = [new NewTitle { Genre = "Drama", Audience = 10, Earliest = 95 }] }), Throws.TypeOf<Microsoft.AspNetCore.Http.BadHttpRequestException>().With.Message.Contains("scenario.add[0].earliest"));
        Assert.That(() => _service.WhatIf(new WhatIfScenario { Market = "NA", Add = [new NewTitle { Id = "T01", Genre = "Drama", Audience = 10 }] }), Throws.TypeOf<Microsoft.AspNetCore.Http.BadHttpRequestException>().With.Message.Contains("scenario.add[0].id: 'T01'"));
        Assert.That(() => _service.WhatIf(null!), Throws.TypeOf<Microsoft.AspNetCore.Http.BadHttpRequestException>().With.Message.Contains("scenario"));
    }
}
