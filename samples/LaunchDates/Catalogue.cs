using System.Globalization;

namespace LaunchPlanning;

/// <summary>An upcoming title.</summary>
/// <param name="Id">Its id (<c>T01</c>...).</param>
/// <param name="Name">Its name.</param>
/// <param name="Genre">Its genre.</param>
/// <param name="Audience">Its expected first-week views worldwide (thousands) on an average day, alone in its genre.</param>
/// <param name="Earliest">The first day (from the horizon's start, 0) it can launch: when it is delivered.</param>
/// <param name="Latest">The last day it may launch.</param>
public sealed record Title(string Id, string Name, string Genre, double Audience, int Earliest, int Latest);

/// <summary>One market's audience forecast.</summary>
/// <param name="Market">The market's code.</param>
/// <param name="Share">Its share of a title's worldwide audience.</param>
/// <param name="Daily">The audience index of each day (1 is an average day), for the horizon and the week after it.</param>
/// <param name="Holidays">The days of the horizon that are holidays in this market.</param>
/// <param name="GenreAffinity">How much more (or less) this market watches each genre than the world does.</param>
public sealed record MarketForecast(string Market, double Share, List<double> Daily, List<int> Holidays, Dictionary<string, double> GenreAffinity);

/// <summary>The audience forecast of every market over the horizon.</summary>
/// <param name="StartDate">The horizon's first day (day 0), as yyyy-MM-dd.</param>
/// <param name="Horizon">Its number of days.</param>
/// <param name="Markets">Each market's forecast.</param>
public sealed record AudienceForecast(string StartDate, int Horizon, List<MarketForecast> Markets)
{
    /// <summary>The date of day <paramref name="day"/> of the horizon.</summary>
    public DateOnly DateOf(int day) => DateOnly.ParseExact(StartDate, "yyyy-MM-dd", CultureInfo.InvariantCulture).AddDays(day);

    /// <summary>The forecast of <paramref name="market"/>.</summary>
    /// <exception cref="ArgumentException">It has no forecast.</exception>
    public MarketForecast Of(string market) =>
        Markets.FirstOrDefault(m => string.Equals(m.Market, market, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"market '{market}' is not one of this forecast's markets ({string.Join(", ", Markets.Select(m => m.Market))}).", nameof(market));
}

/// <summary>One title's launch in one market.</summary>
/// <param name="TitleId">The title's id.</param>
/// <param name="Name">The title's name.</param>
/// <param name="Genre">Its genre.</param>
/// <param name="Day">The launch day (from the horizon's start).</param>
/// <param name="Date">Its date, yyyy-MM-dd.</param>
/// <param name="ExpectedViews">Its expected first-week views in the market (thousands), cannibalisation included.</param>
public sealed record Launch(string TitleId, string Name, string Genre, int Day, string Date, double ExpectedViews);

/// <summary>One market's optimized schedule.</summary>
/// <param name="Market">The market.</param>
/// <param name="Capacity">The most launches a day it was optimized for.</param>
/// <param name="Launches">Its launches, by day.</param>
/// <param name="Unscheduled">Titles whose window had no room (none, unless windows are tight for the capacity).</param>
/// <param name="TotalViews">Its expected first-week views (thousands).</param>
/// <param name="NaiveViews">What the naive schedule (each title at its earliest free day) would get.</param>
/// <param name="GreedyViews">What the greedy construction got before local search.</param>
/// <param name="Moves">The improving moves and swaps the local search made.</param>
public sealed record MarketSchedule(string Market, int Capacity, List<Launch> Launches, List<string> Unscheduled, double TotalViews, double NaiveViews, double GreedyViews, int Moves);

/// <summary>The totals over every market.</summary>
/// <param name="TotalViews">Expected first-week views of every optimized schedule (thousands).</param>
/// <param name="NaiveViews">Those of the naive schedules.</param>
/// <param name="Improvement">How much more the optimized schedules get, as a share of the naive (0.1 is 10 % more).</param>
/// <param name="ByMarket">Each market's optimized total.</param>
/// <param name="BusiestDays">The days with the most expected views launched, best first (at most five), with their dates.</param>
public sealed record ScheduleTotals(double TotalViews, double NaiveViews, double Improvement, Dictionary<string, double> ByMarket, List<DayTotal> BusiestDays);

/// <summary>The views launched on one day, over every market.</summary>
/// <param name="Day">The day.</param>
/// <param name="Date">Its date, yyyy-MM-dd.</param>
/// <param name="ExpectedViews">The expected views of the titles launched on it (thousands).</param>
/// <param name="Launches">How many launches, over every market.</param>
public sealed record DayTotal(int Day, string Date, double ExpectedViews, int Launches);

/// <summary>Synthetic but plausible data for the sample: a catalogue and an audience forecast, both decided by a seed.</summary>
public static class Synthetic
{
    /// <summary>The genres, with how often a title has them.</summary>
    public static readonly IReadOnlyList<(string Genre, double Weight)> Genres =
    [
        ("Drama", 0.24), ("Comedy", 0.18), ("Thriller", 0.16), ("Documentary", 0.12), ("Animation", 0.1), ("Reality", 0.1), ("SciFi", 0.1),
    ];

