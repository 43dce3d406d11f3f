using System.Diagnostics;
using Flow.Serialization;

namespace Flow.TestFlows;

/// <summary>
/// The misbehaviour a test asks for, read from environment variables that the workers inherit:
/// <list type="bullet">
/// <item><c>FLOW_TEST_FAULT</c>: <c>kill</c> (SIGKILL to itself), <c>stackoverflow</c>, <c>failfast</c>, <c>hang</c> (a tight CPU loop) or <c>throw</c>;</item>
/// <item><c>FLOW_TEST_FAULT_INDEX</c>: the foreach element whose task misbehaves (default 1);</item>
/// <item><c>FLOW_TEST_FAULT_ATTEMPTS</c>: misbehave only in attempts below this one (default: every attempt);</item>
/// <item><c>FLOW_TEST_SLEEP_MS</c>: how long each task sleeps first (default 0), so a test can kill the run mid-way;</item>
/// <item><c>FLOW_TEST_GATE</c>: a folder in which each task first writes <c>ready.INDEX</c>, then waits (up to three
/// minutes) until a file <c>open</c> appears, so a test can act while tasks are surely under way, however loaded the machine.</item>
/// </list>
/// </summary>
internal static class Faults
{
    public static void Inject(int index, int attempt)
    {
        if (Environment.GetEnvironmentVariable("FLOW_TEST_GATE") is { Length: > 0 } gate)
        {
            File.WriteAllText(Path.Combine(gate, $"ready.{index}"), "");
            var waited = Stopwatch.StartNew();
            while (!File.Exists(Path.Combine(gate, "open")) && waited.Elapsed < TimeSpan.FromMinutes(3))
            {
                Thread.Sleep(20);
            }
        }

        if (Number("FLOW_TEST_SLEEP_MS", 0) is > 0 and var sleep)
        {
            Thread.Sleep(sleep);
        }

        if (index != Number("FLOW_TEST_FAULT_INDEX", 1) || attempt >= Number("FLOW_TEST_FAULT_ATTEMPTS", int.MaxValue))
        {
            return;
        }

        switch (Environment.GetEnvironmentVariable("FLOW_TEST_FAULT"))
        {
            case "kill":
                KillSelf();
                break;
            case "stackoverflow":
                Console.WriteLine($"recursed {Recurse(0)} times");
                break;
            case "failfast":
                Environment.FailFast($"Task {index} fails fast on purpose.");
                break;
            case "hang":
                Spin();
                break;
            case "throw":
                throw new InvalidOperationException($"Task {index} fails on purpose.");
        }
    }

    /// <summary>A tight loop: no calls, no allocation, nothing to interrupt it but killing the process.</summary>
    public static void Spin()
    {
        while (true)
        {
        }
    }

    /// <summary>
    /// Kills this process with SIGKILL as soon as the blob of <paramref name="value"/> is being written,
    /// once per marker file (<c>FLOW_TEST_KILL_MARKER</c>), watching the blob folder <c>FLOW_TEST_BLOBS</c>.
    /// </summary>
    public static void KillWhileWriting(byte[] value)
    {
        var marker = Environment.GetEnvironmentVariable("FLOW_TEST_KILL_MARKER");
        var blobs = Environment.GetEnvironmentVariable("FLOW_TEST_BLOBS");
        if (string.IsNullOrEmpty(marker) || string.IsNullOrEmpty(blobs) || File.Exists(marker))
        {
            return;
        }

        File.WriteAllText(marker, "armed");
        var key = FlowSerializer.Serialize(value).Hash;
        var folder = Path.Combine(blobs, key[..2]);
        var pattern = $".{key}.*.tmp";
        var watcher = new Thread(() =>
        {
            while (!Directory.Exists(folder) || !Directory.EnumerateFiles(folder, pattern).Any())
            {
                Thread.Yield();
            }

            KillSelf();
        })
        { IsBackground = true };
        watcher.Start();
    }

    private static void KillSelf()
    {
        Process.GetCurrentProcess().Kill();
        Thread.Sleep(Timeout.Infinite);
    }

    private static int Recurse(int depth) => Recurse(depth + 1) + 1;

    private static int Number(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var value) ? value : fallback;
}
