using System.Text.Json;
using Flow.Datastore;

namespace Flow.Slurm;

/// <summary>
/// Where a run's Slurm jobs go and how: the run-wide defaults that a step's <see cref="SlurmAttribute"/> overrides.
/// Each value comes from the first place that sets it:
/// <list type="number">
/// <item>the command line: <c>--with slurm:partition=gpu,account=ml,qos=high,constraint=a100</c>;</item>
/// <item>the environment: <c>FLOW_SLURM_PARTITION</c>, <c>FLOW_SLURM_ACCOUNT</c>, <c>FLOW_SLURM_QOS</c>,
/// <c>FLOW_SLURM_CONSTRAINT</c>, <c>FLOW_SLURM_ARGUMENTS</c> (further sbatch options, separated by spaces) and
/// <c>FLOW_SLURM_FOLDER</c>;</item>
/// <item>the same keys in the user's config file (see <see cref="DatastoreConfig.ConfigFilePath"/>).</item>
/// </list>
/// </summary>
public sealed record SlurmSettings
{
    /// <summary>The variable (and config file key) of the partition.</summary>
    public const string PartitionVariable = "FLOW_SLURM_PARTITION";

    /// <summary>The variable (and config file key) of the account.</summary>
    public const string AccountVariable = "FLOW_SLURM_ACCOUNT";

    /// <summary>The variable (and config file key) of the quality of service.</summary>
    public const string QosVariable = "FLOW_SLURM_QOS";

    /// <summary>The variable (and config file key) of the node features.</summary>
    public const string ConstraintVariable = "FLOW_SLURM_CONSTRAINT";

    /// <summary>The variable (and config file key) of further sbatch options, separated by spaces.</summary>
    public const string ArgumentsVariable = "FLOW_SLURM_ARGUMENTS";

    /// <summary>The variable (and config file key) of the folder for job scripts and Slurm's own output.</summary>
    public const string FolderVariable = "FLOW_SLURM_FOLDER";

    /// <summary>Whether every step runs on Slurm (<c>--with slurm</c>), not only those marked <see cref="SlurmAttribute"/>.</summary>
    public bool AllSteps { get; init; }

    /// <summary>The partition (<c>--partition</c>); null: the cluster's default.</summary>
    public string? Partition { get; init; }

    /// <summary>The account (<c>--account</c>).</summary>
    public string? Account { get; init; }

    /// <summary>
    /// The sbatch options of the jobs that start or schedule runs (a production run's job, the schedule's job), as
    /// opposed to a step's tasks: where they may run and which account pays, the partition and the account. A QOS and
    /// constraints (GPUs, node features) are for the tasks that need them.
    /// </summary>
    public IEnumerable<string> RunJobOptions()
    {
        if (Partition is { } partition)
        {
            yield return $"--partition={partition}";
        }

        if (Account is { } account)
        {
            yield return $"--account={account}";
        }
    }

    /// <summary>The quality of service (<c>--qos</c>).</summary>
    public string? Qos { get; init; }

    /// <summary>Node features (<c>--constraint</c>).</summary>
    public string? Constraint { get; init; }

    /// <summary>Further sbatch options, each whole (<c>--exclusive</c>, <c>--nice=10</c>).</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>
    /// A folder that the cluster's nodes share with this machine, for job scripts and Slurm's own output (not the
    /// tasks' logs, which go to the datastore). Null: <c>.slurm</c> under a local datastore, else <c>.flow-slurm</c>
    /// in the working directory. The run's part of it is removed when the run ends.
    /// </summary>
    public string? Folder { get; init; }

