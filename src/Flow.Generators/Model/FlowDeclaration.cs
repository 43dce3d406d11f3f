using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
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

/// <summary>The values of a step's [Timeout], as written.</summary>
internal sealed record TimeoutDeclaration(int Seconds, int Minutes, int Hours)
{
    public long TotalSeconds => Seconds + (60L * Minutes) + (3600L * Hours);
}

/// <summary>One [Card] of a step, as written: its id (null when it is not a constant string).</summary>
internal sealed record CardDeclaration(string? Id, LocationInfo? Location);

/// <summary>One [Environment] variable, as written.</summary>
internal sealed record EnvironmentDeclaration(string? Name, string? Value, LocationInfo? Location);

/// <summary>A flow's [Schedule], as written: a cron expression and the shortcuts set (as cron expressions).</summary>
internal sealed record ScheduleDeclaration(string? Cron, ImmutableArray<string> Shortcuts, LocationInfo? Location);

/// <summary>A member of the flow (a method or a property), with where to report about it.</summary>
internal sealed record MemberAt(string Name, LocationInfo? Location);

/// <summary>A step-only attribute on a method that is not a step.</summary>
internal sealed record MisplacedAttribute(string Attribute, string Method, LocationInfo? Location);

/// <summary>A step as read from source: its method, attributes and body, and the locations to report at.</summary>
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

    /// <summary>Whether the step takes a JoinInputs parameter.</summary>
    public bool IsJoin { get; set; }

    /// <summary>The parameter of a step that is not a join: its foreach item.</summary>
    public IParameterSymbol? Item { get; set; }

    public ITypeSymbol? ItemType => Item?.Type;

    public LocationInfo? ItemLocation { get; set; }

    public string? ForeachArtifact { get; set; }

    public LocationInfo? ForeachLocation { get; set; }

    /// <summary>The element type of the foreach artifact, when it names an enumerable artifact.</summary>
    public ITypeSymbol? ForeachElement { get; set; }

    public ResourcesModel? Resources { get; set; }

    public LocationInfo? ResourcesLocation { get; set; }

    public RetryModel? Retry { get; set; }

    public LocationInfo? RetryLocation { get; set; }

    public bool HasCatch { get; set; }

    public string? CatchArtifact { get; set; }

    public LocationInfo? CatchLocation { get; set; }

    public TimeoutDeclaration? Timeout { get; set; }

    public LocationInfo? TimeoutLocation { get; set; }

    public List<EnvironmentDeclaration> Environment { get; } = new();

    /// <summary>The step's [Card]s, in source order.</summary>
    public List<CardDeclaration> Cards { get; } = new();

    /// <summary>For a step marked [Cache]: its Version, as written ("" when it has none); null without [Cache].</summary>
    public string? CacheVersion { get; set; }

    /// <summary>For a step marked [Cache]: its Files, as written (an entry may be null); empty when none are given.</summary>
    public List<string?> CacheFiles { get; } = new();

    public LocationInfo? CacheLocation { get; set; }

    /// <summary>The values of the step's [Slurm], when it has one.</summary>
    public SlurmModel? Slurm { get; set; }

    public LocationInfo? SlurmLocation { get; set; }

    public Transition Transition { get; set; }

    /// <summary>Distinct valid targets, in source order.</summary>
    public List<string> Next { get; } = new();

    /// <summary>
    /// Whether the step is a loop: a conditional step (not a join) that names itself as one of its targets, so that it
    /// runs again, as a new task, until it chooses another target. The only cycle a flow may have.
    /// </summary>
    public bool IsLoop => Transition == Transition.Conditional && !IsJoin && Next.Contains(Name);

    /// <summary>The targets that lead on through the graph: <see cref="Next"/> without a loop's edge back to itself.</summary>
    public IEnumerable<string> Onward => IsLoop ? Next.Where(t => t != Name) : Next;

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

    /// <summary>Declared in source with accessors that have no bodies, so reading or writing it touches nothing else.</summary>
    public bool IsAutoProperty { get; set; }
}

/// <summary>
/// A flow class as read from source: what it declares, with the locations to report at. Reading checks
/// nothing; the rules (<see cref="Rules.FlowRules"/>) do, over the finished declaration.
/// </summary>
internal sealed class FlowDeclaration
{
    public FlowDeclaration(INamedTypeSymbol type, FlowSymbols symbols, LocationInfo? location)
    {
        Type = type;
        Symbols = symbols;
        Location = location;
    }

    public INamedTypeSymbol Type { get; }

    public FlowSymbols Symbols { get; }

    public string Name => Type.Name;

    public LocationInfo? Location { get; }

    /// <summary>Whether the class derives from FlowSpec; a class that does not is read only for its misplaced [Step]s.</summary>
    public bool IsFlow { get; set; } = true;

    public bool IsPartial { get; set; }

    public bool IsNested => Type.ContainingType is not null;

    public bool IsGeneric => Type.IsGenericType;

    public bool HasParameterlessConstructor { get; set; }

    /// <summary>The required members that the generated <c>new F()</c> would leave unset (see <see cref="RequiredMembers"/>).</summary>
    public List<string> UnsetRequiredMembers { get; } = new();

    /// <summary>Whether every constructor is the implicit one (a declared one could hand <c>this</c> to something a step calls).</summary>
    public bool HasOnlyImplicitConstructors { get; set; }

    public List<StepDeclaration> Steps { get; } = new();

    public Dictionary<string, StepDeclaration> ByName { get; } = new();

    public List<ArtifactDeclaration> Artifacts { get; } = new();

    /// <summary>Public properties with [Parameter] that are not read-write artifacts.</summary>
    public List<MemberAt> ParametersWithoutAccessors { get; } = new();

    /// <summary>Static or non-public properties with [Parameter].</summary>
    public List<MemberAt> HiddenParameters { get; } = new();

    public ScheduleDeclaration? Schedule { get; set; }

    /// <summary>The flow's [Project] name, as written (null: none).</summary>
    public string? Project { get; set; }

    public LocationInfo? ProjectLocation { get; set; }

    public bool HasProject { get; set; }

    /// <summary>[Step] methods that share their name with another method; each is listed.</summary>
    public List<MemberAt> DuplicateSteps { get; } = new();

    /// <summary>Start or End methods that lack [Step].</summary>
    public List<MemberAt> UnmarkedSteps { get; } = new();

    public List<MisplacedAttribute> MisplacedAttributes { get; } = new();

    /// <summary>[Step] methods of a class that is not a flow.</summary>
    public List<MemberAt> StepsOutsideFlow { get; } = new();

    /// <summary>Next calls in methods of the flow that are not steps, by the method they are in.</summary>
    public List<MemberAt> NextOutsideSteps { get; } = new();
}
