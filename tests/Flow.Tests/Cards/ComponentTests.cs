using System.Text;
using Flow.Cards;
using Flow.Datastore;
using Flow.Graph;
using NUnit.Framework;

namespace Flow.Tests.Cards;

/// <summary>Each component's HTML, and a card with a component that fails.</summary>
public class ComponentTests
{
    private static string Render(CardComponent component)
    {
        var html = new StringBuilder();
        component.Render(html);
        return html.ToString();
    }

    [Test]
    public void ATableFromRecordsHasAColumnPerPropertyAndARowPerRecord()
    {
        var table = Table.From([new Metric("loss", 0.25, 1), new Metric("acc<1>", 0.9, 2)]);

        Assert.That(table.Headers, Is.EqualTo(new[] { "Name", "Value", "Epoch" }));
        Assert.That(table.Rows[1], Is.EqualTo(new object[] { "acc<1>", 0.9, 2 }));
        var html = Render(table);
        Assert.That(html, Does.Contain("<th>Name</th><th>Value</th><th>Epoch</th>"));
        Assert.That(html, Does.Contain("<tr><td>loss</td><td>0.25</td><td>1</td></tr>"));
        Assert.That(html, Does.Contain("<td>acc&lt;1&gt;</td>"), "cells are encoded");
    }

    [Test]
    public void ATableOfHeadersAndRowsKeepsThem()
    {
        var html = Render(new Table(["a", "b"], [["x", 1.5], ["y", null]]));
        Assert.That(html, Does.Contain("<tr><td>x</td><td>1.5</td></tr>").And.Contain("<tr><td>y</td><td></td></tr>"));
    }

    [Test]
    public void MarkdownIsRenderedWithoutRawHtmlOrRemoteImages()
    {
        var html = Render(new Markdown("# Title\n\n**bold** <script>alert(1)</script>\n\n![logo](https://example.com/logo.png)\n\n| a | b |\n|---|---|\n| 1 | 2 |"));

        Assert.That(html, Does.Contain("<h1 id=\"title\">Title</h1>").And.Contain("<strong>bold</strong>"));
        Assert.That(html, Does.Not.Contain("<script>"), "raw HTML is text");
        Assert.That(html, Does.Not.Contain("https://example.com/logo.png\""), "a remote image would be a request");
        Assert.That(html, Does.Contain("[image: logo]"));
        Assert.That(html, Does.Contain("<table>"), "pipe tables");
    }

    [Test]
    public void MarkdownLinksGoOnlyToWebAndMailAddresses()
    {
        var html = Render(new Markdown("[run](javascript:alert(1)) [data](data:text/html,x) [docs](https://example.com/a) [me](mailto:a@b.c) [top](#top)"));

        Assert.That(html, Does.Not.Contain("javascript:").And.Not.Contain("data:text"));
        Assert.That(html, Does.Contain("href=\"https://example.com/a\"").And.Contain("href=\"mailto:a@b.c\"").And.Contain("href=\"#top\""));
    }

    [Test]
    public void MarkdownKeepsAnImageFromADataUri()
    {
        var uri = "data:image/png;base64," + Convert.ToBase64String(TestImages.Png);
        Assert.That(Render(new Markdown($"![pixel]({uri})")), Does.Contain($"src=\"{uri}\""));
    }

    [TestCase(ChartKind.Line, "<polyline class=\"line\"")]
    [TestCase(ChartKind.Bar, "<rect class=\"bar\"")]
    [TestCase(ChartKind.Scatter, "<circle class=\"dot\"")]
    [TestCase(ChartKind.Histogram, "<rect class=\"bar\"")]
    public void AChartIsAnSvgWithAxesTicksAndItsMarks(ChartKind kind, string mark)
    {
        var html = Render(new Chart("Loss <train>", [4, 2, 1, 0.5, 0.25], kind) { XLabel = "epoch", YLabel = "loss" });

        Assert.That(html, Does.StartWith("<figure class=\"chart\"><svg xmlns=\"http://www.w3.org/2000/svg\""));
        Assert.That(html, Does.Contain($"class=\"chart-{kind.ToString().ToLowerInvariant()}\""));
        Assert.That(html, Does.Contain(">Loss &lt;train&gt;</text>"), "the title");
        Assert.That(html, Does.Contain("<line class=\"axis\""));
        Assert.That(html, Does.Contain("class=\"tick\""));
        Assert.That(html, Does.Contain(mark));
        Assert.That(html, Does.Contain(">epoch</text>").And.Contain(">loss</text>"), "the axes' labels");
    }

    [Test]
    public void AHistogramCountsValuesInItsBins()
    {
        var html = Render(new Chart("h", [0, 0, 0, 1, 10], ChartKind.Histogram) { Bins = 2 });
        Assert.That(html, Does.Contain(">value</text>").And.Contain(">count</text>"), "a histogram's axes are labelled by default");
        Assert.That(System.Text.RegularExpressions.Regex.Matches(html, "<rect class=\"bar\"").Count, Is.EqualTo(2));
        Assert.That(html, Does.Contain(": 4</title>").And.Contain(": 1</title>"));
    }

    [Test]
    public void AChartWithoutFiniteValuesSaysSo() =>
        Assert.That(Render(new Chart("empty", [double.NaN])), Does.Contain(">no data</text>"));

