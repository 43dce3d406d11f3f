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

    /// <summary>A value quoted for bash: inside single quotes, each single quote closed, escaped and reopened.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>The states in which a job has ended, as squeue names them.</summary>
    public static bool IsFinished(string state) => state is "COMPLETED" or "FAILED" or "CANCELLED" or "TIMEOUT" or "OUT_OF_MEMORY"
        or "NODE_FAIL" or "PREEMPTED" or "BOOT_FAIL" or "DEADLINE" or "SPECIAL_EXIT" or "REVOKED";

    /// <summary>
    /// Reasons for which a pending job can never start on this cluster as it is (a request larger than any node, a
    /// partition or feature that is not there): the job is cancelled and its task fails with the reason.
    /// </summary>
    public static bool NeverStarts(string reason) =>
        reason is "BadConstraints" or "PartitionConfig" or "PartitionNodeLimit" or "PartitionTimeLimit" or "PartitionDown" or "PartitionInactive"
            or "InvalidAccount" or "InvalidQOS" or "QOSJobLimit" or "AssocMaxJobsLimit" or "Nodes_required_for_job_are_DOWN,_DRAINED_or_reserved_for_jobs_in_higher_priority_partitions"
        || reason.StartsWith("ReqNodeNotAvail", StringComparison.Ordinal) && reason.Contains("UnavailableNodes:", StringComparison.Ordinal) && !reason.EndsWith("UnavailableNodes:", StringComparison.Ordinal)
        || reason.Contains("MaxCpuPerJob", StringComparison.Ordinal) || reason.Contains("MaxMemPerJob", StringComparison.Ordinal) || reason.Contains("MaxTRES", StringComparison.Ordinal);

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
