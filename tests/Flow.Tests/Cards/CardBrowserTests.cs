using Flow.Cli;
using Flow.Client;
using Flow.Datastore;
using Flow.Execution;
using Flow.Tests.Infrastructure;
using NUnit.Framework;

namespace Flow.Tests.Cards;

/// <summary>
/// A real task's card in a real browser, opened from a file with every request watched: it makes none but the file
/// itself, and shows the header, the graph, the artifacts and each component. With FLOW_UPDATE_DOC_IMAGES=1 its
/// screenshot becomes docs/images/card.png.
/// </summary>
public class CardBrowserTests
{
    [Test]
    public async Task ACardOpensFromAFileWithoutAnyRequestAndShowsEverything()
    {
        var root = Directory.CreateTempSubdirectory("flow-card-browser-").FullName;
        try
        {
            var result = await new LocalScheduler(FlowApp.DefinitionOf<CardFlow>(), new RunOptions { Log = TextWriter.Null, Output = TextWriter.Null, Datastore = FlowDatastore.Local(root) }).RunAsync();
            var run = await new FlowClient(FlowDatastore.Local(root)) { Namespace = null }.Flow("CardFlow").GetAsync(result.RunId);
            var file = Path.Combine(root, "card.html");
            await File.WriteAllTextAsync(file, await (await run.StepAsync("Start")).Single().CardAsync());

            await using var browser = await Browser.LaunchAsync();
            var page = await browser.NewPageAsync();
            var requests = new List<string>();
            await page.SetRequestInterceptionAsync(true);
            page.Request += async (_, e) =>
            {
                // Chromium reports a data: URI (the card's inline image) to interception too; it loads nothing from anywhere.
                if (!e.Request.Url.StartsWith("data:", StringComparison.Ordinal))
                {
                    requests.Add(e.Request.Url);
                }

                if (e.Request.Url == new Uri(file).AbsoluteUri || e.Request.Url.StartsWith("data:", StringComparison.Ordinal))
                {
                    await e.Request.ContinueAsync();
                }
                else
                {
                    await e.Request.AbortAsync();
                }
            };

            await page.GoToAsync(new Uri(file).AbsoluteUri);

            Assert.That(requests, Is.EqualTo(new[] { new Uri(file).AbsoluteUri }), "no request but the file itself: " + string.Join(", ", requests.Select(r => r.Length > 120 ? r[..120] : r)));
            async Task<T> Js<T>(string expression) => await page.EvaluateExpressionAsync<T>(expression);
            Assert.That(await Js<string>("document.querySelector('#task h1').textContent"), Is.EqualTo("CardFlow / Start / 1"));
            Assert.That(await Js<string>("document.querySelector('[data-field=status]').textContent"), Is.EqualTo("Succeeded"));
            Assert.That(await Js<string[]>("[...document.querySelectorAll('#graph .step')].map(s => s.dataset.step)"), Is.EqualTo(new[] { "Start", "A", "B", "Join", "End" }));
            Assert.That(await Js<string>("document.querySelector('#graph .step.current').dataset.step"), Is.EqualTo("Start"));
            Assert.That(await Js<string[]>("[...document.querySelectorAll('#artifacts tr[data-artifact]')].map(r => r.dataset.artifact)"), Is.EqualTo(new[] { "Loss", "Model" }));
            Assert.That(await Js<string>("document.querySelector('#components h1').textContent"), Is.EqualTo("Model for shard-7"));
            Assert.That(await Js<int>("document.querySelectorAll('#components table.data tbody tr').length"), Is.EqualTo(6));
            Assert.That(await Js<string[]>("[...document.querySelectorAll('#components svg')].map(s => s.getAttribute('class'))"), Is.EqualTo(new[] { "chart-line", "chart-bar", "chart-scatter", "chart-histogram" }));
            Assert.That(await Js<double>("document.querySelector('#components svg polyline').getBBox().width"), Is.GreaterThan(100), "the line is drawn");
            Assert.That(await Js<bool>("(() => { const i = document.querySelector('#components img'); return i.complete && i.naturalWidth === 1; })()"), Is.True, "the image decodes from its data URI");
            Assert.That(await Js<string>("document.querySelector('.progress-fill').style.width"), Is.EqualTo("100%"));

            var shot = await Browser.ScreenshotAsync(page, "card");
            Assert.That(await browser.DifferentPixelsAsync(await File.ReadAllBytesAsync(shot)), Is.GreaterThan(10_000), "the screenshot is not blank");
            if (Environment.GetEnvironmentVariable("FLOW_UPDATE_DOC_IMAGES") == "1")
            {
                var images = Directory.CreateDirectory(Path.Combine(RepoPaths.Root, "docs", "images")).FullName;
                await page.SetViewportAsync(new PuppeteerSharp.ViewPortOptions { Width = 1100, Height = 900 });
                await page.ScreenshotAsync(Path.Combine(images, "card.png"), new PuppeteerSharp.ScreenshotOptions { FullPage = true });
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
