using System.Diagnostics;
using System.Text;

namespace Flow.Slurm;

/// <summary>The output of one Slurm command.</summary>
internal sealed record SlurmOutput(int ExitCode, string Output, string Error)
{
    public string Message => (Error.Trim().Length > 0 ? Error : Output).Trim();
}

/// <summary>Runs Slurm's command-line tools (<c>sbatch</c>, <c>squeue</c>, <c>scancel</c>), which talk to the controller.</summary>
internal static class SlurmCommands
{
    public static async Task<SlurmOutput> RunAsync(string tool, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new FlowException($"{tool} did not start.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new FlowException($"Cannot run {tool}: {e.Message}. Steps run on Slurm from a machine where Slurm's commands (sbatch, squeue, scancel) are installed and configured.", e);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
            try
            {
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            return new SlurmOutput(process.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
        }
    }

    /// <summary>The program followed by <paramref name="arguments"/>, each quoted for bash: a job script's or a <c>--wrap</c>'s command.</summary>
    public static string CommandLine(Execution.WorkerCommand program, IEnumerable<string> arguments) =>
        string.Join(" ", new[] { program.FileName }.Concat(program.Arguments).Concat(arguments).Select(Quote));

    /// <summary>A value quoted for bash: inside single quotes, each single quote closed, escaped and reopened.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>The states in which a job has ended, as squeue names them.</summary>
    public static bool IsFinished(string state) => state is "COMPLETED" or "FAILED" or "CANCELLED" or "TIMEOUT" or "OUT_OF_MEMORY"
        or "NODE_FAIL" or "PREEMPTED" or "BOOT_FAIL" or "DEADLINE" or "SPECIAL_EXIT" or "REVOKED";

    /// <summary>
    /// Reasons for which a pending job can never start as it is asked for: its own request is larger than what the
    /// partition or its QOS allows any one job, or names a feature, account or QOS that is not there. The job is
    /// cancelled and its task fails with the reason. Limits that clear as other jobs end (per user, per account, the
    /// partition's or nodes' state, reservations) are waited out, as Slurm itself does.
    /// </summary>
    public static bool NeverStarts(string reason) =>
        reason is "BadConstraints" or "PartitionConfig" or "PartitionNodeLimit" or "PartitionTimeLimit" or "InvalidAccount" or "InvalidQOS"
        || (reason.StartsWith("QOS", StringComparison.Ordinal) && reason.Contains("PerJob", StringComparison.Ordinal));

    /// <summary>The last lines of a file, for an error message; empty when it cannot be read.</summary>
    public static string Tail(string path, int lines = 5)
    {
        try
        {
            var all = File.ReadAllLines(path, Encoding.UTF8);
            return string.Join(" | ", all.Where(l => l.Trim().Length > 0).TakeLast(lines));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
