using System.Globalization;
using Flow;
using Microsoft.AspNetCore.Http;

namespace LaunchPlanning;

/// <summary>One launch, as the planning UI shows it.</summary>
/// <param name="Market">The market.</param>
/// <param name="TitleId">The title's id.</param>
/// <param name="Title">The title's name.</param>
/// <param name="Genre">Its genre.</param>
/// <param name="Day">The launch day, from the horizon's start (0).</param>
/// <param name="Date">Its date, yyyy-MM-dd.</param>
/// <param name="ExpectedViews">Expected first-week views in the market (thousands).</param>
public sealed record LaunchView(string Market, string TitleId, string Title, string Genre, int Day, string Date, double ExpectedViews);

/// <summary>The schedule of the run in service, for one market or all.</summary>
/// <param name="RunId">The run it comes from.</param>
/// <param name="StartDate">The horizon's first day, yyyy-MM-dd.</param>
/// <param name="Horizon">Its number of days.</param>
/// <param name="Markets">The markets shown.</param>
/// <param name="Launches">Their launches, by market, then day.</param>
/// <param name="TotalViews">The expected views of those launches (thousands).</param>
public sealed record ScheduleView(string RunId, string StartDate, int Horizon, List<string> Markets, List<LaunchView> Launches, double TotalViews);

/// <summary>A title a what-if adds to the catalogue.</summary>
public sealed record NewTitle
{
    /// <summary>Its id; it must not be one of the catalogue's (default: <c>NEW1</c>, <c>NEW2</c>... in order).</summary>
    public string? Id { get; init; }

    /// <summary>Its name (default: its id).</summary>
    public string? Name { get; init; }

    /// <summary>Its genre: one of the catalogue's, or another that the market then watches as much as the world does.</summary>
    public string Genre { get; init; } = "";

    /// <summary>Its expected first-week views worldwide (thousands) on an average day, alone in its genre; more than 0.</summary>
    public double Audience { get; init; }

    /// <summary>The first day it can launch (from 0).</summary>
    public int Earliest { get; init; }

    /// <summary>The last day it may launch (default: the end of the horizon).</summary>
    public int? Latest { get; init; }
}

/// <summary>What a planner asks: the market's schedule if some things were otherwise.</summary>
public sealed record WhatIfScenario
{
    /// <summary>The market to optimize again.</summary>
    public string Market { get; init; } = "";

    /// <summary>Titles that must launch on a day (title id to day, from 0), whatever their window says.</summary>
    public Dictionary<string, int>? Pin { get; init; }

    /// <summary>Titles taken out of the schedule (ids).</summary>
    public List<string>? Remove { get; init; }

    /// <summary>The most launches a day (default: what the run used).</summary>
    public int? Capacity { get; init; }

    /// <summary>Titles added to the catalogue.</summary>
    public List<NewTitle>? Add { get; init; }
}

/// <summary>A title whose launch day a what-if changes.</summary>
/// <param name="TitleId">The title's id.</param>
/// <param name="Title">Its name.</param>
/// <param name="ServedDay">Its day in the served schedule; null when it was not in it (added, or did not fit).</param>
/// <param name="NewDay">Its day in the what-if schedule; null when it is not in it (removed, or does not fit).</param>
public sealed record ScheduleChange(string TitleId, string Title, int? ServedDay, int? NewDay);

/// <summary>The market's schedule under a scenario, and how it differs from the one in service.</summary>
/// <param name="Market">The market.</param>
/// <param name="Capacity">The most launches a day it was optimized for.</param>
/// <param name="Launches">The new schedule, by day.</param>
/// <param name="Unscheduled">Titles that found no room in their window.</param>
/// <param name="TotalViews">The new schedule's expected views (thousands).</param>
/// <param name="ServedTotalViews">The served schedule's.</param>
/// <param name="Difference">The new total less the served one.</param>
/// <param name="Changes">Every title whose day differs from the served schedule, by id.</param>
public sealed record WhatIfResult(string Market, int Capacity, List<LaunchView> Launches, List<string> Unscheduled, double TotalViews, double ServedTotalViews, double Difference, List<ScheduleChange> Changes);

/// <summary>
/// Serves the latest run's launch schedule to the planning UI (<c>GET /schedule</c>) and answers what-if questions
/// with the same optimizer (<c>POST /what_if</c>). Bad input in a request is answered 400 with a message that names the
/// field: the endpoints turn the <see cref="ArgumentException"/> of a check into a <see cref="BadHttpRequestException"/>.
/// </summary>
public partial class LaunchDatesService : WebServiceSpec<LaunchDates>
{
    private static readonly Dictionary<string, MarketSchedule> NoSchedules = [];

