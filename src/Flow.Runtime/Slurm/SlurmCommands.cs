using System.Text;
using Flow.Execution;

namespace Flow.Slurm;


/// <summary>Runs Slurm's command-line tools (<c>sbatch</c>, <c>squeue</c>, <c>scancel</c>), which talk to the controller.</summary>
internal static class SlurmCommands
{
    /// <summary>Runs one of Slurm's commands and captures what it said.</summary>
    public static Task<CommandOutput> RunAsync(string tool, IEnumerable<string> arguments, CancellationToken cancellationToken) =>
        ExternalCommand.RunAsync(tool, arguments, "Steps run on Slurm from a machine where Slurm's commands (sbatch, squeue, scancel) are installed and configured.", cancellationToken);

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