    /// <summary>The markets the sample knows: their share of a title's worldwide audience and their holidays (month, day).</summary>
    public static readonly IReadOnlyDictionary<string, (double Share, (int Month, int Day)[] Holidays)> Regions = new Dictionary<string, (double, (int, int)[])>(StringComparer.OrdinalIgnoreCase)
    {
        ["NA"] = (0.34, [(1, 1), (1, 19), (2, 16), (5, 25), (7, 4), (9, 7), (11, 26), (11, 27), (12, 24), (12, 25), (12, 31)]),
        ["LATAM"] = (0.22, [(1, 1), (1, 6), (2, 16), (2, 17), (4, 2), (4, 3), (5, 1), (9, 16), (11, 2), (12, 24), (12, 25), (12, 31)]),
        ["EMEA"] = (0.27, [(1, 1), (4, 3), (4, 6), (5, 1), (5, 14), (5, 25), (8, 15), (10, 3), (12, 24), (12, 25), (12, 26), (12, 31)]),
        ["APAC"] = (0.17, [(1, 1), (2, 17), (2, 18), (2, 19), (4, 29), (5, 3), (5, 4), (5, 5), (8, 15), (10, 1), (10, 2), (12, 31)]),
    };

    private static readonly string[] Adjectives = ["Silent", "Last", "Broken", "Golden", "Hidden", "Crimson", "Endless", "Northern", "Wild", "Quiet", "Burning", "Lost"];

    private static readonly string[] Nouns = ["Harbor", "Signal", "Kingdom", "Frontier", "Orchard", "Verdict", "Tide", "Empire", "Circuit", "Garden", "Witness", "Summit"];

    // An average week is 1: the weekend watches most, midweek least (Monday first).
    private static readonly double[] Weekday = [0.86, 0.83, 0.86, 0.93, 1.12, 1.23, 1.17];

    /// <summary>
    /// <paramref name="count"/> titles over a horizon of <paramref name="horizon"/> days. Deliveries come in waves (the
    /// end of a production quarter, a festival slate), so many titles can launch from the same few days: the naive
    /// schedule crowds them there. Audiences are log-normal (a few hits, many small titles); windows last one to five weeks.
    /// </summary>
    public static List<Title> Catalogue(int count, int horizon, int seed)
    {
        if (count < 0)
        {
            throw new ArgumentException($"titles must be 0 or more, not {count}.", nameof(count));
        }

        if (horizon < 1)
        {
            throw new ArgumentException($"horizon must be at least 1 day, not {horizon}.", nameof(horizon));
        }

        var random = new Random(seed);
        var waves = Enumerable.Range(0, Math.Max(1, horizon / 21)).Select(w => Math.Min(horizon - 1, w * 21 + random.Next(0, 7))).ToArray();
        var titles = new List<Title>(count);
        for (var i = 0; i < count; i++)
        {
            var genre = Pick(random);
            var audience = Math.Round(Math.Exp(Math.Log(900) + 0.7 * Normal(random)), 1);
            var earliest = Math.Min(horizon - 1, waves[random.Next(waves.Length)] + random.Next(0, 4));
            var latest = Math.Min(horizon - 1, earliest + 7 * random.Next(1, 6) - 1);
            var name = $"The {Adjectives[random.Next(Adjectives.Length)]} {Nouns[random.Next(Nouns.Length)]}";
            titles.Add(new Title($"T{i + 1:D2}", name, genre, audience, earliest, latest));
        }

        return titles;
    }

