namespace LaunchPlanning;

/// <summary>One title as the optimizer sees it in one market.</summary>
/// <param name="Id">The title's id, unique in the problem.</param>
/// <param name="Genre">Titles of the same genre launched close together take views from each other.</param>
/// <param name="Value">Its expected first-week views (thousands) on a day of average audience, alone in its genre.</param>
/// <param name="Earliest">The first day (from 0) it may launch.</param>
/// <param name="Latest">The last day it may launch.</param>
public sealed record Candidate(string Id, string Genre, double Value, int Earliest, int Latest);

/// <summary>How a schedule's views are counted.</summary>
public sealed record ViewModel
{
    /// <summary>Same-genre launches closer than this many days take views from each other.</summary>
    public int CannibalisationDays { get; init; } = 7;

    /// <summary>The share of views lost to one same-genre launch on the same day; it falls linearly to 0 at <see cref="CannibalisationDays"/>.</summary>
    public double CannibalisationStrength { get; init; } = 0.35;

    /// <summary>The share of a title's value lost per day it launches after its earliest day (marketing spend fades, the money comes later).</summary>
    public double DelayCostPerDay { get; init; } = 0.004;
}

/// <summary>How long the optimizer searches.</summary>
public sealed record SearchSettings
{
    /// <summary>The most improving passes of one local search over every title.</summary>
    public int MaxPasses { get; init; } = 200;

    /// <summary>How many times the best schedule is shaken (a few random moves) and improved again; 0 keeps the first local optimum.</summary>
    public int Kicks { get; init; } = 40;

    /// <summary>How many random moves one kick makes.</summary>
    public int KickMoves { get; init; } = 3;
}

/// <summary>
/// One market's launch-date problem: titles with windows, the daily audience over the horizon, at most
/// <see cref="Capacity"/> launches a day, and titles pinned to a day.
/// </summary>
public sealed class MarketProblem
{
    /// <summary>A problem, checked: every window inside the horizon, ids unique, pins on known titles inside the horizon and within capacity.</summary>
    /// <param name="titles">The titles.</param>
    /// <param name="audience">The audience index of a launch on each day of the horizon (1 is an average day); its length is the horizon.</param>
    /// <param name="capacity">The most launches on one day.</param>
    /// <param name="pins">Titles that must launch on a given day, whatever their window says.</param>
    /// <param name="model">How views are counted (default: <see cref="ViewModel"/>'s defaults).</param>
    public MarketProblem(IReadOnlyList<Candidate> titles, IReadOnlyList<double> audience, int capacity, IReadOnlyDictionary<string, int>? pins = null, ViewModel? model = null)
    {
        ArgumentNullException.ThrowIfNull(titles);
        ArgumentNullException.ThrowIfNull(audience);
        if (audience.Count == 0)
        {
            throw new ArgumentException("The horizon must have at least one day.", nameof(audience));
        }

        if (audience.Any(a => !double.IsFinite(a) || a < 0))
        {
            throw new ArgumentException("Every day's audience must be a finite number, 0 or more.", nameof(audience));
        }

        if (capacity <= 0)
        {
            throw new ArgumentException($"capacity must be at least 1 launch a day, not {capacity}.", nameof(capacity));
        }

        Model = model ?? new ViewModel();
        if (Model.CannibalisationDays < 0 || Model.CannibalisationStrength < 0 || Model.DelayCostPerDay < 0)
        {
            throw new ArgumentException("The view model's cannibalisation days, strength and delay cost must be 0 or more.", nameof(model));
        }

        var horizon = audience.Count;
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < titles.Count; i++)
        {
            var t = titles[i] ?? throw new ArgumentException($"Title {i} is null.", nameof(titles));
            if (!index.TryAdd(t.Id, i))
            {
                throw new ArgumentException($"Title id '{t.Id}' appears twice.", nameof(titles));
            }

            if (t.Earliest < 0 || t.Latest >= horizon || t.Earliest > t.Latest)
            {
                throw new ArgumentException($"Title '{t.Id}' has window [{t.Earliest}, {t.Latest}], which is not a window inside the horizon of {horizon} days (0 to {horizon - 1}).", nameof(titles));
            }

            if (!double.IsFinite(t.Value) || t.Value < 0)
            {
                throw new ArgumentException($"Title '{t.Id}' has value {t.Value}; it must be a finite number, 0 or more.", nameof(titles));
            }
        }

