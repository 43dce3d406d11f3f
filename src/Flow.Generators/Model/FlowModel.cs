namespace Flow.Generators.Model;

/// <summary>The values of a step's [Resources].</summary>
internal sealed record ResourcesModel(int Cpu, int Gpu, int Memory);

/// <summary>The values of a step's [Retry].</summary>
internal sealed record RetryModel(int Times, int DelaySeconds);

/// <summary>The values of a step's [Slurm].</summary>
internal sealed record SlurmModel(string? Partition, string? Account, string? Qos, string? Constraint, EquatableArray<string> Arguments);

/// <summary>One [Environment] variable.</summary>
internal sealed record EnvironmentModel(string Name, string Value);

/// <summary>One step of a valid flow, as the generator emits it.</summary>
internal sealed record StepModel(
    string Name,
    string Kind,
    string Transition,
    EquatableArray<string> Next,
    bool IsJoin,
    string? ForeachArtifact,
    string? ForeachElementType,
    string? ForeachElementDisplay,
    string? MatchingJoin,
    string? ItemType,
    ResourcesModel? Resources,
    RetryModel? Retry,
    bool HasCatch,
    string? CatchArtifact,
    int? TimeoutSeconds,
    EquatableArray<EnvironmentModel> Environment,
    SlurmModel? Slurm,
    EquatableArray<string> Writes,
    EquatableArray<string>? Uses,
    EquatableArray<string> Cards,
    string? CacheVersion,
    EquatableArray<string> CacheFiles,
    string? CodeHash);

/// <summary>One artifact (or parameter) of a valid flow.</summary>
internal sealed record ArtifactModel(
    string Name,
    string Type,
    string DisplayType,
    bool IsParameter,
    string? OptionName,
    string? Help,
    bool Required);

/// <summary>
/// A valid flow, as plain equatable values: what the generator emits from. It holds no symbols, syntax,
/// spans or line numbers, so an edit that does not change the graph, or that moves a step to another
/// line, leaves it equal and nothing is emitted again.
/// </summary>
internal sealed record FlowModel(
    string Name,
    string? Namespace,
    string FullyQualifiedName,
    string Accessibility,
    EquatableArray<StepModel> Steps,
    EquatableArray<ArtifactModel> Artifacts,
    string? Schedule,
    string? Project,
    EquatableArray<string> BranchAccessors);