    /// <summary>
    /// The audience forecast of <paramref name="markets"/> from <paramref name="start"/> for <paramref name="horizon"/>
    /// days and the week after: the weekday pattern, holidays (about 1.45 times an ordinary day), a slow seasonal
    /// trend and a little noise; and each market's taste for each genre.
    /// </summary>
    public static AudienceForecast Forecast(IReadOnlyList<string> markets, DateOnly start, int horizon, int seed)
    {
        ArgumentNullException.ThrowIfNull(markets);
        if (horizon < 1)
        {
            throw new ArgumentException($"horizon must be at least 1 day, not {horizon}.", nameof(horizon));
        }

        if (markets.Count == 0)
        {
            throw new ArgumentException("regions must name at least one market.", nameof(markets));
        }

        var forecasts = new List<MarketForecast>();
        foreach (var (market, m) in markets.Select((market, m) => (market, m)))
        {
            if (!Regions.TryGetValue(market, out var region))
            {
                throw new ArgumentException($"regions: '{market}' is not a known market ({string.Join(", ", Regions.Keys)}).", nameof(markets));
            }

            var code = Regions.Keys.First(k => string.Equals(k, market, StringComparison.OrdinalIgnoreCase));
            if (forecasts.Any(f => f.Market == code))
            {
                throw new ArgumentException($"regions: '{code}' is named twice.", nameof(markets));
            }

            var random = new Random(unchecked(seed * 31 + m + 1));
            var phase = random.NextDouble() * Math.PI * 2;
            var daily = new List<double>();
            var holidays = new List<int>();
            for (var day = 0; day < horizon + 6; day++)
            {
                var date = start.AddDays(day);
                var holiday = region.Holidays.Contains((date.Month, date.Day));
                if (holiday && day < horizon)
                {
                    holidays.Add(day);
                }

                var index = Weekday[((int)date.DayOfWeek + 6) % 7] * (holiday ? 1.45 : 1) * (1 + 0.08 * Math.Sin(phase + day * 2 * Math.PI / 120)) * (1 + 0.04 * Normal(random));
                daily.Add(Math.Round(Math.Max(0.2, index), 4));
            }

            var affinity = Genres.ToDictionary(g => g.Genre, _ => Math.Round(Math.Clamp(1 + 0.25 * Normal(random), 0.5, 1.6), 3), StringComparer.Ordinal);
            forecasts.Add(new MarketForecast(code, region.Share, daily, holidays, affinity));
        }

        return new AudienceForecast(start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), horizon, forecasts);
    }

    private static string Pick(Random random)
    {
        var x = random.NextDouble() * Genres.Sum(g => g.Weight);
        foreach (var (genre, weight) in Genres)
        {
            if ((x -= weight) < 0)
            {
                return genre;
            }
        }

        return Genres[^1].Genre;
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}

/// <summary>Turns a catalogue and a forecast into one market's problem, and a result back into its schedule: the flow and the service both use it.</summary>
public static class MarketPlans
{
    /// <summary>How a title's first-week views fall over its first seven days: the opening days count most.</summary>
    public static readonly IReadOnlyList<double> FirstWeek = [0.28, 0.2, 0.15, 0.12, 0.1, 0.08, 0.07];

    /// <summary>
    /// The launch-date problem of <paramref name="market"/>: each title's value is its audience times the market's
    /// share and taste for its genre, and a launch day's audience is that of the week it opens, weighted by
    /// <see cref="FirstWeek"/> (so a Friday launch has its weekend, and a holiday counts most on the day it opens).
    /// </summary>
    public static MarketProblem Problem(IReadOnlyList<Title> catalogue, AudienceForecast forecast, string market, int capacity, IReadOnlyDictionary<string, int>? pins = null)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        ArgumentNullException.ThrowIfNull(forecast);
        var f = forecast.Of(market);
        var week = Enumerable.Range(0, forecast.Horizon).Select(d => Math.Round(FirstWeek.Select((w, k) => w * f.Daily[d + k]).Sum(), 6)).ToArray();
        var candidates = catalogue
            .Select(t => new Candidate(t.Id, t.Genre, t.Audience * f.Share * f.GenreAffinity.GetValueOrDefault(t.Genre, 1.0), t.Earliest, t.Latest))
            .ToList();
        return new MarketProblem(candidates, week, capacity, pins);
    }

    /// <summary>The schedule of <paramref name="market"/> that <paramref name="result"/> holds.</summary>
    public static MarketSchedule Schedule(IReadOnlyList<Title> catalogue, AudienceForecast forecast, string market, int capacity, OptimizationResult result)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        ArgumentNullException.ThrowIfNull(forecast);
        ArgumentNullException.ThrowIfNull(result);
        var best = result.Best;
        var launches = catalogue.Select((t, i) => (t, i)).Where(x => best.Days[x.i] >= 0)
            .Select(x => new Launch(x.t.Id, x.t.Name, x.t.Genre, best.Days[x.i], forecast.DateOf(best.Days[x.i]).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Math.Round(best.Views[x.i], 3)))
            .OrderBy(l => l.Day).ThenBy(l => l.TitleId, StringComparer.Ordinal)
            .ToList();
        var unscheduled = catalogue.Where((_, i) => best.Days[i] < 0).Select(t => t.Id).ToList();
        return new MarketSchedule(forecast.Of(market).Market, capacity, launches, unscheduled, Math.Round(best.Total, 3), Math.Round(result.Naive.Total, 3), Math.Round(result.Greedy.Total, 3), result.Moves);
    }
}