        var pinned = new Dictionary<int, int>();
        foreach (var (id, day) in pins ?? new Dictionary<string, int>())
        {
            if (!index.TryGetValue(id, out var i))
            {
                throw new ArgumentException($"Pinned title '{id}' is not one of the titles.", nameof(pins));
            }

            if (day < 0 || day >= horizon)
            {
                throw new ArgumentException($"Title '{id}' is pinned to day {day}, outside the horizon (0 to {horizon - 1}).", nameof(pins));
            }

            pinned[i] = day;
        }

        foreach (var day in pinned.GroupBy(p => p.Value).Where(g => g.Count() > capacity))
        {
            throw new ArgumentException($"{day.Count()} titles are pinned to day {day.Key}, more than the capacity of {capacity} a day.", nameof(pins));
        }

        Titles = titles;
        Audience = audience;
        Capacity = capacity;
        Pins = pinned;
        Index = index;
    }

    /// <summary>The titles.</summary>
    public IReadOnlyList<Candidate> Titles { get; }

    /// <summary>The audience index of each day of the horizon.</summary>
    public IReadOnlyList<double> Audience { get; }

    /// <summary>The number of days.</summary>
    public int Horizon => Audience.Count;

    /// <summary>The most launches on one day.</summary>
    public int Capacity { get; }

    /// <summary>Pinned titles (by position in <see cref="Titles"/>) and their days.</summary>
    public IReadOnlyDictionary<int, int> Pins { get; }

    /// <summary>Each title's position by id.</summary>
    public IReadOnlyDictionary<string, int> Index { get; }

    /// <summary>How views are counted.</summary>
    public ViewModel Model { get; }

    /// <summary>The first day title <paramref name="i"/> may launch: its pin, else its earliest day.</summary>
    public int First(int i) => Pins.TryGetValue(i, out var day) ? day : Titles[i].Earliest;

    /// <summary>The last day title <paramref name="i"/> may launch: its pin, else its latest day.</summary>
    public int Last(int i) => Pins.TryGetValue(i, out var day) ? day : Titles[i].Latest;
}

/// <summary>A schedule and what it is worth.</summary>
/// <param name="Days">Each title's launch day, in the problem's order; -1 when it could not be placed (its window full).</param>
/// <param name="Views">Each title's expected views (thousands); 0 when not placed.</param>
/// <param name="Total">The sum of <paramref name="Views"/>.</param>
public sealed record Solution(IReadOnlyList<int> Days, IReadOnlyList<double> Views, double Total);

/// <summary>What the optimizer found, beside the naive schedule it is measured against.</summary>
/// <param name="Best">The optimized schedule.</param>
/// <param name="Naive">The naive schedule: each title at its earliest day, or the first day after it with room.</param>
/// <param name="Greedy">The greedy construction the local search started from.</param>
/// <param name="Moves">Improving moves and swaps made, over every local search.</param>
/// <param name="Kicks">Kicks (perturbations) tried.</param>
public sealed record OptimizationResult(Solution Best, Solution Naive, Solution Greedy, int Moves, int Kicks)
{
    /// <summary>How much more the optimized schedule is worth than the naive one, as a share of the naive (0.1 is 10 % more).</summary>
    public double Improvement => Naive.Total > 0 ? Best.Total / Naive.Total - 1 : 0;
}

