using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace Flow.Tests.Infrastructure;

/// <summary>
/// A real single-node Slurm cluster private to the test run: its own slurmctld and slurmd on free ports, with
/// everything (config, state, spool, logs, job output) in <see cref="Folder"/>. Nothing in <c>/etc/slurm</c> is
/// read or written; every Slurm command and every process that calls Slurm gets <see cref="Environment"/>
/// (<c>SLURM_CONF</c>). <see cref="Shared"/> is started on first use and stopped after the last test;
/// <see cref="StartNew"/> starts one for a test alone. (Stopped by <c>Flow.Tests.Slurm.SlurmSetUp</c> after the tests
/// of that namespace, and at process exit at the latest.) Without Slurm the tests fail under <c>CI=true</c> and are
/// ignored elsewhere, both with a message saying what to install.
/// </summary>
/// <remarks>
/// Measured on a 2-core machine: slurmctld and slurmd are up and the node idle within a second; a trivial job
/// goes from <c>sbatch</c> to COMPLETED in 0.1–1.5 s. Slurm's default <c>batch_sched_delay=3</c> held every job
/// after the first PENDING for about 3 s; <c>batch_sched_delay=0,sched_min_interval=0</c> removes that.
/// That delay was the whole wait, so <c>SlurmdTimeout</c>, <c>MessageTimeout</c> and the like are left at their defaults. Time limits are whole
/// minutes and checked about every 30 s, so <c>--time=0:01</c> (one second, rounded up to a minute) ends as
/// TIMEOUT 60–90 s after the start. Memory is not confined (no cgroups here): <c>jobacct_gather/linux</c> with
/// <c>OverMemoryKill</c> polls each second and SIGKILLs a job over its <c>--mem</c>, which then ends FAILED
/// (ExitCode=0:9), not OUT_OF_MEMORY as under cgroups. A job's TRES names cpu and mem only: gres/gpu in it needs
/// <c>AccountingStorageTRES=gres/gpu</c>, which slurmctld refuses to start with without slurmdbd; the GPU request shows
/// as <c>TresPerNode=gres:gpu:1</c>.
/// </remarks>
public sealed partial class SlurmCluster : IDisposable
{
    /// <summary>How to get Slurm on a Debian or Ubuntu machine.</summary>
    public const string Install = "apt-get install -y slurm-wlm munge";

    /// <summary>The states in which a job has ended (as <c>scontrol show job</c> writes JobState).</summary>
    public static readonly IReadOnlyList<string> EndStates =
        ["COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL", "PREEMPTED", "BOOT_FAIL", "DEADLINE"];

    private const string Slurmctld = "/usr/sbin/slurmctld";
    private const string Slurmd = "/usr/sbin/slurmd";
    private const string Munged = "/usr/sbin/munged";
    private const string MungePidFile = "/run/munge/munged.pid";
    private const string NodeName = "localhost";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(1);
    private static readonly object Gate = new();
    private static readonly List<SlurmCluster> Live = [];
    private static SlurmCluster? _shared;
    private static string? _sharedFailure;
    private static int? _mungedStartedByUs;
    private static bool _exitHooked;

    private readonly Dictionary<string, string> _environment;
    private (int Cpus, int MemoryMb)? _node;
    private bool _disposed;

    private SlurmCluster(string folder)
    {
        Folder = folder;
        ConfigPath = Path.Combine(folder, "slurm.conf");
        _environment = new Dictionary<string, string>(StringComparer.Ordinal) { ["SLURM_CONF"] = ConfigPath };
    }

    /// <summary>The cluster every test may share, started on first use and stopped after the last test.</summary>
    public static SlurmCluster Shared
    {
        get
        {
            RequireSlurm();
            lock (Gate)
            {
                if (_sharedFailure is not null)
                {
                    Assert.Fail($"The shared Slurm cluster did not start (an earlier test tried):\n{_sharedFailure}");
                }

                if (_shared is null)
                {
                    try
                    {
                        _shared = Start();
                    }
                    catch (Exception e) when (e is AssertionException or InvalidOperationException or IOException)
                    {
                        _sharedFailure = e.Message;
                        throw;
                    }
                }

                return _shared;
            }
        }
    }