    private Dictionary<string, MarketSchedule> _schedules = NoSchedules;
    private Dictionary<string, Title> _titles = [];
    private Dictionary<string, List<LaunchView>> _views = [];
    private ScheduleView? _all;

    /// <summary>The schedule in service, for the UI: every market's, or <paramref name="market"/>'s.</summary>
    /// <exception cref="BadHttpRequestException"><paramref name="market"/> is not one of the run's markets.</exception>
    [Endpoint]
    public ScheduleView Schedule(string? market = null) => Checked(() => ScheduleOf(market));

    /// <summary>
    /// Optimizes <paramref name="scenario"/>'s market again, now, on the run's catalogue and forecast changed by the
    /// scenario (titles pinned, removed or added, another capacity), with the run's seed: a scenario that changes
    /// nothing gives the served schedule back.
    /// </summary>
    /// <exception cref="BadHttpRequestException">The scenario is not valid: the message names the field.</exception>
    [Endpoint]
    public WhatIfResult WhatIf(WhatIfScenario scenario) => Checked(() => Optimize(scenario));

    // What a request got wrong is the client's mistake: 400, with the check's message, which names the field.
    private static T Checked<T>(Func<T> answer)
    {
        try
        {
            return answer();
        }
        catch (ArgumentException e)
        {
            // The message names the field already; ArgumentException's " (Parameter '...')" would say it twice.
            var message = e.ParamName is { } name ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;
            throw new BadHttpRequestException(message, StatusCodes.Status400BadRequest, e);
        }
    }

    private ScheduleView ScheduleOf(string? market)
    {
        var all = _all ?? throw new InvalidOperationException("The service has no schedule: it was not loaded.");
        if (string.IsNullOrWhiteSpace(market))
        {
            return all;
        }

        var schedule = Find(market, "market");
        return all with { Markets = [schedule.Market], Launches = _views[schedule.Market], TotalViews = schedule.TotalViews };
    }

    private WhatIfResult Optimize(WhatIfScenario scenario)
    {
        if (scenario is null)
        {
            throw new ArgumentException("scenario: the request has no body.", nameof(scenario));
        }

        var served = Find(scenario.Market, "scenario.market");
        var forecast = Artifacts.Forecast;
        var horizon = forecast.Horizon;
        var capacity = scenario.Capacity ?? served.Capacity;
        if (capacity <= 0)
        {
            throw new ArgumentException($"scenario.capacity must be at least 1 launch a day, not {capacity}.", nameof(scenario));
        }

        var removed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in scenario.Remove ?? [])
        {
            if (id is null || !_titles.ContainsKey(id))
            {
                throw new ArgumentException($"scenario.remove: '{id}' is not a title of the catalogue.", nameof(scenario));
            }

            removed.Add(id);
        }

        var catalogue = Artifacts.Catalogue.Where(t => !removed.Contains(t.Id)).ToList();
        foreach (var (add, i) in (scenario.Add ?? []).Select((a, i) => (a, i)))
        {
            catalogue.Add(Added(add, i, catalogue, horizon));
        }

