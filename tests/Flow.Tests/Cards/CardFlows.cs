using Flow.Cards;

namespace Flow.Tests.Cards;

/// <summary>A row of the cards' tables.</summary>
public sealed record Metric(string Name, double Value, int Epoch);

/// <summary>A record whose property throws when read: a table of it fails to render.</summary>
public sealed class Broken
{
    public string Name => "broken";

    public double Value => throw new InvalidOperationException("the value is not computed yet");
}

/// <summary>Test images.</summary>
public static class TestImages
{
    /// <summary>A 1x1 PNG.</summary>
    public static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");
}

/// <summary>
/// A flow with cards: Start appends every kind of component to its default card, A has only a card of another id, B has
/// no card (what it appends is not stored), and the join shows its inputs.
/// </summary>
public partial class CardFlow : FlowSpec
{
    [Parameter(Help = "Epochs to train.")]
    public int Epochs { get; set; } = 6;

    public List<double> Loss { get; set; } = [];

    public string Model { get; set; } = "";

    public double Total { get; set; }

    [Step, Card]
    public void Start()
    {
        Loss = Enumerable.Range(0, Epochs).Select(i => 1.0 / (i + 1)).ToList();
        Model = "linear-model";
        Current.Card.Append(new Markdown("# Model for shard-7\n\nTrained with **care**."));
        Current.Card.Append(Table.From(Loss.Select((l, i) => new Metric("loss", l, i))));
        Current.Card.Append(new Chart("Loss", Loss) { XLabel = "epoch", YLabel = "loss" });
        Current.Card.Append(new Chart("Per class", [3, 5, 2], ChartKind.Bar) { Labels = ["cat", "dog", "owl"] });
        Current.Card.Append(new Chart("Predictions", Loss.Select((l, i) => ((double)i, l * 2))));
        Current.Card.Append(new Chart("Spread", Loss, ChartKind.Histogram) { Bins = 4 });
        Current.Card.Append(new Image(TestImages.Png, "a pixel"));
        var bar = new ProgressBar(Epochs, "epochs");
        bar.Update(Epochs);
        Current.Card.Append(bar);
        Next(A, B);
    }

    [Step, Card(Id = "details")]
    public void A()
    {
        Current.Card["details"].Append(new Markdown("Details of *A*"));
        Total = 1;
        Next(Join);
    }

    [Step]
    public void B()
    {
        Current.Card.Append(new Markdown("kept nowhere"));
        Total = 2;
        Next(Join);
    }

    [Step, Card]
    public void Join(JoinInputs<CardFlow> inputs)
    {
        Total = inputs.Sum(i => i.Total);
        Model = inputs.A().Model;
        Loss = inputs.A().Loss;
        Next(End);
    }

    [Step]
    public void End()
    {
    }
}

/// <summary>A flow whose card has a component that fails to render and an image that is not one.</summary>
public partial class FailingCardFlow : FlowSpec
{
    public int Value { get; set; }

    [Step, Card]
    public void Start()
    {
        Value = 42;
        Current.Card.Append(new Markdown("before"));
        Current.Card.Append(Table.From([new Broken()]));
        Current.Card.Append(new Image([1, 2, 3, 4]));
        Current.Card.Append(new Markdown("after"));
        Next(End);
    }

    [Step]
    public void End()
    {
    }
}

/// <summary>A flow without cards, for run --with card.</summary>
public partial class PlainCardFlow : FlowSpec
{
    public string Text { get; set; } = "";

    [Step]
    public void Start()
    {
        Text = "plain";
        Current.Card.Append(new Markdown("appended on a step without [Card]"));
        Next(End);
    }

    [Step]
    public void End()
    {
    }
}

/// <summary>A long task that shows its progress: it refreshes its card, then waits for the test to let it go on.</summary>
public partial class ProgressCardFlow : FlowSpec
{
    public static TaskCompletionSource Proceed { get; set; } = new();

    public int Steps { get; set; }

    [Step, Card]
    public void Start()
    {
        var bar = new ProgressBar(10, "work");
        Current.Card.Append(bar);
        bar.Update(4);
        Current.Card.Refresh();
        if (!Proceed.Task.Wait(TimeSpan.FromSeconds(60)))
        {
            throw new TimeoutException("the test did not let the step go on");
        }

        bar.Update(10);
        Steps = 10;
        Next(End);
    }

    [Step]
    public void End()
    {
    }
}

/// <summary>A task that shows its progress, then hangs past its timeout: the card it stored says Running until the timeout's failure is recorded.</summary>
public partial class TimedOutCardFlow : FlowSpec
{
    [Step, Card, Timeout(Seconds = 1)]
    public void Start()
    {
        var bar = new ProgressBar(10, "work");
        Current.Card.Append(bar);
        bar.Update(4);
        Current.Card.Refresh();

        // Observes its cancellation only, as a step that hangs in a call would (after the timeout, the thread ends).
        Current.CancellationToken.WaitHandle.WaitOne(TimeSpan.FromSeconds(60));
        Next(End);
    }

    [Step]
    public void End()
    {
    }
}

/// <summary>A step that fails on every attempt after appending to its card: each attempt stores its own card.</summary>
public partial class ThrowingCardFlow : FlowSpec
{
    [Step, Card, Retry(Times = 1)]
    public void Start()
    {
        Current.Card.Append(new Markdown($"attempt {Current.Attempt}"));
        if (Current.Attempt < 10)
        {
            throw new InvalidOperationException("boom");
        }

        Next(End);
    }

    [Step]
    public void End()
    {
    }
}
