using Flow.Cards;

namespace Flow.TestFlows;

/// <summary>
/// Cards from worker processes: Start has a card with a table and a chart, and a table that fails to render; End has
/// none of its own (run --with card gives it the default card).
/// </summary>
public partial class CardsFlow : FlowSpec
{
    public List<double> Scores { get; set; } = [];

    [Step, Card, Card(Id = "extra")]
    public void Start()
    {
        Scores = [0.5, 0.75, 0.875];
        Current.Card.Append(new Markdown($"## Scores of process {Environment.ProcessId}"));
        Current.Card.Append(Table.From(Scores.Select((s, i) => new { Round = i, Score = s })));
        Current.Card.Append(new Chart("Scores", Scores, ChartKind.Bar));
        Current.Card.Append(Table.From(new[] { new Unready() }));
        Current.Card["extra"].Append(new Markdown("extra card"));
        Next(End);
    }

    [Step]
    public void End()
    {
    }

    /// <summary>A record whose property is not ready: its table fails to render.</summary>
    public sealed class Unready
    {
        public int Value => throw new InvalidOperationException("not ready");
    }
}