        var pins = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (id, day) in scenario.Pin ?? [])
        {
            if (removed.Contains(id))
            {
                throw new ArgumentException($"scenario.pin: '{id}' is also removed.", nameof(scenario));
            }

            if (!catalogue.Any(t => t.Id == id))
            {
                throw new ArgumentException($"scenario.pin: '{id}' is not a title of the catalogue or of scenario.add.", nameof(scenario));
            }

            if (day < 0 || day >= horizon)
            {
                throw new ArgumentException($"scenario.pin['{id}']: day {day} is outside the horizon (0 to {horizon - 1}).", nameof(scenario));
            }

            pins[id] = day;
        }

        foreach (var crowded in pins.GroupBy(p => p.Value).Where(g => g.Count() > capacity))
        {
            throw new ArgumentException($"scenario.pin: {crowded.Count()} titles are pinned to day {crowded.Key}, more than the capacity of {capacity} a day.", nameof(scenario));
        }

        var problem = MarketPlans.Problem(catalogue, forecast, served.Market, capacity, pins);
        var result = LaunchOptimizer.Optimize(problem, Artifacts.Seed);
        var plan = MarketPlans.Schedule(catalogue, forecast, served.Market, capacity, result);

        var before = served.Launches.ToDictionary(l => l.TitleId, l => l.Day, StringComparer.Ordinal);
        var after = plan.Launches.ToDictionary(l => l.TitleId, l => l.Day, StringComparer.Ordinal);
        var names = catalogue.ToDictionary(t => t.Id, t => t.Name, StringComparer.Ordinal);
        var changes = before.Keys.Union(after.Keys)
            .Select(id => new ScheduleChange(id, names.TryGetValue(id, out var n) ? n : _titles[id].Name, before.TryGetValue(id, out var b) ? b : null, after.TryGetValue(id, out var a) ? a : null))
            .Where(c => c.ServedDay != c.NewDay)
            .OrderBy(c => c.TitleId, StringComparer.Ordinal)
            .ToList();
        return new WhatIfResult(
            plan.Market,
            capacity,
            Views(plan),
            plan.Unscheduled,
            plan.TotalViews,
            served.TotalViews,
            Math.Round(plan.TotalViews - served.TotalViews, 3),
            changes);
    }

    /// <summary>Indexes the run's titles and schedules and builds the schedule views once: every request reads them.</summary>
    protected override void OnLoaded()
    {
        var artifacts = Artifacts;
        if (artifacts.Schedules.Count == 0)
        {
            throw new InvalidOperationException($"Run {Run.Id} has no schedules to serve.");
        }

        _titles = artifacts.Catalogue.ToDictionary(t => t.Id, StringComparer.Ordinal);
        _schedules = new Dictionary<string, MarketSchedule>(artifacts.Schedules, StringComparer.OrdinalIgnoreCase);
        var markets = artifacts.Forecast.Markets.Select(m => m.Market).Where(_schedules.ContainsKey).ToList();
        _views = markets.ToDictionary(m => m, m => Views(_schedules[m]), StringComparer.OrdinalIgnoreCase);
        _all = new ScheduleView(
            Run.Id,
            artifacts.Forecast.StartDate,
            artifacts.Forecast.Horizon,
            markets,
            markets.SelectMany(m => _views[m]).ToList(),
            Math.Round(markets.Sum(m => _schedules[m].TotalViews), 3));
    }

    private MarketSchedule Find(string? market, string field) =>
        market is not null && _schedules.TryGetValue(market.Trim(), out var schedule)
            ? schedule
            : throw new ArgumentException($"{field}: '{market}' is not one of the run's markets ({string.Join(", ", _schedules.Keys.Order(StringComparer.Ordinal))}).", field);

    private static List<LaunchView> Views(MarketSchedule schedule) =>
        schedule.Launches.Select(l => new LaunchView(schedule.Market, l.TitleId, l.Name, l.Genre, l.Day, l.Date, l.ExpectedViews)).ToList();

    private static Title Added(NewTitle? add, int i, List<Title> catalogue, int horizon)
    {
        var field = $"scenario.add[{i}]";
        if (add is null)
        {
            throw new ArgumentException($"{field} is null.", "scenario");
        }

        var id = string.IsNullOrWhiteSpace(add.Id) ? $"NEW{i + 1}" : add.Id.Trim();
        if (catalogue.Any(t => t.Id == id))
        {
            throw new ArgumentException($"{field}.id: '{id}' is already a title of the catalogue.", "scenario");
        }

        if (string.IsNullOrWhiteSpace(add.Genre))
        {
            throw new ArgumentException($"{field}.genre is required.", "scenario");
        }

        if (!double.IsFinite(add.Audience) || add.Audience <= 0)
        {
            throw new ArgumentException($"{field}.audience must be more than 0 (thousands of views), not {add.Audience.ToString(CultureInfo.InvariantCulture)}.", "scenario");
        }

        var latest = add.Latest ?? horizon - 1;
        if (add.Earliest < 0 || add.Earliest >= horizon)
        {
            throw new ArgumentException($"{field}.earliest: day {add.Earliest} is outside the horizon (0 to {horizon - 1}).", "scenario");
        }

        if (latest < add.Earliest || latest >= horizon)
        {
            throw new ArgumentException($"{field}.latest: day {latest} is not between earliest ({add.Earliest}) and the horizon's last day ({horizon - 1}).", "scenario");
        }

        return new Title(id, string.IsNullOrWhiteSpace(add.Name) ? id : add.Name.Trim(), add.Genre.Trim(), add.Audience, add.Earliest, latest);
    }
}
