namespace Flow.Cards;

/// <summary>The cards of one task attempt: those its step has, and how to store them while it runs.</summary>
internal sealed class TaskCards
{
    /// <summary>The least time between two stores of <see cref="Card.Refresh"/>.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, Card> _cards = new(StringComparer.Ordinal);
    private readonly HashSet<string> _warned = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly Lock _storing = new();
    private volatile Action? _store;
    private readonly string _step;
    private readonly TimeProvider _time;
    private long? _lastRefresh;

    public TaskCards(string step, IEnumerable<string> ids, TimeProvider? time = null)
    {
        _step = step;
        _time = time ?? TimeProvider.System;
        foreach (var id in ids)
        {
            _cards.TryAdd(id, new Card(this, id, stored: true));
        }

        Default = _cards.TryGetValue(DefaultId, out var card) ? card : new Card(this, DefaultId, stored: false);
    }

    /// <summary>The id of the default card.</summary>
    public const string DefaultId = "default";

    /// <summary>What <see cref="Card.Refresh"/> stores with (set by the task's executor once it can).</summary>
    public Action? Store
    {
        get => _store;
        set => _store = value;
    }

    /// <summary><c>Current.Card</c>.</summary>
    public Card Default { get; }

    /// <summary>The cards stored with the task, the default first.</summary>
    public IReadOnlyList<Card> Stored => _cards.Values.OrderBy(c => c.Id == DefaultId ? 0 : 1).ThenBy(c => c.Id, StringComparer.Ordinal).ToList();

    /// <summary>A card by id; one the step does not have is a card that keeps nothing.</summary>
    public Card Get(string id)
    {
        if (_cards.TryGetValue(id, out var card))
        {
            return card;
        }

        lock (_gate)
        {
            if (_warned.Add(id))
            {
                Console.Error.WriteLine($"warning: step {_step} has no card '{id}', so what is appended to it is not stored; add [Card(Id = \"{id}\")] to the step. Its cards: {(_cards.Count == 0 ? "none" : string.Join(", ", _cards.Keys))}.");
            }
        }

        return new Card(null, id, stored: false);
    }

    public void Refresh()
    {
        if (_cards.Count == 0 || Store is null)
        {
            return;
        }

        lock (_gate)
        {
            var now = _time.GetTimestamp();
            if (_lastRefresh is { } last && _time.GetElapsedTime(last, now) < RefreshInterval)
            {
                return;
            }

            _lastRefresh = now;
        }

        // One store at a time, and none after Close: a refresh must not land after the task's final cards.
        lock (_storing)
        {
            if (Store is not { } store)
            {
                return;
            }

            try
            {
                store();
            }
            catch (OperationCanceledException)
            {
                // The task is being stopped: its final cards say so.
            }
        }
    }

    /// <summary>Ends refreshing: waits for a store in progress, and stores nothing more (the task's final cards follow).</summary>
    public void Close()
    {
        lock (_storing)
        {
            Store = null;
        }
    }
}
