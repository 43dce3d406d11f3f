namespace Flow;

/// <summary>Marks a method of a <see cref="FlowSpec"/> as a step of the flow.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class StepAttribute : Attribute
{
}

/// <summary>
/// Marks the step that fans out over the elements of an artifact: the step named in its <c>Next</c>
/// runs once per element and receives the element as its single parameter.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class ForeachAttribute : Attribute
{
    /// <summary>Creates the attribute for the artifact named <paramref name="artifact"/> (use <c>nameof</c>).</summary>
    public ForeachAttribute(string artifact) => Artifact = artifact;

    /// <summary>The name of the enumerable artifact whose elements are fanned out.</summary>
    public string Artifact { get; }
}

/// <summary>Marks a public read-write property as a run parameter, set from the command line and read-only in steps.</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class ParameterAttribute : Attribute
{
    /// <summary>The option name on the command line without dashes; defaults to the property name in kebab-case.</summary>
    public string? Name { get; set; }

    /// <summary>Help text shown by <c>run --help</c>.</summary>
    public string? Help { get; set; }

    /// <summary>Whether the run refuses to start without a value for this parameter.</summary>
    public bool Required { get; set; }
}

/// <summary>Resources a step's task needs: cores, GPUs and memory in megabytes.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class ResourcesAttribute : Attribute
{
    /// <summary>CPU cores (default 1).</summary>
    public int Cpu { get; set; } = 1;

    /// <summary>GPUs (default 0).</summary>
    public int Gpu { get; set; }

    /// <summary>Memory in megabytes (default 4096).</summary>
    public int Memory { get; set; } = 4096;
}

/// <summary>Retries a failing task.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class RetryAttribute : Attribute
{
    /// <summary>How many times a failed task is retried (default 3, at most 10).</summary>
    public int Times { get; set; } = 3;

    /// <summary>Seconds to wait before each retry (default 0).</summary>
    public int DelaySeconds { get; set; }
}

/// <summary>
/// Turns a failure of the step into an artifact: the flow goes on, and the artifact named here holds
/// the <see cref="StepError"/> (null when the step succeeded).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class CatchAttribute : Attribute
{
    /// <summary>Catches failures without storing them.</summary>
    public CatchAttribute()
    {
    }

    /// <summary>Catches failures and stores them in the artifact named <paramref name="artifact"/> (a <see cref="StepError"/>? property).</summary>
    public CatchAttribute(string artifact) => Artifact = artifact;

    /// <summary>The artifact that receives the error, if any.</summary>
    public string? Artifact { get; }
}

/// <summary>
/// Runs the step's tasks as jobs on a Slurm cluster, with the step's <see cref="ResourcesAttribute"/> as the job's
/// request, while the rest of the flow runs where <c>run</c> was started (<c>run --with slurm</c> sends every step).
/// The values here override those of <c>--with slurm</c>, <c>FLOW_SLURM_*</c> and the configuration file.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class SlurmAttribute : Attribute
{
    /// <summary>The partition to submit to (<c>--partition</c>); default: the cluster's default.</summary>
    public string? Partition { get; set; }

    /// <summary>The account to charge (<c>--account</c>).</summary>
    public string? Account { get; set; }

    /// <summary>The quality of service (<c>--qos</c>).</summary>
    public string? Qos { get; set; }

    /// <summary>Node features the job needs (<c>--constraint</c>).</summary>
    public string? Constraint { get; set; }

    /// <summary>Further <c>sbatch</c> arguments, each a whole option (<c>"--exclusive"</c>, <c>"--nice=10"</c>).</summary>
    public string[]? Arguments { get; set; }
}

/// <summary>Stops a task that runs longer than the sum of the given hours, minutes and seconds.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class TimeoutAttribute : Attribute
{
    /// <summary>Seconds.</summary>
    public int Seconds { get; set; }

    /// <summary>Minutes.</summary>
    public int Minutes { get; set; }

    /// <summary>Hours.</summary>
    public int Hours { get; set; }
}

/// <summary>Sets an environment variable for the step's task. Repeat the attribute for several variables.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class EnvironmentAttribute : Attribute
{
    /// <summary>Sets <paramref name="name"/> to <paramref name="value"/>.</summary>
    public EnvironmentAttribute(string name, string value)
    {
        Name = name;
        Value = value;
    }

    /// <summary>The variable's name.</summary>
    public string Name { get; }

    /// <summary>The variable's value.</summary>
    public string Value { get; }
}

/// <summary>
/// Puts the flow in a project: its runs carry the system tags <c>project:NAME</c> and <c>project_branch:BRANCH</c>
/// (<c>user.NAME</c> for a user's own runs), so that deployments of several branches of one project live side by side.
/// A name is lowercase letters, digits and underscores, starting with a letter, at most 40 characters.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class ProjectAttribute : Attribute
{
    /// <summary>Creates the attribute for the project <paramref name="name"/>.</summary>
    public ProjectAttribute(string name) => Name = name;

    /// <summary>The project's name.</summary>
    public string Name { get; }
}

/// <summary>When a deployed flow runs: a five-field cron expression (UTC), or one of the shortcuts.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class ScheduleAttribute : Attribute
{
    /// <summary>A cron expression: minute hour day-of-month month day-of-week.</summary>
    public string? Cron { get; set; }

    /// <summary>Every hour.</summary>
    public bool Hourly { get; set; }

    /// <summary>Every day at midnight UTC.</summary>
    public bool Daily { get; set; }

    /// <summary>Every Sunday at midnight UTC.</summary>
    public bool Weekly { get; set; }
}

/// <summary>
/// Gives the step's tasks a card: an HTML report stored with each attempt (see docs/cards.md). The default card shows the
/// task, the flow's graph, the artifacts and parameters, then what the step appends to <c>Current.Card</c>; a card with
/// another <see cref="Id"/> shows only what the step appends to <c>Current.Card["id"]</c>. Repeat for several cards.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class CardAttribute : Attribute
{
    /// <summary>The card's id: 1 to 100 letters, digits, <c>_</c> and <c>-</c> (default <c>default</c>).</summary>
    public string Id { get; set; } = "default";
}

/// <summary>
/// Skips the step when nothing it depends on changed: a task whose step code (the body and the flow's own methods it
/// calls, as compiled), whose inputs (the hashes of the artifacts and parameters it reads, its foreach element) and
/// whose <see cref="Version"/> and files match those of a successful task of an earlier run of the flow, in the same
/// namespace, is cloned from that task by reference instead of run. The files are the scripts the step runs with a
/// constant path (<c>Script.Run("fit.R", ...)</c> in the body or in the flow's methods it calls) and those named in
/// <see cref="Files"/>: their contents are part of the key. What the key cannot see (code of other assemblies, other
/// files, the clock, random numbers) is the reason for <see cref="Version"/>; <c>run --no-cache</c> runs everything.
/// See docs/cache.md.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class CacheAttribute : Attribute
{
    /// <summary>Part of the cache key: change it (<c>[Cache(Version = "2")]</c>) to run the step again after a change the key cannot see.</summary>
    public string? Version { get; set; }

    /// <summary>
    /// Further files whose contents are part of the cache key (<c>[Cache(Files = new[] { "data/lookup.csv" })]</c>): the
    /// files the step reads that the key cannot otherwise see, such as a script run through a helper of another class
    /// or with a path computed at run time. Each is found as <c>Script.Run</c> finds a script: as given when absolute,
    /// else under the working directory, else under the program's folder. A file that is not found fails the run before
    /// the task. Paths must be non-empty and distinct (FLOW026).
    /// </summary>
    public string[]? Files { get; set; }
}
