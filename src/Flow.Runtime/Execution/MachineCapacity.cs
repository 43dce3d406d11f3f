using System.Diagnostics;
using System.Globalization;

namespace Flow.Execution;

/// <summary>
/// What this machine offers tasks: cores, memory and GPU indices. GPUs are detected from
/// <c>FLOW_GPUS</c> (a count such as <c>2</c>, a list such as <c>0,3</c>, or <c>none</c>), else
/// <c>nvidia-smi -L</c>, else the NVIDIA driver's <c>/proc</c> entries.
/// </summary>
public sealed record MachineCapacity(int Cpus, long MemoryMb, IReadOnlyList<int> Gpus)
{
    /// <summary>The capacity of this machine.</summary>
    public static MachineCapacity Detect() => new(
        Environment.ProcessorCount,
        GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024 * 1024),
        DetectGpus(Environment.GetEnvironmentVariable("FLOW_GPUS")));

    /// <summary>GPU indices from a <c>FLOW_GPUS</c> value, or from the machine when it is not set.</summary>
    public static IReadOnlyList<int> DetectGpus(string? setting)
    {
        if (setting is not null)
        {
            var text = setting.Trim();
            if (text.Length == 0 || text.Equals("none", StringComparison.OrdinalIgnoreCase))
            {
                return [];
            }

            if (!text.Contains(',', StringComparison.Ordinal) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            {
                return Enumerable.Range(0, count).ToList();
            }

            var indices = new List<int>();
            foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                indices.Add(int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                    ? index
                    : throw new FlowException($"FLOW_GPUS is '{setting}'; write a count (2), a list of GPU indices (0,3), or none."));
            }

            return indices.Distinct().ToList();
        }

        return FromNvidiaSmi() ?? FromDriver();
    }

    private static List<int>? FromNvidiaSmi()
    {
        // Most machines have no nvidia-smi: looking on the PATH first spares a failed process start (and its exception).
        if (!OnPath("nvidia-smi"))
        {
            return null;
        }

        try
        {
            var start = new ProcessStartInfo("nvidia-smi", "-L") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var process = Process.Start(start);
            if (process is null)
            {
                return null;
            }

            var output = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(10_000) || process.ExitCode != 0)
            {
                return null;
            }

            // Lines look like "GPU 0: NVIDIA H100 80GB HBM3 (UUID: ...)".
            return output.Split('\n')
                .Where(l => l.StartsWith("GPU ", StringComparison.Ordinal))
                .Select(l => int.Parse(l[4..l.IndexOf(':', StringComparison.Ordinal)], CultureInfo.InvariantCulture))
                .ToList();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(folder => File.Exists(Path.Combine(folder, program)) || (OperatingSystem.IsWindows() && File.Exists(Path.Combine(folder, program + ".exe"))));

    private static List<int> FromDriver()
    {
        const string folder = "/proc/driver/nvidia/gpus";
        return Directory.Exists(folder) ? Enumerable.Range(0, Directory.GetDirectories(folder).Length).ToList() : [];
    }
}