    /// <summary>The cluster's folder: slurm.conf, gres.conf, state, spool, pid files, logs.</summary>
    public string Folder { get; }

    /// <summary>Its slurm.conf, as <c>SLURM_CONF</c> names it.</summary>
    public string ConfigPath { get; }

    /// <summary>What a process needs to talk to this cluster (and no other): <c>SLURM_CONF</c>.</summary>
    public IReadOnlyDictionary<string, string> Environment => _environment;

    /// <summary>The node's CPUs: the processors this process may use (as <c>nproc</c> counts them).</summary>
    public int Cpus { get; private set; }

    /// <summary>The node's RealMemory in MB: MemTotal less 1024.</summary>
    public int MemoryMb { get; private set; }

    /// <summary>The node's GPUs: one fake one (<c>Gres=gpu:1</c>, <c>File=/dev/null</c>).</summary>
    public int Gpus => 1;

    /// <summary>The default partition.</summary>
    public string Partition => "main";

    /// <summary>A second partition on the same node, for jobs that name one (<c>--partition</c>).</summary>
    public string OtherPartition => "other";

    public int ControllerPort { get; private set; }

    public int NodePort { get; private set; }

    public string ControllerLog => Path.Combine(Folder, "slurmctld.log");

    public string NodeLog => Path.Combine(Folder, "slurmd.log");

    /// <summary>A cluster for the calling test alone; dispose it (stopped at the end of the run at the latest).</summary>
    public static SlurmCluster StartNew()
    {
        RequireSlurm();
        return Start();
    }

    /// <summary>
    /// A cluster for the calling test alone whose node claims <paramref name="cpus"/> CPUs and <paramref name="memoryMb"/>
    /// MB (Slurm's <c>SlurmdParameters=config_overrides</c>), more than this machine has: for flows that ask for a
    /// cluster's node, not a laptop. Jobs still run on this machine's cores.
    /// </summary>
    public static SlurmCluster StartLarge(int cpus, int memoryMb)
    {
        RequireSlurm();
        return Start((cpus, memoryMb));
    }

    /// <summary>Ignores the calling test when Slurm or munge is missing, except under CI, where it fails.</summary>
    public static void RequireSlurm()
    {
        var missing = new[] { Slurmctld, Slurmd, Munged }.Where(p => !File.Exists(p)).ToList();
        if (FindOnPath("sbatch") is null)
        {
            missing.Add("sbatch");
        }

        if (missing.Count > 0)
        {
            Ci.Missing($"The Slurm tests start a private Slurm cluster, but {string.Join(", ", missing)} is missing: {Install} (Slurm 22.05 or later, with munge).");
        }

        if (!IsRoot())
        {
            Ci.Missing($"The Slurm tests start slurmctld, slurmd and munged, which needs root; run the tests as root (Slurm itself: {Install}).");
        }
    }

    /// <summary>Stops every cluster still running, the shared one too; called after the last test.</summary>
    public static void StopAll()
    {
        List<SlurmCluster> live;
        lock (Gate)
        {
            live = [.. Live];
            _shared = null;
            _sharedFailure = null;
        }

        foreach (var cluster in live)
        {
            cluster.Dispose();
        }
    }

    /// <summary>Runs a Slurm command (<c>sbatch</c>, <c>squeue</c>, <c>scontrol</c>, <c>scancel</c>, <c>sinfo</c>) against this cluster, in <see cref="Folder"/>.</summary>
    public ProcessResult Run(string tool, params string[] args)
    {
        using var process = TestProcess.Start(tool, args, Folder, _environment);
        return process.WaitForExit(CommandTimeout);
    }

