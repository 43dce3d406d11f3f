using System.Diagnostics;
using System.Globalization;
using NUnit.Framework;

namespace Flow.Tests.Slurm;

/// <summary>
/// The private Slurm cluster the Slurm backend's tests run on (<see cref="SlurmCluster"/>), and the states, reasons and
/// exit codes its jobs end with, as the backend will see them through <c>sbatch</c>, <c>scontrol</c> and <c>scancel</c>.
/// </summary>
[TestFixture]
public class SlurmClusterTests
{
    private static readonly TimeSpan Quick = TimeSpan.FromMinutes(1);

    private static SlurmCluster Cluster => SlurmCluster.Shared;

    /// <summary>A job name of this test's own, so that its jobs can be told from the others'.</summary>
    private static string JobName => $"{TestContext.CurrentContext.Test.MethodName}-{Guid.NewGuid().ToString("N")[..8]}";

    [Test]
    public void TrivialJobCompletesWithExitCodeZero()
    {
        var file = Path.Combine(Cluster.Folder, $"hi-{Guid.NewGuid():N}.txt");
        var clock = Stopwatch.StartNew();
        var id = Cluster.Submit("--wrap", $"echo hi > {file}");
        var job = Cluster.WaitForEnd(id, Quick);
        TestContext.Out.WriteLine($"sbatch to {job["JobState"]}: {clock.Elapsed.TotalSeconds:0.00} s");

        Assert.That(job["JobState"], Is.EqualTo("COMPLETED"), Describe(job));
        Assert.That(job["ExitCode"], Is.EqualTo("0:0"), Describe(job));
        Assert.That(job["Reason"], Is.EqualTo("None"), Describe(job));
        Assert.That(File.ReadAllText(file), Is.EqualTo("hi\n"));
    }

    [Test]
    public void JobExitingNonZeroIsFailedWithItsExitCode()
    {
        var id = Cluster.Submit("--wrap", "exit 3");
        var job = Cluster.WaitForEnd(id, Quick);

        Assert.That(job["JobState"], Is.EqualTo("FAILED"), Describe(job));
        Assert.That(job["Reason"], Is.EqualTo("NonZeroExitCode"), Describe(job));
        Assert.That(job["ExitCode"], Is.EqualTo("3:0"), Describe(job));
    }

    [Test]
    public void JobArrayRunsEveryTaskWithItsTaskId()
    {
        var folder = Directory.CreateDirectory(Path.Combine(Cluster.Folder, $"array-{Guid.NewGuid():N}")).FullName;
        var id = Cluster.Submit("--array=0-9%3", "-o", Path.Combine(folder, "%a.out"), "--wrap", $"echo $SLURM_ARRAY_TASK_ID > {folder}/task-$SLURM_ARRAY_TASK_ID.txt");
        Cluster.WaitForEnd(id, TimeSpan.FromMinutes(2));

        var tasks = Cluster.ShowJobs(id);
        Assert.That(tasks.Select(t => t["ArrayTaskId"]), Is.EquivalentTo(Enumerable.Range(0, 10).Select(i => i.ToString(CultureInfo.InvariantCulture))));
        Assert.That(tasks.Select(t => t["ArrayJobId"]).Distinct(), Is.EqualTo(new[] { id }));
        Assert.That(tasks.Select(t => t["JobState"]).Distinct(), Is.EqualTo(new[] { "COMPLETED" }));
        for (var i = 0; i < 10; i++)
        {
            Assert.That(File.ReadAllText(Path.Combine(folder, $"task-{i}.txt")), Is.EqualTo($"{i}\n"), $"task {i}");
        }
    }

    [Test]
    public void CpusMemoryAndGpuRequestsShowInTheJob()
    {
        Assume.That(Cluster.Cpus, Is.GreaterThanOrEqualTo(2), "The node has one CPU.");
        var id = Cluster.Submit("--cpus-per-task=2", "--mem=1500", "--gres=gpu:1", "--wrap", "echo CUDA_VISIBLE_DEVICES=$CUDA_VISIBLE_DEVICES");
        var job = Cluster.WaitForEnd(id, Quick);

        Assert.That(job["JobState"], Is.EqualTo("COMPLETED"), Describe(job));
        Assert.That(job["NumCPUs"], Is.EqualTo("2"), Describe(job));
        Assert.That(job["CPUs/Task"], Is.EqualTo("2"), Describe(job));
        Assert.That(job["TRES"].Split(','), Is.SupersetOf(new[] { "cpu=2", "mem=1500M" }), Describe(job));
        Assert.That(job["TresPerNode"], Is.EqualTo("gres:gpu:1"), Describe(job));
        Assert.That(File.ReadAllText(job["StdOut"]), Is.EqualTo("CUDA_VISIBLE_DEVICES=0\n"));
    }

