using Flow.Graph;
using Flow.Slurm;
using NUnit.Framework;

namespace Flow.Tests.Runtime;

/// <summary>Where a run's Slurm settings come from, and how a step's request becomes sbatch options.</summary>
public class SlurmSettingsTests
{
    private static readonly Dictionary<string, string> NoVariables = new();

    private static SlurmSettings Resolve(string? with, IReadOnlyDictionary<string, string>? environment = null, string? file = null)
    {
        string? config = null;
        if (file is not null)
        {
            config = Path.GetTempFileName();
            File.WriteAllText(config, file);
        }

        try
        {
            return SlurmSettings.Resolve(with, name => (environment ?? NoVariables).GetValueOrDefault(name), config);
        }
        finally
        {
            if (config is not null)
            {
                File.Delete(config);
            }
        }
    }

    [Test]
    public void TheCommandLineComesFirstThenTheEnvironmentThenTheConfigFile()
    {
        var settings = Resolve(
            "slurm:partition=cli",
            new Dictionary<string, string> { ["FLOW_SLURM_PARTITION"] = "env", ["FLOW_SLURM_ACCOUNT"] = "env-account" },
            """{ "FLOW_SLURM_PARTITION": "file", "FLOW_SLURM_ACCOUNT": "file-account", "FLOW_SLURM_QOS": "file-qos", "FLOW_SLURM_ARGUMENTS": "--exclusive --nice=5" }""");
        Assert.That(settings.AllSteps, Is.True);
        Assert.That((settings.Partition, settings.Account, settings.Qos, settings.Constraint), Is.EqualTo(("cli", "env-account", "file-qos", (string?)null)));
        Assert.That(settings.Arguments, Is.EqualTo(new[] { "--exclusive", "--nice=5" }));
    }

    [Test]
    public void WithoutWithOnlyMarkedStepsGo()
    {
        Assert.That(Resolve(null).AllSteps, Is.False);
        Assert.That(Resolve("slurm").AllSteps, Is.True);
        Assert.That(Resolve("SLURM:Partition=x").Partition, Is.EqualTo("x"));
    }

    [TestCase("kubernetes", "'kubernetes' is not a compute backend")]
    [TestCase("slurm:partition", "'partition' is not a Slurm setting")]
    [TestCase("slurm:queue=x", "'queue=x' is not a Slurm setting")]
    [TestCase("slurm:partition=", "'partition=' is not a Slurm setting")]
    public void AWrongWithIsAClearError(string with, string message)
    {
        var e = Assert.Throws<FlowException>(() => Resolve(with));
        Assert.That(e!.Message, Does.Contain(message));
    }

    [TestCase("--array=0-3")]
    [TestCase("--requeue")]
    [TestCase("--clusters=other")]
    [TestCase("exclusive")]
    public void RunWideArgumentsThatFlowSetsOrThatAreNotOptionsAreRefused(string argument)
    {
        var e = Assert.Throws<FlowException>(() => Resolve("slurm", new Dictionary<string, string> { ["FLOW_SLURM_ARGUMENTS"] = "--exclusive " + argument }));
        Assert.That(e!.Message, Does.Contain($"'{argument}'"));
    }

    [TestCase("PartitionConfig", true)]
    [TestCase("BadConstraints", true)]
    [TestCase("PartitionTimeLimit", true)]
    [TestCase("InvalidQOS", true)]
    [TestCase("QOSMaxCpuPerJobLimit", true)]
    [TestCase("QOSMaxMemoryPerJob", true)]
    [TestCase("Resources", false)]
    [TestCase("Priority", false)]
    [TestCase("QOSJobLimit", false)]
    [TestCase("AssocMaxJobsLimit", false)]
    [TestCase("QOSMaxTRESPerUser", false)]
    [TestCase("PartitionDown", false)]
    [TestCase("ReqNodeNotAvail, UnavailableNodes:node3", false)]
    [TestCase("Nodes_required_for_job_are_DOWN,_DRAINED_or_reserved_for_jobs_in_higher_priority_partitions", false)]
    public void OnlyReasonsAboutTheJobsOwnRequestMeanItCanNeverStart(string reason, bool never) =>
        Assert.That(SlurmCommands.NeverStarts(reason), Is.EqualTo(never));

    [Test]
    public void ACorruptConfigFileIsAClearError()
    {
        var e = Assert.Throws<FlowException>(() => Resolve("slurm", null, "{ not json"));
        Assert.That(e!.Message, Does.Contain("is not valid JSON"));
    }

    [Test]
    public void AStepsRequestBecomesSbatchOptionsAndItsSlurmValuesOverrideTheRuns()
    {
        var step = new StepNode("Train", StepKind.Linear, TransitionKind.Linear, ["End"])
        {
            Resources = new ResourceRequest(16, 2, 64_000),
            Slurm = new SlurmOptions("gpu", null, null, "a100", ["--exclusive"]),
        };
        var settings = new SlurmSettings { Partition = "cpu", Account = "ml", Arguments = ["--nice=10"] };
        Assert.That(
            SlurmLauncher.Request(step, TimeSpan.FromSeconds(90), settings),
            Is.EqualTo(new[] { "--cpus-per-task=16", "--mem=64000", "--gres=gpu:2", "--time=3", "--partition=gpu", "--account=ml", "--constraint=a100", "--nice=10", "--exclusive" }));
        Assert.That(SlurmLauncher.Request(new StepNode("End", StepKind.End, TransitionKind.None, []), null, new SlurmSettings()), Is.Empty, "no request: the partition's defaults");
    }

    [Test]
    public void JobsThatStartOrScheduleRunsGetThePartitionAndTheAccountOnly()
    {
        var settings = new SlurmSettings { Partition = "cpu", Account = "ml", Qos = "high", Constraint = "a100", Arguments = ["--nice=10"] };
        Assert.That(settings.RunJobOptions(), Is.EqualTo(new[] { "--partition=cpu", "--account=ml" }));
        Assert.That(new SlurmSettings().RunJobOptions(), Is.Empty);
    }
}
