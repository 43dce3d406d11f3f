using System.Diagnostics;
using NUnit.Framework;

namespace Flow.Tests.Reliability;

/// <summary>Ctrl+C (SIGINT) and SIGTERM stop a run, with or without options on its command line.</summary>
public class InterruptTests : ReliabilityTest
{
    [TestCase("SIGINT", 130)]
    [TestCase("SIGTERM", 143)]
    public void ASignalStopsABareRun(string signal, int expected) => Interrupt(signal, expected, "HangFlow", "run");

    [TestCase("SIGINT", 130)]
    public void ASignalStopsARunWithOptions(string signal, int expected) => Interrupt(signal, expected, "HangFlow", "run", "--max-workers", "1");

    private void Interrupt(string signal, int expected, params string[] args)
    {
        // In its own working folder, so that a bare 'run' (no --datastore-root) stores in this test's .flow.
        using var run = TestProcess.StartProgram(TestFlows, Work, null, args);
        run.WaitUntil(() => run.Output.Contains("spinning", StringComparison.Ordinal), "the step to start");
        using (var kill = Process.Start("kill", ["-" + signal[3..], run.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
        }

        // Well before the step's 3-second timeout would have failed it.
        var result = run.WaitForExit(TimeSpan.FromSeconds(30));
        Assert.That(result.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)), result.ToString());
        Assert.That(result.Code, Is.EqualTo(expected), result.ToString());
        Assert.That(result.Error, Does.Not.Contain("succeeded"), result.ToString());
    }
}
