using System.Text;
using NUnit.Framework;

namespace Flow.Tests.Infrastructure;

/// <summary>The browser fixture itself: it renders a page, intercepts requests, and tells a blank screenshot from one with content.</summary>
public class BrowserTests
{
    [Test]
    public async Task RendersAPageFromAFileAndSeesEveryRequestItMakes()
    {
        var folder = Directory.CreateTempSubdirectory("flow-browser-").FullName;
        try
        {
            var file = Path.Combine(folder, "page.html");
            File.WriteAllText(file, "<!doctype html><html><body><h1 id='t'>Hello</h1><p>" + string.Join(" ", Enumerable.Repeat("text", 400)) + "</p><img src='https://example.invalid/x.png'></body></html>", Encoding.UTF8);
            await using var browser = await Browser.LaunchAsync();
            var page = await browser.NewPageAsync();
            var requests = new List<string>();
            await page.SetRequestInterceptionAsync(true);
            page.Request += async (_, e) =>
            {
                requests.Add(e.Request.Url);
                if (e.Request.Url.StartsWith("file://", StringComparison.Ordinal))
                {
                    await e.Request.ContinueAsync();
                }
                else
                {
                    await e.Request.AbortAsync();
                }
            };

            await page.GoToAsync(new Uri(file).AbsoluteUri);

            Assert.That(await page.EvaluateExpressionAsync<string>("document.getElementById('t').textContent"), Is.EqualTo("Hello"));
            Assert.That(requests, Has.Some.StartsWith("https://example.invalid/"), "the fixture sees requests that leave the page");
            var shot = await Browser.ScreenshotAsync(page, "browser-fixture");
            Assert.That(await browser.DifferentPixelsAsync(await File.ReadAllBytesAsync(shot)), Is.GreaterThan(1000));

            await page.SetContentAsync("<html><body style='background:#fff'></body></html>");
            Assert.That(await browser.DifferentPixelsAsync(await page.ScreenshotDataAsync()), Is.Zero, "a blank page is told apart");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
