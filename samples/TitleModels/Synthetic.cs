namespace TitleModelling;

/// <summary>
/// A synthetic but realistic catalogue's daily views, by region. Titles have a budget, a running time and a cast;
/// each region spends on marketing, likes budgets, stars and running times its own way, and is more or less
/// predictable (its noise); views decay after a title's launch and rise at weekends. A seed gives the same data.
/// </summary>
public static class Synthetic
{
    /// <summary>The first regions, in order; more partitions than these are named R041, R042, ...</summary>
    public static readonly IReadOnlyList<string> Regions =
    [
        "US", "GB", "DE", "FR", "BR", "MX", "JP", "KR", "IN", "ES", "IT", "CA", "AU", "NL", "SE", "PL", "TR", "AR",
        "CO", "CL", "ID", "TH", "PH", "VN", "EG", "NG", "ZA", "SA", "AE", "IL", "NO", "DK", "FI", "BE", "AT", "CH",
        "PT", "IE", "NZ", "SG",
    ];

    private static readonly string[] Adjectives =
    [
        "Last", "Silent", "Broken", "Golden", "Hidden", "Crimson", "Midnight", "Lost", "Electric", "Wild", "Quiet", "Iron",
        "Frozen", "Burning", "Distant", "Secret", "Endless", "Hollow", "Bright", "Savage",
    ];

    private static readonly string[] Nouns =
    [
        "Harbor", "Kingdom", "Signal", "Orchard", "Frontier", "Witness", "Garden", "Empire", "Tide", "Circuit", "Valley",
        "Promise", "Archive", "Summer", "Voyage", "Heist", "Station", "Crown", "Island", "Protocol",
    ];

    /// <summary>The first day of the data.</summary>
    public static readonly DateTime FirstDay = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>How many days the data spans.</summary>
    public const int Days = 120;

    /// <summary>The name of region number <paramref name="index"/> (from 0).</summary>
    public static string Region(int index) =>
        index < Regions.Count ? Regions[index] : TitleData.Invariant($"R{index + 1:000}");

    /// <summary>The catalogue's titles: the same in every region.</summary>
    public static List<CatalogueTitle> Catalogue(int count, int seed)
    {
        var random = new Random(seed);
        var titles = new List<CatalogueTitle>(count);
        for (var i = 0; i < count; i++)
        {
            var name = $"The {Adjectives[random.Next(Adjectives.Length)]} {Nouns[random.Next(Nouns.Length)]}";
            titles.Add(new CatalogueTitle(
                TitleData.Invariant($"{name} ({i + 1})"),
                (float)Math.Exp(Normal(random, 3.0, 0.7)),
                (float)Math.Clamp(Normal(random, 112, 18), 75, 190),
                (float)Math.Clamp(random.NextDouble() * random.NextDouble() * 1.6, 0, 1),
                random.Next(Days)));
        }

        return titles;
    }

    /// <summary>The rows of region number <paramref name="index"/>: <paramref name="rows"/> (title, day) pairs.</summary>
    public static List<TitleDay> Partition(IReadOnlyList<CatalogueTitle> catalogue, int index, int rows, int seed)
    {
        var random = new Random(unchecked((seed * 1_000_003) ^ (index * 7_919) ^ 0x7177)); // not HashCode: it differs between processes
        var region = Region(index);

        // How this region responds: its size, its taste, and how noisy (unpredictable) its audience is.
        var scale = Math.Exp(Normal(random, 3.5, 0.6));
        var budgetElasticity = 0.35 + random.NextDouble() * 0.4;
        var starWeight = 0.4 + random.NextDouble() * 1.2;
        var marketingElasticity = 0.15 + random.NextDouble() * 0.35;
        var idealRuntime = 95 + random.NextDouble() * 40;
        var decay = 0.015 + random.NextDouble() * 0.04;
        var weekendLift = 0.15 + random.NextDouble() * 0.35;
        var noise = 0.12 + 0.55 * (index * 3 % 7) / 6.0 + random.NextDouble() * 0.05;
        var marketingShare = 0.05 + random.NextDouble() * 0.2;

        var result = new List<TitleDay>(rows);
        for (var i = 0; i < rows; i++)
        {
            var title = catalogue[random.Next(catalogue.Count)];
            var age = random.Next(0, 60);
            var dayNumber = Math.Min(title.LaunchDay + age, Days - 1);
            age = dayNumber - title.LaunchDay;
            var day = FirstDay.AddDays(dayNumber);
            var weekend = day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 1f : 0f;
            var marketing = (float)(title.Budget * marketingShare * Math.Exp(Normal(random, 0, 0.4)));
            var runtimeFit = -Math.Pow((title.RuntimeMinutes - idealRuntime) / 35.0, 2);
            var logViews = Math.Log(scale)
                + budgetElasticity * Math.Log(title.Budget)
                + starWeight * title.StarPower
                + marketingElasticity * Math.Log(1 + marketing)
                + runtimeFit
                - decay * age
                + weekendLift * weekend
                + Normal(random, 0, noise);
            result.Add(new TitleDay
            {
                Title = title.Name,
                Region = region,
                Day = day,
                Budget = title.Budget,
                RuntimeMinutes = title.RuntimeMinutes,
                StarPower = title.StarPower,
                Marketing = marketing,
                DaysSinceLaunch = age,
                Weekend = weekend,
                Views = (float)Math.Round(Math.Exp(logViews), 3),
            });
        }

        return result;
    }

    private static double Normal(Random random, double mean, double deviation)
    {
        var u = 1 - random.NextDouble();
        var v = random.NextDouble();
        return mean + deviation * Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
    }
}

/// <summary>A title of the synthetic catalogue.</summary>
public sealed record CatalogueTitle(string Name, float Budget, float RuntimeMinutes, float StarPower, int LaunchDay);
