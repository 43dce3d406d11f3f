namespace Flow.Cards;

/// <summary>
/// A card of the running task: <c>Current.Card</c> is its default card (id <c>default</c>), <c>Current.Card["id"]</c>
/// another of its cards (<c>[Card(Id = "id")]</c>). What is appended is rendered below the default card's own sections
/// (or alone on another card) when the task ends, and when the step calls <see cref="Refresh"/>. On a step without that
/// card (no <c>[Card]</c>, no <c>run --with card</c>) appending does nothing, so a step's code works either way.
/// </summary>
public sealed class Card
{
    private readonly List<CardComponent> _components = [];
    private readonly Lock _gate = new();
    private readonly TaskCards? _owner;

    internal Card(TaskCards? owner, string id, bool stored)
    {
        _owner = owner;
        Id = id;
        IsStored = stored;
    }

    /// <summary>The card's id.</summary>
    public string Id { get; }

    /// <summary>Whether the card is stored with the task: the step has it (<c>[Card]</c>, or <c>run --with card</c> for the default card).</summary>
    public bool IsStored { get; }

    /// <summary>The components appended so far, in order.</summary>
    public IReadOnlyList<CardComponent> Components
    {
        get
        {
            lock (_gate)
            {
                return _components.ToArray();
            }
        }
    }

    /// <summary>Another card of the task, by its id (a card the step does not have keeps nothing, and the task's stderr says so once).</summary>
    public Card this[string id] => _owner?.Get(id) ?? new Card(null, id, stored: false);

    /// <summary>Appends a component; returns the card, for chaining.</summary>
    public Card Append(CardComponent component)
    {
        ArgumentNullException.ThrowIfNull(component);
        if (IsStored)
        {
            lock (_gate)
            {
                _components.Add(component);
            }
        }

        return this;
    }

    /// <summary>Removes every component appended so far.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _components.Clear();
        }
    }

    /// <summary>
    /// Stores the task's cards as they are now, while the task runs (a viewer sees a <see cref="ProgressBar"/> move). At
    /// most once a second: a call sooner than that after the last store does nothing. A failure to store is written to
    /// the task's stderr, never thrown.
    /// </summary>
    public void Refresh() => _owner?.Refresh();
}
