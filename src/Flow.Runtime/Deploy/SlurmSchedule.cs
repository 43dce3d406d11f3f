using System.Globalization;
using Cronos;
using Flow.Datastore;
using Flow.Execution;
using Flow.Slurm;

namespace Flow.Deploy;

/// <summary>
/// A flow's schedule on Slurm, without a cron service of its own: one pending job per deployed branch, named
/// <c>flow-FLOW-BRANCH-schedule</c>, that begins at the next time of the flow's [Schedule] (<c>sbatch --begin</c>).
/// When it runs, it first submits the job for the time after (so a failed run never stops the schedule), then starts a
/// production run as <c>run --with slurm</c> does. Deploying again replaces the pending job; removing cancels it.
/// </summary>
internal static class SlurmSchedule
{
    /// <summary>The name of a branch's schedule job.</summary>
    public static string JobName(string flow, string branch) => $"flow-{flow}-{branch}-schedule";

    /// <summary>The next time of <paramref name="cron"/> after <paramref name="now"/>, in UTC.</summary>
    public static DateTimeOffset Next(string cron, DateTimeOffset now) =>
        CronExpression.Parse(cron).GetNextOccurrence(now, TimeZoneInfo.Utc)
        ?? throw new FlowException($"The schedule '{cron}' has no time after {now:u}.");

    /// <summary>
    /// The sbatch arguments of the schedule job that begins at the next time after <paramref name="now"/>; its runs store
    /// cards of every step when <paramref name="card"/> is set (<c>--with card</c>).
    /// </summary>
    public static List<string> Submission(string flow, string branch, string cron, DateTimeOffset now, WorkerCommand program, DatastoreConfig store, SlurmSettings settings, string? with, bool card = false)
    {
        // Relative to now: Slurm reads an absolute --begin in the controller's time zone, which need not be UTC.
        var wait = Math.Max(1, (long)Math.Ceiling((Next(cron, now) - now).TotalSeconds));
        var tick = SlurmCommands.CommandLine(program, ["schedule-tick", "--branch", branch, "--with", with ?? "slurm", .. (card ? (string[])["--with", "card"] : []),
            "--datastore", store.Kind == DatastoreKind.S3 ? "s3" : "local", "--datastore-root", store.Root]);

        List<string> arguments =
        [
            "--parsable",
            $"--job-name={JobName(flow, branch)}",
            $"--begin=now+{wait.ToString(CultureInfo.InvariantCulture)}",
            $"--output={Path.Combine(SlurmLauncher.FolderRoot(store, settings), "schedule-%j.out")}",
        ];
        arguments.AddRange(settings.RunJobOptions());
        arguments.AddRange(["--wrap", tick]);
        return arguments;
    }

    /// <summary>Submits the schedule job; its id.</summary>
    public static async Task<string> SubmitAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var submitted = await SlurmCommands.RunAsync("sbatch", arguments, cancellationToken).ConfigureAwait(false);
        return submitted.ExitCode == 0
            ? submitted.Output.Trim().Split(';')[0]
            : throw new FlowException($"Slurm refused the schedule's job: {submitted.Message}");
    }

    /// <summary>Cancels the branch's pending schedule jobs; how many there were.</summary>
    public static async Task<int> CancelAsync(string flow, string branch, CancellationToken cancellationToken)
    {
        var pending = await PendingAsync(flow, branch, cancellationToken).ConfigureAwait(false);
        if (pending.Count > 0)
        {
            var cancelled = await SlurmCommands.RunAsync("scancel", pending, cancellationToken).ConfigureAwait(false);
            if (cancelled.ExitCode != 0)
            {
                throw new FlowException($"scancel {string.Join(" ", pending)} failed: {cancelled.Message}");
            }
        }

        return pending.Count;
    }

    /// <summary>The ids of the branch's schedule jobs that have not begun.</summary>
    public static async Task<List<string>> PendingAsync(string flow, string branch, CancellationToken cancellationToken)
    {
        var queue = await SlurmCommands.RunAsync("squeue", ["-h", "-t", "PENDING", "-o", "%i", "--name", JobName(flow, branch)], cancellationToken).ConfigureAwait(false);
        return queue.ExitCode == 0
            ? queue.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList()
            : throw new FlowException($"squeue failed: {queue.Message}");
    }
}
