using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace Flow.Generators.Model;

/// <summary>The runtime's types, resolved once per compilation.</summary>
internal sealed class FlowSymbols
{
    private static readonly ConditionalWeakTable<Compilation, Resolved> PerCompilation = new();

    private readonly Dictionary<INamedTypeSymbol, IMethodSymbol?> _firstSteps = new(SymbolEqualityComparer.Default);

    private readonly Dictionary<INamedTypeSymbol, IMethodSymbol?> _firstEndpoints = new(SymbolEqualityComparer.Default);

    private FlowSymbols(Compilation compilation, INamedTypeSymbol flowSpec)
    {
        FlowSpec = flowSpec;
        Step = compilation.GetTypeByMetadataName("Flow.StepAttribute");
        Foreach = compilation.GetTypeByMetadataName("Flow.ForeachAttribute");
        Parameter = compilation.GetTypeByMetadataName("Flow.ParameterAttribute");
        Resources = compilation.GetTypeByMetadataName("Flow.ResourcesAttribute");
        Retry = compilation.GetTypeByMetadataName("Flow.RetryAttribute");
        Catch = compilation.GetTypeByMetadataName("Flow.CatchAttribute");
        Timeout = compilation.GetTypeByMetadataName("Flow.TimeoutAttribute");
        Environment = compilation.GetTypeByMetadataName("Flow.EnvironmentAttribute");
        Slurm = compilation.GetTypeByMetadataName("Flow.SlurmAttribute");
        Card = compilation.GetTypeByMetadataName("Flow.CardAttribute");
        Cache = compilation.GetTypeByMetadataName("Flow.CacheAttribute");
        Schedule = compilation.GetTypeByMetadataName("Flow.ScheduleAttribute");
        Project = compilation.GetTypeByMetadataName("Flow.ProjectAttribute");
        JoinInputs = compilation.GetTypeByMetadataName("Flow.JoinInputs`1");
        StepError = compilation.GetTypeByMetadataName("Flow.StepError");
        JoinBranch = compilation.GetTypeByMetadataName("Flow.JoinBranchAttribute");
        Next = flowSpec.GetMembers("Next").OfType<IMethodSymbol>().ToImmutableArray();
        MergeArtifacts = flowSpec.GetMembers("MergeArtifacts").OfType<IMethodSymbol>().ToImmutableArray();
        ScriptRuns = compilation.GetTypeByMetadataName("Flow.Script") is { } script
            ? script.GetMembers("Run").Concat(script.GetMembers("RunAsync")).OfType<IMethodSymbol>().ToImmutableArray()
            : ImmutableArray<IMethodSymbol>.Empty;
        MessagePackObject = compilation.GetTypeByMetadataName("MessagePack.MessagePackObjectAttribute");
        Union = compilation.GetTypeByMetadataName("MessagePack.UnionAttribute");
        FlowDefinitionProvider = compilation.GetTypeByMetadataName("Flow.IFlowDefinitionProvider`1");
        WebServiceSpec = compilation.GetTypeByMetadataName("Flow.WebServiceSpec`1");
        Endpoint = compilation.GetTypeByMetadataName("Flow.EndpointAttribute");
        CancellationToken = compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
        Stream = compilation.GetTypeByMetadataName("System.IO.Stream");
        Task = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task");
        TaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task`1");
        ValueTask = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask");
        ValueTaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask`1");
        ReservedNames = flowSpec.GetMembers().Select(m => m.Name).Where(n => !n.StartsWith("<", System.StringComparison.Ordinal) && n != ".ctor")
            .Concat(new[] { "Inputs", "Definition" })
            .ToImmutableHashSet();
    }

    public INamedTypeSymbol FlowSpec { get; }

    public INamedTypeSymbol? Step { get; }

    public INamedTypeSymbol? Foreach { get; }

    public INamedTypeSymbol? Parameter { get; }

    public INamedTypeSymbol? Resources { get; }

    public INamedTypeSymbol? Retry { get; }

    public INamedTypeSymbol? Catch { get; }

    public INamedTypeSymbol? Timeout { get; }

    public INamedTypeSymbol? Environment { get; }

    public INamedTypeSymbol? Slurm { get; }

    public INamedTypeSymbol? Card { get; }

    public INamedTypeSymbol? Cache { get; }

    public INamedTypeSymbol? Schedule { get; }

    public INamedTypeSymbol? Project { get; }

    public INamedTypeSymbol? JoinInputs { get; }

    public INamedTypeSymbol? StepError { get; }

    public INamedTypeSymbol? JoinBranch { get; }

    public INamedTypeSymbol? MessagePackObject { get; }

