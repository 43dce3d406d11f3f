using NUnit.Framework;

namespace Flow.Tests.Samples;

/// <summary>The seed samples, run as a user runs them: their built programs, with a command line.</summary>
public class SampleTests
{
    [TestCase("BranchFlow", "out = 3")]
    [TestCase("ForeachFlow", "out = 122")]
    public void SampleRunPrintsItsResult(string sample, string expected)
    {
        var result = Run(sample, "run");
        Assert.That(result.Code, Is.EqualTo(0), result.ToString());
        Assert.That(result.Output.Split('\n').Select(l => l.Trim()), Has.Some.EndsWith(expected), result.ToString());
    }

    [Test]
    public void ResourcesFlowRunsOnAMachineSmallerThanItAsksFor()
    {
        var result = Run("ResourcesFlow", "run");
        Assert.That(result.Code, Is.EqualTo(0), result.ToString());
        Assert.That(result.Output, Does.Contain("train saw ").And.Contain("load saw "), result.ToString());
    }

    /// <summary>Runs a built sample in a folder of its own, with Flow's variables of the test process left out.</summary>
    public static ProcessResult Run(string sample, params string[] args) =>
        TestProcess.RunProgram(RepoPaths.SampleDll(sample), Directory.CreateTempSubdirectory("flow-sample-").FullName, null, args);
}

/// <summary>The seed's web service, as a user runs it: <c>run</c>, then <c>serve</c>, then curl; SIGTERM stops it.</summary>
public class SampleServiceTests
{
    [Test]
    public async Task BranchFlowsServiceAnswersShowDataWithTheResultOfTheLatestRun()
    {
        var folder = Directory.CreateTempSubdirectory("flow-sample-").FullName;
        try
        {
            var run = TestProcess.RunProgram(RepoPaths.SampleDll("BranchFlow"), folder, null, "run");
            Assert.That(run.Code, Is.EqualTo(0), run.ToString());

            using var serve = await Flow.Tests.Hosting.ServeProcess.StartAsync(args => TestProcess.StartProgram(RepoPaths.SampleDll("BranchFlow"), folder, null, args));
            await serve.WaitReadyAsync();
            using var response = await serve.Http.GetAsync("/show_data");
            Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("{\"result\":3}"));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            Assert.That(response.Headers.GetValues(Flow.Hosting.ServedRun.Header).Single(), Does.StartWith("BranchFlow/"));

            // On loopback, a Host header of another name is refused: a web page cannot reach the service through DNS rebinding.
            using var rebound = new HttpRequestMessage(HttpMethod.Get, "/show_data");
            rebound.Headers.Host = "attacker.example";
            Assert.That((int)(await serve.Http.SendAsync(rebound)).StatusCode, Is.EqualTo(400));

            var openApi = await serve.Http.GetStringAsync(Flow.Hosting.FlowServiceExtensions.OpenApiPath);
            Assert.That(openApi, Does.Contain("/show_data"));

            // SIGTERM: the service stops gracefully and exits 0, having logged its requests through ILogger.
            var stopped = serve.Terminate();
            Assert.That(stopped.Code, Is.EqualTo(0), stopped.ToString());
            Assert.That(stopped.Output + stopped.Error, Does.Contain("GET /show_data 200").And.Contain("Application is shutting down"), stopped.ToString());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