    /// <summary><c>sbatch --parsable ARGS</c>: the job's id; fails the test when sbatch refuses the job.</summary>
    public string Submit(params string[] args)
    {
        var result = Run("sbatch", ["--parsable", .. args]);
        Assert.That(result.Code, Is.EqualTo(0), result.ToString());
        return result.Output.Trim().Split(';')[0];
    }

    /// <summary>
    /// <c>scontrol show job -o ID</c> as key=value pairs (JobState, Reason, ExitCode, NumCPUs, TRES, ...). For a
    /// job array's id the record of that id; <see cref="ShowJobs"/> has every task.
    /// </summary>
    public IReadOnlyDictionary<string, string> ShowJob(string jobId)
    {
        var records = ShowJobs(jobId);
        return records.FirstOrDefault(r => r.GetValueOrDefault("JobId") == jobId) ?? records[0];
    }

    /// <summary><c>scontrol show job -o ID</c>, one record a line: one for a job, one per task for a job array.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> ShowJobs(string jobId)
    {
        var result = Run("scontrol", "show", "job", "-o", jobId);
        var records = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => line.StartsWith("JobId=", StringComparison.Ordinal))
            .Select(ParseRecord)
            .ToList();
        if (result.Code != 0 || records.Count == 0)
        {
            Assert.Fail($"scontrol knows no job {jobId}:\n{result}");
        }