    [Test]
    public void JobOnTheOtherPartitionRunsThere()
    {
        var id = Cluster.Submit("--partition", Cluster.OtherPartition, "--wrap", "true");
        var job = Cluster.WaitForEnd(id, Quick);

        Assert.That(job["Partition"], Is.EqualTo(Cluster.OtherPartition), Describe(job));
        Assert.That(job["JobState"], Is.EqualTo("COMPLETED"), Describe(job));
    }

    [Test]
    public void MoreCpusThanTheNodeHasPendsForPartitionConfig()
    {
        // sbatch accepts it (no EnforcePartLimits); the controller leaves it PENDING for good, with this reason.
        var name = JobName;
        var id = Cluster.Submit("--job-name", name, $"--cpus-per-task={Cluster.Cpus + 1}", "--wrap", "true");
        var job = WaitFor(id, j => j["Reason"] != "None", "a reason to pend");

        Assert.That(job["JobState"], Is.EqualTo("PENDING"), Describe(job));
        Assert.That(job["Reason"], Is.EqualTo("PartitionConfig"), Describe(job));
        Assert.That(Cluster.JobsOf(name), Is.EqualTo(new[] { id }));

        Assert.That(Cluster.Run("scancel", id).Code, Is.EqualTo(0));
        job = Cluster.WaitForEnd(id, Quick);
        Assert.That(job["JobState"], Is.EqualTo("CANCELLED"), Describe(job));
        Assert.That(Cluster.JobsOf(name), Is.Empty);
    }

    [Test]
    public void MoreMemoryOrGpusThanTheNodeHasAreRefusedBySbatch()
    {
        var memory = Cluster.Run("sbatch", "--parsable", $"--mem={Cluster.MemoryMb + 1}", "--wrap", "true");
        Assert.That(memory.Code, Is.EqualTo(1), memory.ToString());
        Assert.That(memory.Error, Does.Contain("sbatch: error: Memory specification can not be satisfied"), memory.ToString());
        Assert.That(memory.Error, Does.Contain("sbatch: error: Batch job submission failed: Requested node configuration is not available"), memory.ToString());

        var gpus = Cluster.Run("sbatch", "--parsable", $"--gres=gpu:{Cluster.Gpus + 1}", "--wrap", "true");
        Assert.That(gpus.Code, Is.EqualTo(1), gpus.ToString());
        Assert.That(gpus.Error.Trim(), Is.EqualTo("sbatch: error: Batch job submission failed: Requested node configuration is not available"), gpus.ToString());

        var partition = Cluster.Run("sbatch", "--parsable", "--partition=nosuch", "--wrap", "true");
        Assert.That(partition.Code, Is.EqualTo(1), partition.ToString());
        Assert.That(partition.Error, Does.Contain("sbatch: error: Batch job submission failed: Invalid partition name specified"), partition.ToString());
    }

    [Test]
    public void ScancelLeavesARunningJobCancelledAndItsProcessesGone()
    {
        var name = JobName;
        // A sleep no other process has: 300 s and a random fraction (sbatch --wrap runs /bin/sh, which has no exec -a).
        var marker = $"sleep 300.{Random.Shared.Next(100_000, 1_000_000)}";
        var id = Cluster.Submit("--job-name", name, "--wrap", marker);
        Cluster.WaitForJob(id, ["RUNNING"], Quick);
        WaitUntilRunning(marker);
        Assert.That(Cluster.JobsOf(name), Is.EqualTo(new[] { id }));

        Assert.That(Cluster.Run("scancel", id).Code, Is.EqualTo(0));
        var job = Cluster.WaitForEnd(id, Quick);

        Assert.That(job["JobState"], Is.EqualTo("CANCELLED"), Describe(job));
        // SIGTERM reaches the script's shell and its child together: the shell dies of it (0:15) or first sees its
        // child die of it and exits 143 (143:0). Only JobState tells a cancelled job.
        Assert.That(job["ExitCode"], Is.EqualTo("0:15").Or.EqualTo("143:0"), Describe(job));
        Assert.That(Cluster.JobsOf(name), Is.Empty);
        Assert.That(Cluster.JobsOf(name, includeEnded: true), Is.EqualTo(new[] { id }));
        Assert.That(Cluster.Run("pgrep", "-f", marker).Output, Is.Empty);
    }

    [Test]
    public void JobOverItsMemoryIsKilledAndFails()
    {
        // No cgroups: jobacct_gather/linux (OverMemoryKill) sees the job over --mem and kills it with SIGKILL.
        // python3 is there for the S3 tests (moto) too; it holds 600 MB, six times the job's --mem, for 30 s.
        var clock = Stopwatch.StartNew();
        var id = Cluster.Submit("--mem=100", "--wrap", "python3 -c 'import time; b = bytearray(600 * 1024 * 1024); time.sleep(30)'");
        var job = Cluster.WaitForEnd(id, Quick);
        TestContext.Out.WriteLine($"sbatch to {job["JobState"]}: {clock.Elapsed.TotalSeconds:0.0} s, Reason={job["Reason"]}");

        Assert.That(job["JobState"], Is.EqualTo("FAILED"), Describe(job));
        Assert.That(job["ExitCode"], Is.EqualTo("0:9"), Describe(job));
        Assert.That(File.ReadAllText(job["StdOut"]), Does.Contain("Exceeded job memory limit"), Describe(job));
    }

