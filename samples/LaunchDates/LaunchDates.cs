using System.Diagnostics;
using System.Globalization;
using Flow;

namespace LaunchPlanning;

/// <summary>
/// Every morning, chooses the launch dates of the upcoming titles in each market: the catalogue and the audience
/// forecast are built in <see cref="Start"/>, each market is optimized in a task of its own, and the join gathers the
/// schedules and their totals, which <see cref="LaunchDatesService"/> serves.
/// </summary>
[Schedule(Cron = "0 6 * * *")]
public partial class LaunchDates : FlowSpec
{
    [Parameter(Help = "How many upcoming titles to schedule.")]
    public int Titles { get; set; } = 40;

    [Parameter(Help = "How many days ahead to schedule.")]
    public int Horizon { get; set; } = 90;

    [Parameter(Help = "The seed of the synthetic catalogue and forecast, and of the optimizer's search.")]
    public int Seed { get; set; } = 7;

    [Parameter(Help = "The most launches a day in one market.")]
    public int Capacity { get; set; } = 2;

    [Parameter(Help = "The markets, separated by commas (NA, LATAM, EMEA, APAC).")]
    public string Regions { get; set; } = "NA,LATAM,EMEA,APAC";

    [Parameter(Help = "The horizon's first day, yyyy-MM-dd (default: the day after the run starts, UTC).")]
    public string StartDate { get; set; } = "";

    /// <summary>The titles to schedule.</summary>
    public List<Title> Catalogue { get; set; } = [];

    /// <summary>Each market's daily audience over the horizon.</summary>
    public AudienceForecast Forecast { get; set; } = new("2000-01-01", 0, []);

    /// <summary>The markets, one task each.</summary>
    public List<string> Markets { get; set; } = [];

    /// <summary>The schedule of the market a task optimized.</summary>
    public MarketSchedule? Plan { get; set; }

    /// <summary>Every market's schedule, by market.</summary>
    public Dictionary<string, MarketSchedule> Schedules { get; set; } = [];

    /// <summary>The totals over every market.</summary>
    public ScheduleTotals? Totals { get; set; }

    [Step]
    [Foreach(nameof(Markets))]
    public void Start()
    {
        if (Titles < 0 || Titles > 500)
        {
            throw new ArgumentException($"--titles must be between 0 and 500, not {Titles}.");
        }

        if (Horizon < 7 || Horizon > 366)
        {
            throw new ArgumentException($"--horizon must be between 7 and 366 days, not {Horizon}.");
        }

        if (Capacity < 1)
        {
            throw new ArgumentException($"--capacity must be at least 1 launch a day, not {Capacity}.");
        }

        var start = StartDate.Length == 0
            ? DateOnly.FromDateTime(DateTime.UtcNow).AddDays(1)
            : DateOnly.TryParseExact(StartDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
                ? date
                : throw new ArgumentException($"--start-date must be a date as yyyy-MM-dd, not '{StartDate}'.");
        var regions = Regions.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Catalogue = Synthetic.Catalogue(Titles, Horizon, Seed);
        Forecast = Synthetic.Forecast(regions, start, Horizon, Seed);
        Markets = Forecast.Markets.Select(m => m.Market).ToList();
        Console.WriteLine($"{Catalogue.Count} titles, {Markets.Count} markets, {Horizon} days from {Forecast.StartDate}, at most {Capacity} launches a day");
        Next(Optimize);
    }

    [Step]
    public void Optimize(string market)
    {
        var clock = Stopwatch.StartNew();
        var problem = MarketPlans.Problem(Catalogue, Forecast, market, Capacity);
        var result = LaunchOptimizer.Optimize(problem, Seed);
        Plan = MarketPlans.Schedule(Catalogue, Forecast, market, Capacity, result);
        Console.WriteLine($"{market}: {Plan.TotalViews:N0}k views (naive {Plan.NaiveViews:N0}k, greedy {Plan.GreedyViews:N0}k, {result.Improvement:P1} over naive) after {Plan.Moves} moves, in {clock.Elapsed.TotalMilliseconds:N0} ms");
        Next(Join);
    }

    [Step]
    public void Join(JoinInputs<LaunchDates> inputs)
    {
        Schedules = inputs.Select(i => i.Plan ?? throw new InvalidOperationException("A market's task finished without a plan.")).ToDictionary(p => p.Market);
        var total = Schedules.Values.Sum(s => s.TotalViews);
        var naive = Schedules.Values.Sum(s => s.NaiveViews);
        var forecast = inputs[0].Forecast;
        var busiest = Schedules.Values.SelectMany(s => s.Launches)
            .GroupBy(l => l.Day)
            .Select(g => new DayTotal(g.Key, forecast.DateOf(g.Key).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Math.Round(g.Sum(l => l.ExpectedViews), 3), g.Count()))
            .OrderByDescending(d => d.ExpectedViews).ThenBy(d => d.Day)
            .Take(5)
            .ToList();
        Totals = new ScheduleTotals(
            Math.Round(total, 3),
            Math.Round(naive, 3),
            naive > 0 ? Math.Round(total / naive - 1, 6) : 0,
            Schedules.ToDictionary(s => s.Key, s => s.Value.TotalViews),
            busiest);
        MergeArtifacts(inputs, nameof(Plan));
        Next(End);
    }

    [Step]
    public void End()
    {
        var totals = Totals ?? throw new InvalidOperationException("The join set no totals.");
        Console.WriteLine($"launch schedule: {Schedules.Values.Sum(s => s.Launches.Count)} launches in {Schedules.Count} markets, {totals.TotalViews:N0}k expected views, {totals.Improvement:P1} over the naive schedule ({totals.NaiveViews:N0}k)");
        foreach (var (market, views) in totals.ByMarket.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            Console.WriteLine($"  {market,-6} {views,10:N0}k");
        }

        Console.WriteLine("best days: " + string.Join(", ", totals.BusiestDays.Select(d => $"{d.Date} ({d.Launches} launches, {d.ExpectedViews:N0}k)")));
    }
}