    /// <summary>How often the jobs' states are read (default: four times a second).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Reads <c>--with</c>'s value (<c>slurm</c> or <c>slurm:key=value,...</c>) over the environment and the config file.
    /// Null <paramref name="with"/>: only steps marked [Slurm] go to the cluster, with the environment's and file's values.
    /// </summary>
    public static SlurmSettings Resolve(string? with, Func<string, string?> environment, string? configFile)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var given = ParseWith(with);
        var file = configFile is not null && File.Exists(configFile) ? ReadFile(configFile) : new Dictionary<string, string>(StringComparer.Ordinal);
        string? Value(string key, string variable) =>
            given.TryGetValue(key, out var value) ? value
            : environment(variable) is { Length: > 0 } set ? set
            : file.TryGetValue(variable, out var stored) && stored.Length > 0 ? stored
            : null;

        return new SlurmSettings
        {
            AllSteps = with is not null,
            Partition = Value("partition", PartitionVariable),
            Account = Value("account", AccountVariable),
            Qos = Value("qos", QosVariable),
            Constraint = Value("constraint", ConstraintVariable),
            Arguments = CheckArguments((Value("arguments", ArgumentsVariable) ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)),
            Folder = Value("folder", FolderVariable),
        };
    }

    /// <summary>The settings of this process: <paramref name="with"/> over its environment and config file.</summary>
    public static SlurmSettings Resolve(string? with = null) =>
        Resolve(with, Environment.GetEnvironmentVariable, DatastoreConfig.ConfigFilePath(Environment.GetEnvironmentVariable));

    private static readonly string[] Keys = ["partition", "account", "qos", "constraint", "arguments", "folder"];

    // The sbatch options Flow sets itself (as FLOW026 lists them for [Slurm]), and --clusters, with which squeue would
    // look for the run's jobs on another cluster than the one they went to.
    private static readonly string[] OptionsOfFlow =
    [
        "--array", "--job-name", "--output", "--error", "--parsable", "--wrap", "--export", "--chdir", "--cpus-per-task", "--mem",
        "--gres", "--time", "--partition", "--account", "--qos", "--constraint", "--requeue", "--no-requeue", "--clusters", "-M",
    ];

    private static string[] CheckArguments(string[] arguments)
    {
        foreach (var argument in arguments)
        {
            var option = argument.Split('=')[0];
            if (!argument.StartsWith('-') || OptionsOfFlow.Contains(option, StringComparer.Ordinal))
            {
                throw new FlowException($"The Slurm argument '{argument}' ({ArgumentsVariable} or --with slurm:arguments=...) is not allowed: give whole sbatch options, and not those Flow sets itself ({string.Join(", ", OptionsOfFlow)}); use [Resources], [Timeout] and the Slurm settings instead.");
            }
        }

        return arguments;
    }

    private static Dictionary<string, string> ParseWith(string? with)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (with is null)
        {
            return values;
        }

        var colon = with.IndexOf(':', StringComparison.Ordinal);
        var name = colon < 0 ? with : with[..colon];
        if (!string.Equals(name, "slurm", StringComparison.OrdinalIgnoreCase))
        {
            throw new FlowException($"--with {with}: '{name}' is not a compute backend; the one there is is 'slurm' (--with slurm, or --with slurm:partition=NAME,account=NAME), and --with card gives every step a card.");
        }

        if (colon < 0)
        {
            return values;
        }

        foreach (var pair in with[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? pair : pair[..equals].Trim().ToLowerInvariant();
            if (equals < 0 || !Keys.Contains(key) || pair[(equals + 1)..].Trim().Length == 0)
            {
                throw new FlowException($"--with {with}: '{pair}' is not a Slurm setting; write KEY=VALUE with KEY one of {string.Join(", ", Keys)}.");
            }

            values[key] = pair[(equals + 1)..].Trim();
        }

        return values;
    }

    private static Dictionary<string, string> ReadFile(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (property.Name.StartsWith("FLOW_SLURM_", StringComparison.Ordinal) && property.Value.ValueKind == JsonValueKind.String)
                    {
                        values[property.Name] = property.Value.GetString()!;
                    }
                }
            }

            return values;
        }
        catch (JsonException e)
        {
            throw new FlowException($"The config file {path} is not valid JSON: {e.Message}", e);
        }
    }
}
