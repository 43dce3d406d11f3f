using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Flow.Generators.Model;

/// <summary>The kinds of transition, as the runtime's <c>TransitionKind</c> names them.</summary>
internal enum Transition
{
    None,
    Linear,
    Split,
    Foreach,
    Conditional,
}

/// <summary>A step as read from source, with everything the checks need and the locations to report at.</summary>
internal sealed class StepDeclaration
{
    public StepDeclaration(string name, IMethodSymbol method, LocationInfo? location)
    {
        Name = name;
        Method = method;
        Location = location;
    }

    public string Name { get; }

    public IMethodSymbol Method { get; }

    public LocationInfo? Location { get; }

    public StepBody Body { get; set; } = new();

    public bool IsJoin { get; set; }

    public ITypeSymbol? ItemType { get; set; }

    public LocationInfo? ItemLocation { get; set; }

    public string? ForeachArtifact { get; set; }

    public LocationInfo? ForeachLocation { get; set; }

    public ITypeSymbol? ForeachElement { get; set; }

    public ResourcesModel? Resources { get; set; }

    public RetryModel? Retry { get; set; }

    public bool HasCatch { get; set; }

    public string? CatchArtifact { get; set; }

    public LocationInfo? CatchLocation { get; set; }

    public int? TimeoutSeconds { get; set; }

    public List<EnvironmentModel> Environment { get; } = new();

    public Transition Transition { get; set; }

    /// <summary>Distinct valid targets, in source order.</summary>
    public List<string> Next { get; } = new();

    public string? MatchingJoin { get; set; }

    public bool IsStart => Name == "Start";

    public bool IsEnd => Name == "End";

    public string Kind =>
        IsEnd ? "End"
        : IsJoin ? "Join"
        : Transition switch
        {
            Transition.Split => "Split",
            Transition.Foreach => "Foreach",
            Transition.Conditional => "Conditional",
            _ => IsStart ? "Start" : "Linear",
        };
}

/// <summary>An artifact as read from source.</summary>
internal sealed class ArtifactDeclaration
{
    public ArtifactDeclaration(IPropertySymbol property, LocationInfo? location)
    {
        Property = property;
        Location = location;
    }

    public IPropertySymbol Property { get; }

    public string Name => Property.Name;

    public LocationInfo? Location { get; }

    public bool IsParameter { get; set; }

    public string? OptionName { get; set; }

    public string? Help { get; set; }

    public bool Required { get; set; }

    /// <summary>Whether the property has an initializer, so every instance starts with a value for it.</summary>
    public bool HasInitializer { get; set; }
}

/// <summary>A flow as read from source, the checks' findings, and (when valid) its model.</summary>
internal sealed class FlowDeclaration
{
    public FlowDeclaration(INamedTypeSymbol type, LocationInfo? location)
    {
        Type = type;
        Location = location;
    }

    public INamedTypeSymbol Type { get; }

    public string Name => Type.Name;

    public LocationInfo? Location { get; }

    public List<StepDeclaration> Steps { get; } = new();

    public Dictionary<string, StepDeclaration> ByName { get; } = new();

    public List<ArtifactDeclaration> Artifacts { get; } = new();

    public ImmutableHashSet<string> ArtifactNames { get; set; } = ImmutableHashSet<string>.Empty;

    public string? Schedule { get; set; }

    /// <summary>Whether the shape of the class lets the generator emit a partial declaration for it.</summary>
    public bool CanEmit { get; set; } = true;

    /// <summary>Whether step bodies were analyzed for artifact reads and writes (the analyzer does; the generator needs not).</summary>
    public bool ArtifactsAnalyzed { get; set; }

    public List<string> BranchAccessors { get; } = new();

    /// <summary>Start or End methods that lack [Step]: reported there, so not again as a missing step.</summary>
    public HashSet<string> UnmarkedSteps { get; } = new();

    public List<FlowDiagnostic> Diagnostics { get; } = new();

    public void Report(DiagnosticDescriptor rule, LocationInfo? location, params string[] arguments) =>
        Diagnostics.Add(FlowDiagnostic.Create(rule, location ?? Location, arguments));
}