    public INamedTypeSymbol? Union { get; }

    /// <summary>The interface the generator implements on every valid flow (null: Flow.Runtime is not referenced).</summary>
    public INamedTypeSymbol? FlowDefinitionProvider { get; }

    /// <summary>The base class of web services (null: Flow.Hosting is not referenced).</summary>
    public INamedTypeSymbol? WebServiceSpec { get; }

    public INamedTypeSymbol? Endpoint { get; }

    public INamedTypeSymbol? CancellationToken { get; }

    public INamedTypeSymbol? Stream { get; }

    public INamedTypeSymbol? Task { get; }

    public INamedTypeSymbol? TaskOfT { get; }

    public INamedTypeSymbol? ValueTask { get; }

    public INamedTypeSymbol? ValueTaskOfT { get; }

    public ImmutableArray<IMethodSymbol> Next { get; }

    public ImmutableArray<IMethodSymbol> MergeArtifacts { get; }

    /// <summary>The overloads of <c>Script.Run</c> and <c>Script.RunAsync</c>, whose first parameter is the script's path.</summary>
    public ImmutableArray<IMethodSymbol> ScriptRuns { get; }

    public ImmutableHashSet<string> ReservedNames { get; }

    public static FlowSymbols? Create(Compilation compilation) =>
        compilation.GetTypeByMetadataName("Flow.FlowSpec") is { } flowSpec ? new FlowSymbols(compilation, flowSpec) : null;

    /// <summary>The symbols of a compilation, resolved on the first call and shared by the later ones.</summary>
    public static FlowSymbols? For(Compilation compilation) =>
        PerCompilation.GetValue(compilation, static c => new Resolved(Create(c))).Symbols;

    /// <summary>A flow's first step in source order (by file path, then position), found once per flow type.</summary>
    public IMethodSymbol? FirstStep(INamedTypeSymbol type) => First(type, Step, _firstSteps);

    /// <summary>A class's first [Endpoint] method in source order, found once per type.</summary>
    public IMethodSymbol? FirstEndpoint(INamedTypeSymbol type) => First(type, Endpoint, _firstEndpoints);

    /// <summary>
    /// The flow a web service serves: the type argument of the <c>WebServiceSpec&lt;TFlow&gt;</c> it derives from, or
    /// null when it does not derive from one.
    /// </summary>
    public ITypeSymbol? ServedFlow(INamedTypeSymbol? type)
    {
        if (WebServiceSpec is null)
        {
            return null;
        }

        for (var t = type?.BaseType; t is not null; t = t.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(t.OriginalDefinition, WebServiceSpec))
            {
                return t.TypeArguments[0];
            }
        }

        return null;
    }

    private IMethodSymbol? First(INamedTypeSymbol type, INamedTypeSymbol? attribute, Dictionary<INamedTypeSymbol, IMethodSymbol?> found)
    {
        lock (found)
        {
            if (!found.TryGetValue(type, out var first))
            {
                foreach (var member in type.GetMembers())
                {
                    if (member is IMethodSymbol method
                        && method.DeclaringSyntaxReferences.Length > 0
                        && Find(method, attribute) is not null
                        && (first is null || Precedes(method.DeclaringSyntaxReferences[0], first.DeclaringSyntaxReferences[0])))
                    {
                        first = method;
                    }
                }

                found[type] = first;
            }

            return first;
        }

        static bool Precedes(SyntaxReference candidate, SyntaxReference current)
        {
            var byPath = string.CompareOrdinal(candidate.SyntaxTree.FilePath, current.SyntaxTree.FilePath);
            return byPath < 0 || (byPath == 0 && candidate.Span.Start < current.Span.Start);
        }
    }

    public bool IsFlow(INamedTypeSymbol? type)
    {
        for (var t = type?.BaseType; t is not null; t = t.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(t, FlowSpec))
            {
                return true;
            }
        }

        return false;
    }

    public bool IsNext(IMethodSymbol method) => Next.Contains(method.OriginalDefinition, SymbolEqualityComparer.Default);

    public bool IsMergeArtifacts(IMethodSymbol method) => MergeArtifacts.Contains(method.OriginalDefinition, SymbolEqualityComparer.Default);

    public bool Is(AttributeData attribute, INamedTypeSymbol? type) =>
        type is not null && SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, type);

    public AttributeData? Find(ISymbol symbol, INamedTypeSymbol? type) => symbol.GetAttributes().FirstOrDefault(a => Is(a, type));

    private sealed class Resolved
    {
        public Resolved(FlowSymbols? symbols) => Symbols = symbols;

        public FlowSymbols? Symbols { get; }
    }
}