        return records;
    }

    /// <summary>Parses one line of <c>scontrol show ... -o</c>: <c>Key=value</c> pairs split at the spaces before the next key.</summary>
    public static IReadOnlyDictionary<string, string> ParseRecord(string line)
    {
        var record = new Dictionary<string, string>(StringComparer.Ordinal);
        var keys = KeyPattern().Matches(line);
        for (var i = 0; i < keys.Count; i++)
        {
            var start = keys[i].Index + keys[i].Length;
            var end = i + 1 < keys.Count ? keys[i + 1].Index : line.Length;
            record[keys[i].Groups[1].Value] = line[start..end].Trim();
        }

        return record;
    }

    /// <summary>
    /// Waits until every record of <paramref name="jobId"/> (each task of an array) is in one of
    /// <paramref name="states"/>, and returns <see cref="ShowJob"/>; fails with the job and the logs' tails if not in time.
    /// </summary>
    public IReadOnlyDictionary<string, string> WaitForJob(string jobId, IEnumerable<string> states, TimeSpan timeout)
    {
        var wanted = states.ToHashSet(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var records = ShowJobs(jobId);
            if (records.All(r => wanted.Contains(r.GetValueOrDefault("JobState") ?? "")))
            {
                return records.FirstOrDefault(r => r.GetValueOrDefault("JobId") == jobId) ?? records[0];
            }

            if (clock.Elapsed > timeout)
            {
                var seen = string.Join("\n", records.Select(r => $"JobId={r.GetValueOrDefault("JobId")} JobState={r.GetValueOrDefault("JobState")} Reason={r.GetValueOrDefault("Reason")}"));
                Assert.Fail($"Job {jobId} is not {string.Join(" or ", wanted)} after {clock.Elapsed.TotalSeconds:0} s:\n{seen}\n{Logs()}");
            }

            Thread.Sleep(100);
        }
    }

    /// <summary>Waits until the job (every task of an array) has ended, whichever way (<see cref="EndStates"/>).</summary>
    public IReadOnlyDictionary<string, string> WaitForEnd(string jobId, TimeSpan? timeout = null) =>
        WaitForJob(jobId, EndStates, timeout ?? TestProcess.Patience);

    /// <summary>
    /// The ids (as squeue writes them: <c>12</c>, <c>12_3</c>, <c>12_[4-9%3]</c>) of the jobs whose name is or starts
    /// with <paramref name="nameOrPrefix"/> that have not ended (pending, running, completing, suspended), for
    /// "no job left behind" checks; with <paramref name="includeEnded"/> the ended ones the controller still keeps too.
    /// </summary>
    public IReadOnlyList<string> JobsOf(string nameOrPrefix, bool includeEnded = false)
    {
        string[] args = includeEnded ? ["-h", "-t", "all", "-o", "%i|%T|%j"] : ["-h", "-o", "%i|%T|%j"];
        var result = Run("squeue", args);
        Assert.That(result.Code, Is.EqualTo(0), result.ToString());
        return result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('|', 3))
            .Where(f => f.Length == 3 && f[2].StartsWith(nameOrPrefix, StringComparison.Ordinal))
            .Select(f => f[0].Trim())
            .ToList();
    }

    /// <summary>The last lines of slurmctld.log and slurmd.log, for failure messages.</summary>
    public string Logs(int lines = 30) =>
        $"--- {ControllerLog} (tail) ---\n{Tail(ControllerLog, lines)}\n--- {NodeLog} (tail) ---\n{Tail(NodeLog, lines)}";

    /// <summary>Cancels the cluster's jobs, stops slurmd and slurmctld, kills what is left of its jobs, and deletes <see cref="Folder"/>.</summary>
    public void Dispose()
    {
        lock (Gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            Live.Remove(this);
            if (ReferenceEquals(_shared, this))
            {
                _shared = null;
            }
        }

        try
        {
            CancelAllJobs();
        }
        catch (Exception e) when (e is AssertionException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // The controller may be down already; what is left of the jobs is killed below.
        }

        StopDaemon(Path.Combine(Folder, "slurmd.pid"), "slurmd");
        StopDaemon(Path.Combine(Folder, "slurmctld.pid"), "slurmctld");
        KillJobProcesses();
        StopMungeIfLast();
        for (var attempt = 0; Directory.Exists(Folder); attempt++)
        {
            try
            {
                Directory.Delete(Folder, recursive: true);
            }
            catch (Exception e) when ((e is IOException or UnauthorizedAccessException) && attempt < 20)
            {
                Thread.Sleep(100);
            }
        }
    }

    private static SlurmCluster Start((int Cpus, int MemoryMb)? node = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"flow-slurm-{Guid.NewGuid().ToString("N")[..10]}");
        var cluster = new SlurmCluster(folder) { _node = node };
        lock (Gate)
        {
            if (!_exitHooked)
            {
                // Flow.Tests.Slurm's [SetUpFixture] stops the clusters after its last test; this covers tests elsewhere.
                AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAll();
                _exitHooked = true;
            }

            Live.Add(cluster);
        }

        try
        {
            cluster.Boot();
            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    private void Boot()
    {
        EnsureMunge();
        Directory.CreateDirectory(Path.Combine(Folder, "state"));
        Directory.CreateDirectory(Path.Combine(Folder, "slurmd"));
        Cpus = _node?.Cpus ?? System.Environment.ProcessorCount;
        MemoryMb = _node?.MemoryMb ?? MemTotalMb() - 1024;
        ControllerPort = FreePort();
        NodePort = FreePort();
        while (NodePort == ControllerPort)
        {
            NodePort = FreePort();
        }

        File.WriteAllText(ConfigPath, Config());
        File.WriteAllText(Path.Combine(Folder, "gres.conf"), "Name=gpu File=/dev/null\n");

        // Both daemonize: the command returns once the daemon is on its way.
        foreach (var (daemon, args) in new[] { (Slurmctld, new[] { "-f", ConfigPath }), (Slurmd, new[] { "-f", ConfigPath, "-N", NodeName }) })
        {
            var started = Run(daemon, args);
            if (started.Code != 0)
            {
                throw new InvalidOperationException($"{daemon} did not start:\n{started}\n{Logs()}");
            }
        }

        var clock = Stopwatch.StartNew();
        var state = "";
        while (state != "idle")
        {
            if (clock.Elapsed > StartTimeout)
            {
                throw new InvalidOperationException($"The Slurm node in {Folder} is not idle after {StartTimeout.TotalSeconds:0} s (sinfo says '{state}').\n{Logs()}");
            }

            var dead = new[] { "slurmctld", "slurmd" }.FirstOrDefault(d => ReadPid(Path.Combine(Folder, d + ".pid")) is { } pid && (!Directory.Exists($"/proc/{pid}") || IsZombie(pid)));
            if (dead is not null)
            {
                throw new InvalidOperationException($"{dead} of the Slurm cluster in {Folder} exited while starting.\n{Logs()}");
            }

            Thread.Sleep(100);
            var sinfo = Run("sinfo", "-h", "-N", "-p", Partition, "-o", "%T");
            state = sinfo.Code == 0 ? sinfo.Output.Trim() : sinfo.Error.Trim();
        }
    }

    private string Config() => string.Join('\n',
        "ClusterName=flow",
        $"SlurmctldHost={NodeName}",
        $"SlurmctldPort={ControllerPort}",
        $"SlurmdPort={NodePort}",
        "AuthType=auth/munge",
        "SlurmUser=root",
        $"StateSaveLocation={Folder}/state",
        $"SlurmdSpoolDir={Folder}/slurmd",
        $"SlurmctldPidFile={Folder}/slurmctld.pid",
        $"SlurmdPidFile={Folder}/slurmd.pid",
        $"SlurmctldLogFile={ControllerLog}",
        $"SlurmdLogFile={NodeLog}",
        "ProctrackType=proctrack/linuxproc",
        "TaskPlugin=task/none",
        // Polls each job's memory each second and kills one over its --mem (there are no cgroups to confine it).
        "JobAcctGatherType=jobacct_gather/linux",
        "JobAcctGatherFrequency=task=1",
        "JobAcctGatherParams=OverMemoryKill",
        "AccountingStorageType=accounting_storage/none",
        "JobCompType=jobcomp/filetxt",
        $"JobCompLoc={Folder}/jobcomp.log",
        "ReturnToService=2",
        "SchedulerType=sched/backfill",
        // Without these a job submitted within 3 s of the last scheduling pass waits PENDING for the next one.
        "SchedulerParameters=batch_sched_delay=0,sched_min_interval=0",
        "SelectType=select/cons_tres",
        "SelectTypeParameters=CR_Core_Memory",
        // Ended jobs stay visible to scontrol for an hour: without an accounting database there is no sacct.
        "MinJobAge=3600",
        "DefMemPerCPU=1024",
        "KillWait=2",
        "InactiveLimit=0",
        "MailProg=/bin/true",
        "MpiDefault=none",
        "GresTypes=gpu",
        _node is null ? "" : "SlurmdParameters=config_overrides",
        $"NodeName={NodeName} CPUs={Cpus} RealMemory={MemoryMb} Gres=gpu:{Gpus} State=UNKNOWN",
        $"PartitionName={Partition} Nodes=ALL Default=YES MaxTime=INFINITE State=UP",
        $"PartitionName={OtherPartition} Nodes=ALL Default=NO MaxTime=INFINITE State=UP",
        "");

    private void CancelAllJobs()
    {
        if (!File.Exists(Path.Combine(Folder, "slurmctld.pid")))
        {
            return;
        }

        Run("scancel", "--user=root");
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            var squeue = Run("squeue", "-h", "-t", "running,completing,configuring,suspended", "-o", "%i");
            if (squeue.Code != 0 || squeue.Output.Trim().Length == 0)
            {
                return;
            }

            Thread.Sleep(100);
        }
    }

    private void StopDaemon(string pidFile, string name)
    {
        if (ReadPid(pidFile) is not { } pid || !CommandLine(pid).Contains(name, StringComparison.Ordinal))
        {
            return;
        }

        Signal(pid, "TERM");
        var clock = Stopwatch.StartNew();
        while (Directory.Exists($"/proc/{pid}") && !IsZombie(pid))
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(10))
            {
                Signal(pid, "KILL");
                break;
            }

            Thread.Sleep(50);
        }
    }

    /// <summary>
    /// Kills with their children the slurmstepd processes of this cluster (they write to its slurmd.log) and
    /// the job processes that left them (their SLURM_CONF is this cluster's and they have a SLURM_JOB_ID).
    /// </summary>
    private void KillJobProcesses()
    {
        var self = System.Environment.ProcessId;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == self)
            {
                continue;
            }

            try
            {
                var comm = File.ReadAllText(Path.Combine(dir, "comm")).Trim();
                var ours = comm == "slurmstepd"
                    ? Directory.EnumerateFileSystemEntries(Path.Combine(dir, "fd")).Any(fd => (new FileInfo(fd).LinkTarget ?? "").StartsWith(Folder + "/", StringComparison.Ordinal))
                    : File.ReadAllText(Path.Combine(dir, "environ")).Split('\0') is var environ
                      && environ.Contains("SLURM_CONF=" + ConfigPath) && environ.Any(v => v.StartsWith("SLURM_JOB_ID=", StringComparison.Ordinal));
                if (ours)
                {
                    using var process = Process.GetProcessById(pid);
                    process.Kill(entireProcessTree: true);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Gone meanwhile, or not ours to read.
            }
        }
    }

    private static void EnsureMunge()
    {
        lock (Gate)
        {
            if (ReadPid(MungePidFile) is { } pid && CommandLine(pid).Contains("munged", StringComparison.Ordinal) && !IsZombie(pid))
            {
                return;
            }

            foreach (var dir in new[] { "/run/munge", "/var/log/munge", "/var/lib/munge" })
            {
                Directory.CreateDirectory(dir);
                Check(Command("chown", "munge:munge", dir));
            }

            if (!File.Exists("/etc/munge/munge.key"))
            {
                Check(Command("mungekey", "--create", "--keyfile=/etc/munge/munge.key"));
                Check(Command("chown", "munge:munge", "/etc/munge/munge.key"));
                Check(Command("chmod", "600", "/etc/munge/munge.key"));
            }

            Check(Command("runuser", "-u", "munge", "--", Munged));
            var clock = Stopwatch.StartNew();
            while (ReadPid(MungePidFile) is null)
            {
                if (clock.Elapsed > TimeSpan.FromSeconds(10))
                {
                    throw new InvalidOperationException($"munged started but wrote no {MungePidFile}; see /var/log/munge/munged.log.");
                }

                Thread.Sleep(50);
            }

            _mungedStartedByUs = ReadPid(MungePidFile);
        }
    }

    private static void StopMungeIfLast()
    {
        lock (Gate)
        {
            if (Live.Count > 0 || _mungedStartedByUs is not { } pid)
            {
                return;
            }

            _mungedStartedByUs = null;
            if (CommandLine(pid).Contains("munged", StringComparison.Ordinal))
            {
                Signal(pid, "TERM");
            }
        }
    }

    private static ProcessResult Command(string program, params string[] args)
    {
        using var process = TestProcess.Start(program, args, Path.GetTempPath());
        return process.WaitForExit(CommandTimeout);
    }

    private static void Check(ProcessResult result)
    {
        if (result.Code != 0)
        {
            throw new InvalidOperationException($"Could not start munge:\n{result}");
        }
    }

    private static void Signal(int pid, string signal) => Command("kill", "-" + signal, pid.ToString(CultureInfo.InvariantCulture));

    private static int? ReadPid(string pidFile)
    {
        try
        {
            return int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    private static bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    private static bool IsRoot()
    {
        try
        {
            var uid = File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            return uid.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] == "0";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return false;
        }
    }

    private static int MemTotalMb()
    {
        var line = File.ReadAllLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        var kb = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return (int)(kb / 1024);
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static string? FindOnPath(string name) =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    private static string Tail(string path, int lines)
    {
        try
        {
            var all = File.ReadAllLines(path, Encoding.UTF8);
            return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"({e.Message})";
        }
    }

    [GeneratedRegex(@"(?:^| )([A-Za-z][A-Za-z0-9_/:]*)=")]
    private static partial Regex KeyPattern();
}