    [Test]
    public void JobPastItsTimeLimitEndsAsTimeout()
    {
        // --time=0:01 is one second, rounded up to a minute; the controller checks time limits about every 30 s.
        var clock = Stopwatch.StartNew();
        var id = Cluster.Submit("--time=0:01", "--wrap", "sleep 120");
        var job = Cluster.WaitForEnd(id, TimeSpan.FromSeconds(150));
        TestContext.Out.WriteLine($"sbatch to {job["JobState"]}: {clock.Elapsed.TotalSeconds:0} s");

        Assert.That(job["TimeLimit"], Is.EqualTo("00:01:00"), Describe(job));
        Assert.That(job["JobState"], Is.EqualTo("TIMEOUT"), Describe(job));
        Assert.That(job["Reason"], Is.EqualTo("TimeLimit"), Describe(job));
        Assert.That(job["ExitCode"], Is.EqualTo("0:15"), Describe(job));
        Assert.That(File.ReadAllText(job["StdOut"]), Does.Contain("CANCELLED AT").And.Contain("DUE TO TIME LIMIT"));
    }

    [Test]
    public void FreshClusterRunsBesideTheSharedOneAndLeavesNothingBehind()
    {
        var shared = Cluster;
        var name = JobName;
        var escaped = $"sleep 300.{Random.Shared.Next(100_000, 1_000_000)}";
        var stays = $"sleep 301.{Random.Shared.Next(100_000, 1_000_000)}";
        string folder;
        int[] daemons;
        using (var fresh = SlurmCluster.StartNew())
        {
            folder = fresh.Folder;
            Assert.That(fresh.ControllerPort, Is.Not.EqualTo(shared.ControllerPort));
            Assert.That(File.ReadAllText(fresh.ConfigPath), Does.Contain($"SlurmctldPort={fresh.ControllerPort}"));
            Assert.That(fresh.Environment["SLURM_CONF"], Is.EqualTo(fresh.ConfigPath));

            // A process that outlives its job (a new session, its parent gone) is lost to proctrack/linuxproc; Dispose
            // kills it, and the process of a job still running.
            var left = fresh.Submit("--wrap", $"setsid {escaped} < /dev/null > /dev/null 2>&1 &");
            Assert.That(fresh.WaitForEnd(left, Quick)["JobState"], Is.EqualTo("COMPLETED"));
            WaitUntilRunning(escaped);
            var id = fresh.Submit("--job-name", name, "--wrap", stays);
            fresh.WaitForJob(id, ["RUNNING"], Quick);
            WaitUntilRunning(stays);
            Assert.That(fresh.JobsOf(name), Is.EqualTo(new[] { id }));
            Assert.That(shared.JobsOf(name, includeEnded: true), Is.Empty);
            daemons = [.. new[] { "slurmctld.pid", "slurmd.pid" }.Select(f => int.Parse(File.ReadAllText(Path.Combine(fresh.Folder, f)).Trim(), CultureInfo.InvariantCulture))];
        }

        Assert.That(Directory.Exists(folder), Is.False);
        Assert.That(shared.Run("pgrep", "-f", escaped).Output, Is.Empty, "the process that left the job");
        Assert.That(shared.Run("pgrep", "-f", stays).Output, Is.Empty, "the job's process");
        foreach (var pid in daemons)
        {
            Assert.That(Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z", StringComparison.Ordinal), Is.False, $"pid {pid} still runs");
        }

        Assert.That(shared.Run("sinfo", "-h", "-N", "-p", shared.Partition, "-o", "%T").Output.Trim(), Is.EqualTo("idle").Or.EqualTo("mixed").Or.EqualTo("allocated"));
    }

    private static void WaitUntilRunning(string commandLine)
    {
        var clock = Stopwatch.StartNew();
        while (Cluster.Run("pgrep", "-f", commandLine).Code != 0)
        {
            Assert.That(clock.Elapsed, Is.LessThan(Quick), $"No process runs {commandLine}.");
            Thread.Sleep(100);
        }
    }

    private static IReadOnlyDictionary<string, string> WaitFor(string id, Func<IReadOnlyDictionary<string, string>, bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var job = Cluster.ShowJob(id);
            if (condition(job))
            {
                return job;
            }

            if (clock.Elapsed > Quick)
            {
                Assert.Fail($"Job {id} has no {what} after {clock.Elapsed.TotalSeconds:0} s: {Describe(job)}\n{Cluster.Logs()}");
            }

            Thread.Sleep(100);
        }
    }

    private static string Describe(IReadOnlyDictionary<string, string> job) => string.Join(' ', job.Select(p => $"{p.Key}={p.Value}"));
}
