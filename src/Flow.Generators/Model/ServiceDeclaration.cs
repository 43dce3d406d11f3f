using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Flow.Generators.Model;

/// <summary>An [Endpoint] method as read from source, with where to report about it.</summary>
internal sealed record EndpointDeclaration(IMethodSymbol Method, LocationInfo? Location)
{
    public string Name => Method.Name;
}

/// <summary>A read of <c>Artifacts.X</c> in a web service: the artifact and where.</summary>
internal sealed record ServedArtifactRead(string Service, string Artifact, LocationInfo? Location);

/// <summary>
/// A web service class (one deriving from <c>WebServiceSpec&lt;TFlow&gt;</c>), or a class with [Endpoint] methods
/// that is not one, as read from source. Reading checks nothing; the service rules do.
/// </summary>
internal sealed class ServiceDeclaration
{
    public ServiceDeclaration(INamedTypeSymbol type, FlowSymbols symbols, LocationInfo? location)
    {
        Type = type;
        Symbols = symbols;
        Location = location;
    }

    public INamedTypeSymbol Type { get; }

    public FlowSymbols Symbols { get; }

    public string Name => Type.Name;

    public LocationInfo? Location { get; }

    /// <summary>The flow it serves (the TFlow of its WebServiceSpec&lt;TFlow&gt;); null when it is not a service.</summary>
    public ITypeSymbol? Flow { get; set; }

    public bool IsService => Flow is not null;

    public bool IsPartial { get; set; }

    public bool HasParameterlessConstructor { get; set; }

    /// <summary>
    /// The required members (its own, then its base classes') that <c>new S()</c> would leave unset: empty when it has
    /// none, or when the constructor that call binds to is marked [SetsRequiredMembers].
    /// </summary>
    public List<string> UnsetRequiredMembers { get; } = new();

    /// <summary>Its [Endpoint] methods, in source order.</summary>
    public List<EndpointDeclaration> Endpoints { get; } = new();

    /// <summary>
    /// The reads of <c>Artifacts.X</c> to check against the artifacts the flow's end step has, and those artifacts
    /// (null when they are not known: the generator does not read the flow's step bodies path by path).
    /// </summary>
    public List<ServedArtifactRead> ArtifactReads { get; } = new();

    public ImmutableHashSet<string>? ArtifactsAtEnd { get; set; }

    /// <summary>Another service of the compilation over the same flow, before this one by name (null when none, or not known).</summary>
    public string? EarlierServiceOfFlow { get; set; }
}

/// <summary>Reads web service classes.</summary>
internal static class ServiceReader
{
    /// <summary>
    /// Reads a class with [Endpoint] methods; null for any other. A service without them is none of the generator's:
    /// it implements IWebServiceProvider itself (a host's test double, say) or serves nothing.
    /// </summary>
    public static ServiceDeclaration? Read(INamedTypeSymbol type, FlowSymbols symbols)
    {
        var flow = symbols.ServedFlow(type);
        var endpoints = new List<EndpointDeclaration>();
        foreach (var member in type.GetMembers())
        {
            if (member is IMethodSymbol method && symbols.Find(method, symbols.Endpoint) is not null)
            {
                endpoints.Add(new EndpointDeclaration(method, LocationInfo.From(method.Locations.FirstOrDefault())));
            }
        }

        if (endpoints.Count == 0)
        {
            return null;
        }

        var service = new ServiceDeclaration(type, symbols, LocationInfo.From(type.Locations.FirstOrDefault()))
        {
            Flow = flow,
            IsPartial = type.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is TypeDeclarationSyntax declaration
                && declaration.Modifiers.Any(m => m.ValueText == "partial")),
            HasParameterlessConstructor = CreatableByNew(type),
        };

        service.UnsetRequiredMembers.AddRange(RequiredMembers.UnsetByNew(type));

        // By file, then by place in it, so that the generated endpoints keep their order whatever file is edited.
        service.Endpoints.AddRange(endpoints
            .OrderBy(e => e.Location?.FilePath ?? "", System.StringComparer.Ordinal)
            .ThenBy(e => e.Location?.Span.Start ?? 0));
        return service;
    }

    // Whether new S() binds to one constructor: the parameterless one, else the only one whose parameters are all
    // optional (two of those, and the call is ambiguous: CS0121 in the generated code).
    private static bool CreatableByNew(INamedTypeSymbol type)
    {
        var creatable = type.InstanceConstructors.Where(c => c.Parameters.All(p => p.IsOptional || p.IsParams)).ToList();
        return creatable.Any(c => c.Parameters.IsEmpty) || creatable.Count == 1;
    }
}
