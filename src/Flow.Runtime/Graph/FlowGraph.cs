namespace Flow.Graph;

/// <summary>What a step does when it finishes.</summary>
public enum TransitionKind
{
    /// <summary>No transition: the end step.</summary>
    None,

    /// <summary>One target: <c>Next(A)</c>.</summary>
    Linear,

    /// <summary>Static fan-out: <c>Next(A, B)</c>; every target runs.</summary>
    Split,

    /// <summary>One target that runs once per element of the foreach artifact.</summary>
    Foreach,

    /// <summary>Several <c>Next</c> calls on different paths; exactly one target runs.</summary>
    Conditional,
}

/// <summary>The role of a step in the graph.</summary>
public enum StepKind
{
    /// <summary>The start step with a linear transition.</summary>
    Start,

    /// <summary>A step with one target.</summary>
    Linear,

    /// <summary>A static fan-out.</summary>
    Split,

    /// <summary>A foreach fan-out.</summary>
    Foreach,

    /// <summary>A step that chooses one of several targets.</summary>
    Conditional,

    /// <summary>A step that takes the inputs of the branches of a split.</summary>
    Join,

    /// <summary>The end step.</summary>
    End,
}

/// <summary>The values of a step's <see cref="ResourcesAttribute"/>.</summary>
public sealed record ResourceRequest(int Cpu, int Gpu, int MemoryMb);

/// <summary>The values of a step's <see cref="RetryAttribute"/>.</summary>
public sealed record RetryPolicy(int Times, int DelaySeconds);

/// <summary>The values of a step's <see cref="CatchAttribute"/>.</summary>
public sealed record CatchPolicy(string? Artifact);

/// <summary>The values of a step's <see cref="SlurmAttribute"/>: where on the cluster its jobs go (null: the run's defaults).</summary>
public sealed record SlurmOptions(string? Partition, string? Account, string? Qos, string? Constraint, IReadOnlyList<string> Arguments);

/// <summary>
/// The values of a step's <see cref="CacheAttribute"/>: its version, part of the cache key ("" when none is given), and
/// the files whose contents are part of the key: its <see cref="CacheAttribute.Files"/>, then the scripts the step runs
/// with a constant path (<c>Script.Run("fit.R", ...)</c>), as the generator found them.
/// </summary>
public sealed record CachePolicy(string Version)
{
    /// <summary>Creates the policy of a step whose key covers <paramref name="files"/> too.</summary>
    public CachePolicy(string version, IReadOnlyList<string> files)
        : this(version) => Files = files;

    /// <summary>
    /// The files whose contents are part of the key, as written: each is found as <c>Script.Run</c> finds a script (as
    /// given when absolute, else under the working directory, else under the program's folder).
    /// </summary>
    public IReadOnlyList<string> Files { get; init; } = [];
}

/// <summary>One variable of a step's <see cref="EnvironmentAttribute"/>s.</summary>
public sealed record EnvironmentVariable(string Name, string Value);

/// <summary>One step of a flow's static graph.</summary>
public sealed record StepNode
{
    /// <summary>Creates a step node.</summary>
    public StepNode(string name, StepKind kind, TransitionKind transition, IReadOnlyList<string> next)
    {
        Name = name;
        Kind = kind;
        Transition = transition;
        Next = next;
    }

    /// <summary>The step's name (its method name).</summary>
    public string Name { get; }

    /// <summary>The step's role.</summary>
    public StepKind Kind { get; }

    /// <summary>How the step continues.</summary>
    public TransitionKind Transition { get; }

    /// <summary>The targets of the step's <c>Next</c> calls, in source order.</summary>
    public IReadOnlyList<string> Next { get; }

    /// <summary>Whether the step takes <see cref="JoinInputs{TFlow}"/>.</summary>
    public bool IsJoin { get; init; }

    /// <summary>
    /// Whether the step is a loop: a conditional step that names itself as a target. Each time it chooses itself it
    /// runs again, as a new task (the next iteration) that starts from the previous one's artifacts.
    /// </summary>
    public bool IsLoop => Transition == TransitionKind.Conditional && !IsJoin && Next.Contains(Name, StringComparer.Ordinal);

    /// <summary>The targets that lead on through the graph: <see cref="Next"/> without a loop's edge back to itself.</summary>
    public IEnumerable<string> Onward => IsLoop ? Next.Where(n => !string.Equals(n, Name, StringComparison.Ordinal)) : Next;

    /// <summary>For a foreach step: the artifact whose elements fan out.</summary>
    public string? ForeachArtifact { get; init; }

    /// <summary>For a foreach step: the element type, as C# writes it.</summary>
    public string? ForeachElementType { get; init; }

    /// <summary>For a split or foreach step: the join that closes it.</summary>
    public string? MatchingJoin { get; init; }

    /// <summary>For the child of a foreach: the type of its item parameter.</summary>
    public string? ItemType { get; init; }