    [Test]
    public void AnImageIsADataUriOfItsType()
    {
        var png = Render(new Image(TestImages.Png, "a pixel"));
        Assert.That(png, Does.Contain("src=\"data:image/png;base64," + Convert.ToBase64String(TestImages.Png) + "\""));
        Assert.That(png, Does.Contain("<figcaption>a pixel</figcaption>"));
        Assert.That(Render(new Image([0xFF, 0xD8, 0xFF, 0xE0, 0, 0])), Does.Contain("data:image/jpeg;base64,"));
        var error = Assert.Throws<FormatException>(() => Render(new Image(Encoding.ASCII.GetBytes("GIF89a..."))));
        Assert.That(error!.Message, Does.Contain("not a PNG or JPEG"));
    }

    [Test]
    public void AProgressBarShowsItsValueWithinItsMaximum()
    {
        var bar = new ProgressBar(8, "epochs");
        bar.Update(2);
        Assert.That(Render(bar), Does.Contain("width:25%").And.Contain("2 / 8 (25%)").And.Contain("epochs"));
        bar.Update(100);
        Assert.That(bar.Value, Is.EqualTo(8));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new ProgressBar(0));
    }

    [Test]
    public void AFailingComponentIsNotedOnTheCardAndTheOthersAreKept()
    {
        var cards = new TaskCards("Start", ["default"]);
        cards.Default.Append(new Markdown("before")).Append(Table.From([new Broken()])).Append(new Markdown("after"));
        var problems = new List<string>();

        var html = CardPage.Render(Data(), cards.Default, problems);

        Assert.That(html, Does.Contain("<p>before</p>").And.Contain("<p>after</p>"));
        Assert.That(html, Does.Contain("Table component failed").And.Contain("System.InvalidOperationException").And.Contain("the value is not computed yet"));
        Assert.That(problems, Has.Count.EqualTo(1));
        Assert.That(problems[0], Does.Contain("System.InvalidOperationException: the value is not computed yet"));
    }

    [Test]
    public void ACardOnAStepWithoutItKeepsNothing()
    {
        var cards = new TaskCards("Start", []);
        cards.Default.Append(new Markdown("x"));
        Assert.That(cards.Default.IsStored, Is.False);
        Assert.That(cards.Default.Components, Is.Empty);
        Assert.That(cards.Stored, Is.Empty);
    }

    [Test]
    public void RefreshStoresAtMostOnceASecond()
    {
        var time = new ManualTime();
        var cards = new TaskCards("Start", ["default"], time);
        var stores = 0;
        cards.Store = () => stores++;

        cards.Default.Refresh();
        cards.Default.Refresh();
        time.Advance(TimeSpan.FromMilliseconds(999));
        cards.Default.Refresh();
        Assert.That(stores, Is.EqualTo(1));
        time.Advance(TimeSpan.FromMilliseconds(1));
        cards.Default.Refresh();
        Assert.That(stores, Is.EqualTo(2));
    }

    [Test]
    public void CardFileNamesReadBack()
    {
        Assert.That(DatastoreLayout.CardFile("F", "1-a", "Train.v2", 7, 1, "eval-metrics"), Is.EqualTo("F/1-a/cards/Train.v2.7.1.eval-metrics.html"));
        Assert.That(DatastoreLayout.ParseCardFile("Train.v2.7.1.eval-metrics.html", 12), Is.EqualTo(new CardInfo("Train.v2", 7, 1, "eval-metrics", 12)));
        Assert.That(DatastoreLayout.ParseCardFile(".x.tmp", 1), Is.Null);
        Assert.Throws<FlowException>(() => DatastoreLayout.CardFile("F", "1-a", "S", 1, 0, "../x"));
    }

    private static CardData Data()
    {
        var graph = new FlowGraph("F", "F", [new StepNode("Start", StepKind.Start, TransitionKind.Linear, ["End"]), new StepNode("End", StepKind.End, TransitionKind.None, [])], [], []);
        var now = DateTimeOffset.UtcNow;
        var run = new RunRecord { Flow = "F", RunId = "1-a", User = "ann", Status = RunStatus.Running, StartedAt = now };
        var task = new TaskRecord { Flow = "F", RunId = "1-a", Step = "Start", TaskId = 1, Position = "Start/", Status = RunStatus.Succeeded, StartedAt = now, FinishedAt = now };
        return new CardData(graph, run, task, new Dictionary<string, string>());
    }

    private sealed class ManualTime : TimeProvider
    {
        private long _ticks = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }

    [TestCase(ChartKind.Line)]
    [TestCase(ChartKind.Scatter)]
    [TestCase(ChartKind.Histogram)]
    [TestCase(ChartKind.Bar)]
    public void ValuesEqualButForRoundingMakeAFewTicksNotAnEndlessAxis(ChartKind kind)
    {
        foreach (var values in new[] { new[] { 0.1 + 0.2, 0.3 }, new[] { 1e17, 1e17 + 16 }, new[] { 5.0, 5.0 } })
        {
            var task = Task.Run(() =>
            {
                var html = new System.Text.StringBuilder();
                new Chart("close", values, kind).Render(html);
                return html.ToString();
            });
            Assert.That(task.Wait(TimeSpan.FromSeconds(10)), Is.True, $"{kind} of {string.Join(", ", values)} did not render");
            Assert.That(task.Result.Length, Is.LessThan(20_000));
        }
    }
}
