using System.Diagnostics;
using Flow.Tests.Infrastructure;
using NUnit.Framework;

namespace Flow.Tests.Samples;

/// <summary>The seed samples, run as a user runs them: their built programs, with a command line.</summary>
public class SampleTests
{
    [TestCase("BranchFlow", "out = 3")]
    [TestCase("ForeachFlow", "out = 122")]
    public void SampleRunPrintsItsResult(string sample, string expected)
    {
        var (code, output, error) = Run(sample, "run");
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(output.Split('\n').Select(l => l.Trim()), Has.Some.EndsWith(expected), output);
    }

    [Test]
    public void ResourcesFlowRunsOnAMachineSmallerThanItAsksFor()
    {
        var (code, output, error) = Run("ResourcesFlow", "run");
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(output, Does.Contain("train saw ").And.Contain("load saw "), output);
    }

    public static (int Code, string Output, string Error) Run(string sample, params string[] args)
    {
        var dll = RepoPaths.SampleDll(sample);
        Assert.That(File.Exists(dll), Is.True, $"The sample {sample} is not built at {dll}; build the solution first.");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Directory.CreateTempSubdirectory("flow-sample-").FullName };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{sample} {string.Join(' ', args)} did not finish in 2 minutes.");
        }

        return (process.ExitCode, output.Result, error.Result);
    }
}