/// <summary>
/// Chooses launch days for one market's titles to maximise total expected views: a greedy construction (the most
/// valuable title first, each on its best day with room given those already placed), then local search (moving one
/// title to another day, swapping two titles' days, placing a title that did not fit) until no move improves, then
/// iterated: the best schedule is shaken by a few random moves and improved again, a fixed number of times, with a
/// random generator seeded by the caller. The same problem and seed give the same schedule.
/// </summary>
public static class LaunchOptimizer
{
    private const double Epsilon = 1e-9;

    /// <summary>A title's expected views on <paramref name="day"/>, alone in its genre: its value, the day's audience, less the delay cost.</summary>
    public static double Alone(MarketProblem problem, int title, int day)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var t = problem.Titles[title];
        var delay = Math.Max(0, day - t.Earliest);
        return t.Value * problem.Audience[day] * Math.Max(0, 1 - problem.Model.DelayCostPerDay * delay);
    }

    /// <summary>What <paramref name="days"/> is worth: each title's views with cannibalisation by nearby same-genre launches.</summary>
    /// <exception cref="ArgumentException">The schedule does not fit the problem: a day outside a title's window (or pin), or a day over capacity.</exception>
    public static Solution Evaluate(MarketProblem problem, IReadOnlyList<int> days)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(days);
        if (days.Count != problem.Titles.Count)
        {
            throw new ArgumentException($"The schedule has {days.Count} days for {problem.Titles.Count} titles.", nameof(days));
        }

        var load = new int[problem.Horizon];
        for (var i = 0; i < days.Count; i++)
        {
            if (days[i] == -1)
            {
                continue;
            }

            if (days[i] < problem.First(i) || days[i] > problem.Last(i))
            {
                throw new ArgumentException($"Title '{problem.Titles[i].Id}' is on day {days[i]}, outside its window [{problem.First(i)}, {problem.Last(i)}].", nameof(days));
            }

            if (++load[days[i]] > problem.Capacity)
            {
                throw new ArgumentException($"Day {days[i]} has more than the capacity of {problem.Capacity} launches.", nameof(days));
            }
        }

        var state = new State(problem, days.ToArray());
        var views = Enumerable.Range(0, days.Count).Select(state.ViewsOf).ToArray();
        return new Solution(days.ToArray(), views, views.Sum());
    }

    /// <summary>
    /// The naive schedule a planner gets without optimizing: titles in order of earliest day, each on its earliest day,
    /// or the first day after it with room; one whose window is full is not placed.
    /// </summary>
    public static Solution Naive(MarketProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var state = new State(problem, Enumerable.Repeat(-1, problem.Titles.Count).ToArray());
        foreach (var (i, day) in problem.Pins)
        {
            state.Place(i, day);
        }

        var order = Enumerable.Range(0, problem.Titles.Count).Where(i => !problem.Pins.ContainsKey(i))
            .OrderBy(i => problem.Titles[i].Earliest).ThenBy(i => problem.Titles[i].Id, StringComparer.Ordinal);
        foreach (var i in order)
        {
            for (var d = problem.First(i); d <= problem.Last(i); d++)
            {
                if (state.HasRoom(d))
                {
                    state.Place(i, d);
                    break;
                }
            }
        }

        return Evaluate(problem, state.Days);
    }

    /// <summary>Optimizes <paramref name="problem"/>: greedy construction, then iterated local search seeded with <paramref name="seed"/>.</summary>
    public static OptimizationResult Optimize(MarketProblem problem, int seed, SearchSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        settings ??= new SearchSettings();
        if (settings.MaxPasses < 1 || settings.Kicks < 0 || settings.KickMoves < 1)
        {
            throw new ArgumentException("Search settings need at least 1 pass, 0 or more kicks and at least 1 move a kick.", nameof(settings));
        }

        var naive = Naive(problem);
        var random = new Random(seed);
        var state = Greedy(problem);
        var greedy = Evaluate(problem, state.Days);
        var moves = LocalSearch(state, random, settings.MaxPasses);
        var best = (int[])state.Days.Clone();
        var bestTotal = state.Total();
        var free = Enumerable.Range(0, problem.Titles.Count).Where(i => !problem.Pins.ContainsKey(i)).ToArray();
        for (var k = 0; k < settings.Kicks && free.Length > 0; k++)
        {
            for (var m = 0; m < settings.KickMoves; m++)
            {
                var i = free[random.Next(free.Length)];
                var day = problem.First(i) + random.Next(problem.Last(i) - problem.First(i) + 1);
                if (state.Days[i] != day && state.HasRoom(day))
                {
                    state.Move(i, day);
                }
            }

            moves += LocalSearch(state, random, settings.MaxPasses);
            var total = state.Total();
            if (total > bestTotal + Epsilon)
            {
                best = (int[])state.Days.Clone();
                bestTotal = total;
            }
            else
            {
                state = new State(problem, (int[])best.Clone());
            }
        }

        return new OptimizationResult(Evaluate(problem, best), naive, greedy, moves, settings.Kicks);
    }

    /// <summary>Pins first, then the most valuable titles, each on the day that adds the most given those already placed.</summary>
    private static State Greedy(MarketProblem problem)
    {
        var state = new State(problem, Enumerable.Repeat(-1, problem.Titles.Count).ToArray());
        foreach (var (i, day) in problem.Pins.OrderBy(p => p.Key))
        {
            state.Place(i, day);
        }

        var order = Enumerable.Range(0, problem.Titles.Count).Where(i => !problem.Pins.ContainsKey(i))
            .OrderByDescending(i => problem.Titles[i].Value).ThenBy(i => problem.Titles[i].Id, StringComparer.Ordinal);
        foreach (var i in order)
        {
            var bestDay = -1;
            var bestGain = double.NegativeInfinity;
            for (var d = problem.First(i); d <= problem.Last(i); d++)
            {
                if (!state.HasRoom(d))
                {
                    continue;
                }

                var before = state.Near(i, -1, -1, d);
                state.Place(i, d);
                var gain = state.Near(i, -1, -1, d) - before;
                state.Unplace(i);
                if (gain > bestGain + Epsilon)
                {
                    (bestDay, bestGain) = (d, gain);
                }
            }

            if (bestDay >= 0)
            {
                state.Place(i, bestDay);
            }
        }

        return state;
    }

    /// <summary>Best-improvement moves and swaps, title by title in a shuffled order, until a pass improves nothing.</summary>
    private static int LocalSearch(State state, Random random, int maxPasses)
    {
        var problem = state.Problem;
        var order = Enumerable.Range(0, problem.Titles.Count).Where(i => !problem.Pins.ContainsKey(i)).ToArray();
        var moves = 0;
        for (var pass = 0; pass < maxPasses; pass++)
        {
            random.Shuffle(order);
            var improved = false;
            foreach (var i in order)
            {
                if (ImproveTitle(state, i, order))
                {
                    moves++;
                    improved = true;
                }
            }

            if (!improved)
            {
                break;
            }
        }

        return moves;
    }

    /// <summary>Makes the best improving move or swap of title <paramref name="i"/>, if there is one.</summary>
    private static bool ImproveTitle(State state, int i, int[] free)
    {
        var problem = state.Problem;
        var from = state.Days[i];
        var bestGain = Epsilon;
        var bestDay = -1;
        var bestPartner = -1;

        // Moves: to another day of its window with room (or, for a title not placed, onto one).
        for (var d = problem.First(i); d <= problem.Last(i); d++)
        {
            if (d == from || !state.HasRoom(d))
            {
                continue;
            }

            var before = state.Near(i, -1, from, d);
            state.Move(i, d);
            var gain = state.Near(i, -1, from, d) - before;
            state.Move(i, from);
            if (gain > bestGain)
            {
                (bestGain, bestDay, bestPartner) = (gain, d, -1);
            }
        }

        // Swaps: exchange days with a title whose window holds this one's day (a title not placed takes the other's
        // day and leaves it unplaced, which pays when it is worth more there).
        foreach (var k in free)
        {
            var to = state.Days[k];
            if (k == i || to == from || to < problem.First(i) || to > problem.Last(i) || (from != -1 && (from < problem.First(k) || from > problem.Last(k))))
            {
                continue;
            }

            var before = state.Near(i, k, from, to);
            state.Swap(i, k);
            var gain = state.Near(i, k, from, to) - before;
            state.Swap(i, k);
            if (gain > bestGain)
            {
                (bestGain, bestDay, bestPartner) = (gain, to, k);
            }
        }

        if (bestPartner >= 0)
        {
            state.Swap(i, bestPartner);
            return true;
        }

        if (bestDay >= 0)
        {
            state.Move(i, bestDay);
            return true;
        }

        return false;
    }

    /// <summary>A schedule being built: each title's day, each day's launches, and the views of a genre.</summary>
    private sealed class State
    {
        private readonly int[] _load;
        private readonly int[][] _genre;

        public State(MarketProblem problem, int[] days)
        {
            Problem = problem;
            Days = days;
            _load = new int[problem.Horizon];
            foreach (var d in days.Where(d => d >= 0))
            {
                _load[d]++;
            }

            var byGenre = Enumerable.Range(0, problem.Titles.Count).GroupBy(i => problem.Titles[i].Genre, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
            _genre = problem.Titles.Select(t => byGenre[t.Genre]).ToArray();
        }

        public MarketProblem Problem { get; }

        public int[] Days { get; }

        public bool HasRoom(int day) => _load[day] < Problem.Capacity;

        public void Place(int i, int day)
        {
            Days[i] = day;
            _load[day]++;
        }

        public void Unplace(int i)
        {
            _load[Days[i]]--;
            Days[i] = -1;
        }

        /// <summary>Moves title <paramref name="i"/> to <paramref name="day"/>; -1 takes it off the schedule.</summary>
        public void Move(int i, int day)
        {
            if (Days[i] >= 0)
            {
                _load[Days[i]]--;
            }

            Days[i] = day;
            if (day >= 0)
            {
                _load[day]++;
            }
        }

        /// <summary>Exchanges two titles' days; the loads do not change.</summary>
        public void Swap(int i, int k) => (Days[i], Days[k]) = (Days[k], Days[i]);

        public double ViewsOf(int i)
        {
            var day = Days[i];
            if (day < 0)
            {
                return 0;
            }

            var model = Problem.Model;
            var crowd = 0.0;
            foreach (var j in _genre[i])
            {
                if (j != i && Days[j] >= 0 && Math.Abs(Days[j] - day) is var gap && gap < model.CannibalisationDays)
                {
                    crowd += model.CannibalisationStrength * (model.CannibalisationDays - gap) / model.CannibalisationDays;
                }
            }

            return Alone(Problem, i, day) / (1 + crowd);
        }

        /// <summary>
        /// The views of titles <paramref name="i"/> and <paramref name="k"/> (-1 for none) and of the titles of their
        /// genres that open less than the cannibalisation window from day <paramref name="a"/> or <paramref name="b"/>
        /// (-1 for none): all that moving them between those days can change, so the difference of this sum before and
        /// after such a move is the difference of the schedule's total.
        /// </summary>
        public double Near(int i, int k, int a, int b)
        {
            var sum = Near(i, i, k, a, b);
            if (k >= 0 && _genre[k] != _genre[i])
            {
                sum += Near(k, i, k, a, b);
            }

            return sum;
        }

        private double Near(int of, int i, int k, int a, int b)
        {
            var window = Problem.Model.CannibalisationDays;
            var sum = 0.0;
            foreach (var j in _genre[of])
            {
                var d = Days[j];
                if (j == i || j == k || (d >= 0 && ((a >= 0 && Math.Abs(d - a) < window) || (b >= 0 && Math.Abs(d - b) < window))))
                {
                    sum += ViewsOf(j);
                }
            }

            return sum;
        }

        public double Total()
        {
            var sum = 0.0;
            for (var i = 0; i < Days.Length; i++)
            {
                sum += ViewsOf(i);
            }

            return sum;
        }
    }
}
