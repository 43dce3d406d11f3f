using Flow.Tests.Infrastructure;
using NUnit.Framework;

namespace Flow.Tests.Ui;

/// <summary>The seed sample's <c>ui</c>, as a user runs it: <c>run</c>, then <c>ui</c> on a free port; SIGTERM stops it.</summary>
public class UiSampleTests
{
    [Test]
    public async Task TheBranchFlowSamplesUiShowsItsRunAndStopsOnSigterm()
    {
        var folder = Directory.CreateTempSubdirectory("flow-sample-").FullName;
        try
        {
            var run = TestProcess.RunProgram(RepoPaths.SampleDll("BranchFlow"), folder, null, "run", "--run-id-file", "run-id");
            Assert.That(run.Code, Is.EqualTo(0), run.ToString());
            var runId = File.ReadAllText(Path.Combine(folder, "run-id")).Trim();

            var port = Flow.Tests.S3.MotoServer.FreePort();
            using var process = TestProcess.StartProgram(RepoPaths.SampleDll("BranchFlow"), folder, null, "ui", "--urls", $"http://127.0.0.1:{port}");
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
            var deadline = DateTime.UtcNow + TestProcess.Patience;
            string? page = null;
            while (page is null)
            {
                Assert.That(process.HasExited, Is.False, $"ui exited before it listened:\n{process.Output}\n{process.Error}");
                try
                {
                    page = await http.GetStringAsync("/");
                }
                catch (HttpRequestException)
                {
                    Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"ui did not listen:\n{process.Output}\n{process.Error}");
                    await Task.Delay(100);
                }
            }

            Assert.That(page, Does.Contain("Runs of BranchFlow").And.Contain($"/runs/{runId}\""));
            Assert.That(await http.GetStringAsync($"/runs/{runId}"), Does.Contain("id=\"step-Join\"").And.Contain("Succeeded"));

            using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                kill.WaitForExit();
            }

            var stopped = process.WaitForExit(TimeSpan.FromSeconds(60));
            Assert.That(stopped.Code, Is.EqualTo(0), stopped.ToString());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