    /// <summary>The step's resource request, if it has one.</summary>
    public ResourceRequest? Resources { get; init; }

    /// <summary>The step's retry policy, if it has one.</summary>
    public RetryPolicy? Retry { get; init; }

    /// <summary>The step's catch policy, if it has one.</summary>
    public CatchPolicy? Catch { get; init; }

    /// <summary>The step's timeout, if it has one.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>For a step marked <see cref="SlurmAttribute"/>: its options; its tasks run as Slurm jobs.</summary>
    public SlurmOptions? Slurm { get; init; }

    /// <summary>Environment variables set for the step's tasks.</summary>
    public IReadOnlyList<EnvironmentVariable> Environment { get; init; } = [];

    /// <summary>The artifacts the step's body assigns: a task persists them even when they hold their default value.</summary>
    public IReadOnlyList<string> Writes { get; init; } = [];

    /// <summary>
    /// The artifacts the step's body names, when they are all it can touch: a task restores only these (and the
    /// foreach artifact of its step) and keeps the others as stored. Null: the body may reach any artifact (it
    /// calls a method or uses a field of the flow, passes <c>this</c> on, merges join inputs), so all are restored.
    /// </summary>
    public IReadOnlyList<string>? Uses { get; init; }

    /// <summary>The ids of the step's cards (<see cref="CardAttribute"/>), in source order; empty when it has none.</summary>
    public IReadOnlyList<string> Cards { get; init; } = [];

    /// <summary>For a step marked <see cref="CacheAttribute"/>: its version and files; its tasks are cloned from an earlier run's when nothing changed.</summary>
    public CachePolicy? Cache { get; init; }

    /// <summary>
    /// For a cached step: a fingerprint of its code, computed at build time (SHA-256, hex) from the normalized syntax of
    /// the step's parameters and body and of the members of the flow class it uses, transitively (steps excepted).
    /// </summary>
    public string? CodeHash { get; init; }
}

/// <summary>An artifact of a flow: a public read-write property.</summary>
public sealed record ArtifactInfo(string Name, string Type, bool IsParameter);

/// <summary>A run parameter: an artifact set from the command line.</summary>
public sealed record ParameterInfo(string Name, string OptionName, string Type, string? Help, bool Required);

/// <summary>The static graph of a flow, written by the source generator from the flow class.</summary>
public sealed class FlowGraph
{
    // A plain dictionary: a frozen one costs every process (scheduler and workers) loading another assembly and analysing its keys at start.
    private readonly Dictionary<string, StepNode> _byName;

    /// <summary>Creates the graph; the generator calls this with a graph it has already checked.</summary>
    public FlowGraph(
        string name,
        string typeName,
        IReadOnlyList<StepNode> steps,
        IReadOnlyList<ArtifactInfo> artifacts,
        IReadOnlyList<ParameterInfo> parameters,
        string? schedule = null)
    {
        Name = name;
        TypeName = typeName;
        Steps = steps;
        Artifacts = artifacts;
        Parameters = parameters;
        Schedule = schedule;
        _byName = new Dictionary<string, StepNode>(steps.Count, StringComparer.Ordinal);
        foreach (var step in steps)
        {
            _byName.Add(step.Name, step);
        }
    }

    /// <summary>The flow's name (its class name).</summary>
    public string Name { get; }

    /// <summary>The flow's fully qualified type name.</summary>
    public string TypeName { get; }

    /// <summary>Every step, in declaration order.</summary>
    public IReadOnlyList<StepNode> Steps { get; }

    /// <summary>Every artifact, parameters included.</summary>
    public IReadOnlyList<ArtifactInfo> Artifacts { get; }

    /// <summary>The run parameters.</summary>
    public IReadOnlyList<ParameterInfo> Parameters { get; }

    /// <summary>The cron expression of the flow's <see cref="ScheduleAttribute"/>, if any.</summary>
    public string? Schedule { get; }

    /// <summary>The name of the flow's <see cref="ProjectAttribute"/>, if any.</summary>
    public string? Project { get; init; }

    /// <summary>The start step.</summary>
    public StepNode Start => _byName["Start"];

    /// <summary>Finds a step by its exact name.</summary>
    public bool TryGetStep(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out StepNode? step) =>
        _byName.TryGetValue(name, out step);

    /// <summary>Gets a step by name, or throws a <see cref="FlowException"/> naming the steps that exist.</summary>
    public StepNode this[string name] =>
        _byName.TryGetValue(name, out var step)
            ? step
            : throw new FlowException($"Flow {Name} has no step '{name}'. Its steps are: {string.Join(", ", Steps.Select(s => s.Name))}.");

    /// <summary>The steps whose <c>Next</c> names <paramref name="step"/> (a loop is not its own parent).</summary>
    public IEnumerable<StepNode> Parents(string step) => Steps.Where(s => s.Onward.Contains(step, StringComparer.Ordinal));
}
