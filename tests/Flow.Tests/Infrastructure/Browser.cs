using PuppeteerSharp;
using NUnit.Framework;

namespace Flow.Tests.Infrastructure;

/// <summary>
/// Headless Chromium for the tests of HTML output (cards, the UI): Debian's <c>chromium</c> (or the one
/// <c>FLOW_TEST_CHROMIUM</c> names), driven by PuppeteerSharp; no browser is ever downloaded. A missing browser fails
/// the test under CI and is skipped elsewhere, with the command that installs it.
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    private readonly IBrowser _browser;

    private Browser(IBrowser browser) => _browser = browser;

    /// <summary>The browser's executable: <c>FLOW_TEST_CHROMIUM</c>, else the first of Debian's names on PATH; null when none.</summary>
    public static string? Executable { get; } = Find();

    /// <summary>Starts a headless browser (the test fails or is skipped when there is none).</summary>
    public static async Task<Browser> LaunchAsync()
    {
        if (Executable is null)
        {
            Ci.Missing("Headless Chromium is needed for this test: install it with apt-get install -y chromium (or set FLOW_TEST_CHROMIUM to a Chromium or Chrome executable).");
        }

        var options = new LaunchOptions
        {
            Headless = true,
            ExecutablePath = Executable,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check"],
            DefaultViewport = new ViewPortOptions { Width = 1200, Height = 900 },
            Timeout = 60_000,
        };
        return new Browser(await Puppeteer.LaunchAsync(options));
    }

    /// <summary>A new page (tab).</summary>
    public async Task<IPage> NewPageAsync()
    {
        var page = await _browser.NewPageAsync();
        page.DefaultTimeout = 30_000;
        return page;
    }

    /// <summary>
    /// A screenshot of the whole page, kept as the test's output (an attachment, in the test results) under
    /// <paramref name="name"/>.png; returns its path.
    /// </summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        var folder = Directory.CreateDirectory(Path.Combine(TestContext.CurrentContext.WorkDirectory, "screenshots")).FullName;
        var path = Path.Combine(folder, name + ".png");
        await page.ScreenshotAsync(path, new ScreenshotOptions { FullPage = true });
        TestContext.AddTestAttachment(path, name);
        return path;
    }

    /// <summary>
    /// How many pixels of a PNG screenshot differ from its top-left pixel (0: blank, one colour everywhere), decoded and
    /// counted by the browser itself in a canvas, so that no image library is needed.
    /// </summary>
    public async Task<int> DifferentPixelsAsync(byte[] png)
    {
        var page = await NewPageAsync();
        try
        {
            return await page.EvaluateFunctionAsync<int>(
                """
                async (data) => {
                    const image = new Image();
                    image.src = 'data:image/png;base64,' + data;
                    await image.decode();
                    const canvas = document.createElement('canvas');
                    canvas.width = image.width;
                    canvas.height = image.height;
                    const context = canvas.getContext('2d');
                    context.drawImage(image, 0, 0);
                    const pixels = context.getImageData(0, 0, image.width, image.height).data;
                    let different = 0;
                    for (let i = 4; i < pixels.length; i += 4) {
                        if (pixels[i] !== pixels[0] || pixels[i + 1] !== pixels[1] || pixels[i + 2] !== pixels[2]) different++;
                    }
                    return different;
                }
                """,
                Convert.ToBase64String(png));
        }
        finally
        {
            await page.CloseAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.CloseAsync();
        _browser.Dispose();
    }

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable("FLOW_TEST_CHROMIUM") is { Length: > 0 } named)
        {
            return File.Exists(named) ? named : null;
        }

        foreach (var name in new[] { "chromium", "chromium-browser", "google-chrome", "google-chrome-stable" })
        {
            foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                var path = Path.Combine(folder, name);
                if (File.Exists(path))
                {
                    return path;
                }
            }
        }

        return null;
    }
}
