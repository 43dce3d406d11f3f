using System.Collections.Generic;
using System.Linq;
using System.Text;
using Flow.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Flow.Generators.Rules;

/// <summary>Where an endpoint's parameter comes from in a request.</summary>
internal enum EndpointParameterSource
{
    /// <summary>A simple value: the query string.</summary>
    Query,

    /// <summary>The one complex value: the JSON body of a POST.</summary>
    Body,

    /// <summary>A CancellationToken: the request's own.</summary>
    Cancellation,
}

/// <summary>
/// The checks of a web service (category Flow.Services): the class, the flow it serves, its endpoints' shapes,
/// parameters, types and routes, and the artifacts it reads. Each reports one rule.
/// </summary>
internal static class ServiceRules
{
    private static readonly HashSet<string> SimpleNames = new()
    {
        "System.Guid", "System.DateTimeOffset", "System.DateOnly", "System.TimeOnly", "System.TimeSpan", "System.Uri",
    };

    // The interfaces System.Text.Json creates a concrete collection for when it reads a body.
    private static readonly HashSet<string> ReadableInterfaces = new()
    {
        "System.Collections.Generic.IEnumerable<T>",
        "System.Collections.Generic.ICollection<T>",
        "System.Collections.Generic.IList<T>",
        "System.Collections.Generic.IReadOnlyCollection<T>",
        "System.Collections.Generic.IReadOnlyList<T>",
        "System.Collections.Generic.ISet<T>",
        "System.Collections.Generic.IReadOnlySet<T>",
        "System.Collections.Generic.IDictionary<TKey, TValue>",
        "System.Collections.Generic.IReadOnlyDictionary<TKey, TValue>",
    };

    /// <summary>FLOW040: [Endpoint] is only on methods of a class that derives from WebServiceSpec&lt;TFlow&gt;.</summary>
    public static IEnumerable<Finding> EndpointOutsideService(ServiceDeclaration service) =>
        service.IsService ? Enumerable.Empty<Finding>() : service.Endpoints.Select(e => Finding.At(e.Location, service.Name, e.Name));

    /// <summary>FLOW041: the served type is a flow: concrete, with [Step] methods, and (from another assembly) with a generated definition.</summary>
    public static IEnumerable<Finding> ServiceOverNonFlow(ServiceDeclaration service)
    {
        if (service.Flow is not INamedTypeSymbol flow)
        {
            yield break;
        }

        var symbols = service.Symbols;
        var why = flow.IsAbstract ? "is abstract"
            : !flow.GetMembers().Any(m => m is IMethodSymbol && symbols.Find(m, symbols.Step) is not null) ? "has no [Step] methods"
            : flow.DeclaringSyntaxReferences.IsEmpty && !HasDefinition(flow, symbols) ? "has no flow definition: its assembly was not built with Flow's generator"
            : null;
        if (why is not null)
        {
            yield return Finding.At(service.Location, service.Name, flow.ToDisplayString(), why);
        }
    }

    /// <summary>FLOW042: a service class is partial, at namespace level, non-generic, concrete and creatable with <c>new S()</c> (no required member left unset).</summary>
    public static IEnumerable<Finding> ServiceShape(ServiceDeclaration service)
    {
        var problems = new List<string>();
        if (!service.IsPartial)
        {
            problems.Add("declared 'partial' so that Flow can generate its routes");
        }

        if (service.Type.ContainingType is not null)
        {
            problems.Add("declared at namespace level, not nested in another type");
        }

        if (service.Type.IsGenericType)
        {
            problems.Add("non-generic");
        }

        if (service.Type.IsAbstract)
        {
            problems.Add("a concrete class, not abstract");
        }
        else if (!service.HasParameterlessConstructor)
        {
            problems.Add("creatable: give it a parameterless constructor");
        }
        else if (service.UnsetRequiredMembers.Count > 0)
        {
            // The generated code creates it with new S(): a required member that no constructor sets would fail there (CS9035).
            var members = service.UnsetRequiredMembers;
            problems.Add(members.Count == 1
                ? $"creatable with new {service.Name}(), which leaves required member {members[0]} unset: set it in a parameterless constructor marked [SetsRequiredMembers], or remove 'required'"
                : $"creatable with new {service.Name}(), which leaves required members {Join(members)} unset: set them in a parameterless constructor marked [SetsRequiredMembers], or remove 'required'");
        }

        if (problems.Count > 0)
        {
            yield return Finding.At(service.Location, service.Name, Join(problems));
        }
    }

    /// <summary>FLOW043: an endpoint is a public, non-static, non-generic method.</summary>
    public static IEnumerable<Finding> EndpointShape(ServiceDeclaration service)
    {
        foreach (var endpoint in service.Endpoints)
        {
            var method = endpoint.Method;
            var problems = new List<string>();
            if (method.MethodKind != MethodKind.Ordinary)
            {
                problems.Add("an ordinary method");
            }

            if (method.DeclaredAccessibility != Accessibility.Public)
            {
                problems.Add("public");
            }

            if (method.IsStatic)
            {
                problems.Add("an instance method, not static: it answers from the run's artifacts");
            }

            if (method.IsGenericMethod)
            {
                problems.Add("non-generic: a request cannot say which type to use");
            }

            if (problems.Count > 0)
            {
                yield return Finding.At(endpoint.Location, $"{service.Name}.{endpoint.Name}", Join(problems));
            }
        }
    }

    /// <summary>FLOW044: no endpoint parameter is ref, out, in or params.</summary>
    public static IEnumerable<Finding> EndpointParameterModifier(ServiceDeclaration service) =>
        from endpoint in service.Endpoints
        from parameter in endpoint.Method.Parameters
        let modifier = Modifier(parameter)
        where modifier is not null
        select Finding.At(LocationInfo.From(parameter.Locations.FirstOrDefault()) ?? endpoint.Location, parameter.Name, $"{service.Name}.{endpoint.Name}", modifier);

    /// <summary>FLOW045: an endpoint has at most one complex parameter, its JSON body.</summary>
    public static IEnumerable<Finding> SeveralBodies(ServiceDeclaration service)
    {
        foreach (var endpoint in service.Endpoints)
        {
            // A parameter that cannot be a body at all is FLOW046's.
            var bodies = endpoint.Method.Parameters
                .Where(p => SourceOf(p.Type, service.Symbols) == EndpointParameterSource.Body && WhyNotJson(p.Type, service.Symbols, asBody: true) is null)
                .ToList();
            if (bodies.Count > 1)
            {
                yield return Finding.At(endpoint.Location, $"{service.Name}.{endpoint.Name}", string.Join(", ", bodies.Select(p => p.Name)));
            }
        }
    }

    /// <summary>FLOW046: every parameter and the return type can be sent as JSON (void and Task are no content).</summary>
    public static IEnumerable<Finding> EndpointTypeNotSerializable(ServiceDeclaration service)
    {
        var symbols = service.Symbols;
        foreach (var endpoint in service.Endpoints)
        {
            var name = $"{service.Name}.{endpoint.Name}";
            foreach (var parameter in endpoint.Method.Parameters)
            {
                if (SourceOf(parameter.Type, symbols) == EndpointParameterSource.Body && WhyNotJson(parameter.Type, symbols, asBody: true) is { } why)
                {
                    yield return Finding.At(LocationInfo.From(parameter.Locations.FirstOrDefault()) ?? endpoint.Location, $"Parameter {parameter.Name}", name, parameter.Type.ToDisplayString(), why);
                }
            }

            if (ResultType(endpoint.Method.ReturnType, symbols) is { } result && WhyNotJson(result, symbols, asBody: false) is { } whyResult)
            {
                var at = endpoint.Method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() is Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax syntax
                    ? LocationInfo.From(syntax.ReturnType)
                    : null;
                yield return Finding.At(at ?? endpoint.Location, "The return type", name, endpoint.Method.ReturnType.ToDisplayString(), whyResult);
            }
        }
    }

    /// <summary>The route of the host's health check, which no endpoint may take.</summary>
    public const string HealthRoute = "/healthz";

    /// <summary>FLOW047: no two endpoints share a route, and none takes the host's health check.</summary>
    public static IEnumerable<Finding> DuplicateRoute(ServiceDeclaration service)
    {
        var first = new Dictionary<string, EndpointDeclaration>();
        foreach (var endpoint in service.Endpoints)
        {
            var route = Route(endpoint.Name);
            if (route == HealthRoute)
            {
                yield return Finding.At(endpoint.Location, $"{service.Name}.{endpoint.Name}", route, "the host's health check");
            }
            else if (first.TryGetValue(route, out var earlier))
            {
                var other = earlier.Name == endpoint.Name ? $"another overload of {endpoint.Name}" : earlier.Name;
                yield return Finding.At(endpoint.Location, $"{service.Name}.{endpoint.Name}", route, other);
            }
            else
            {
                first[route] = endpoint;
            }
        }
    }

    /// <summary>FLOW048: the service reads only artifacts that the flow's end step has on every path. Needs the flow's step bodies.</summary>
    public static IEnumerable<Finding> ArtifactNotAtEnd(ServiceDeclaration service)
    {
        if (service.ArtifactsAtEnd is not { } atEnd || service.Flow is null)
        {
            yield break;
        }

        foreach (var read in service.ArtifactReads.Where(r => !atEnd.Contains(r.Artifact)))
        {
            yield return Finding.At(read.Location, service.Name, read.Artifact, service.Flow.Name);
        }
    }

    /// <summary>FLOW050: a program serves one service per flow; a later service over a flow that another serves fails.</summary>
    public static IEnumerable<Finding> ServicesOfOneFlow(ServiceDeclaration service)
    {
        if (service.EarlierServiceOfFlow is { } earlier && service.Flow is { } flow)
        {
            yield return Finding.At(service.Location, service.Name, flow.Name, earlier);
        }
    }

    /// <summary>The route of an endpoint: <c>/</c> and the snake_case of its name (<c>GetURLFor</c> is <c>/get_url_for</c>).</summary>
    public static string Route(string method)
    {
        var builder = new StringBuilder("/", method.Length + 8);
        for (var i = 0; i < method.Length; i++)
        {
            var c = method[i];
            if (char.IsUpper(c))
            {
                var previous = i > 0 ? method[i - 1] : '_';
                var next = i + 1 < method.Length ? method[i + 1] : '_';
                if (previous != '_' && (char.IsLower(previous) || char.IsDigit(previous) || (char.IsUpper(previous) && char.IsLower(next))))
                {
                    builder.Append('_');
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>Where a parameter of this type comes from: a CancellationToken is the request's, a simple type the query string, any other the body.</summary>
    public static EndpointParameterSource SourceOf(ITypeSymbol type, FlowSymbols symbols) =>
        symbols.CancellationToken is not null && SymbolEqualityComparer.Default.Equals(type, symbols.CancellationToken) ? EndpointParameterSource.Cancellation
        : IsSimple(type is IArrayTypeSymbol { Rank: 1 } array ? array.ElementType : type) ? EndpointParameterSource.Query
        : EndpointParameterSource.Body;

    /// <summary>Whether an endpoint with these parameters answers POST: it has a body parameter.</summary>
    public static bool IsPost(IMethodSymbol method, FlowSymbols symbols) =>
        method.Parameters.Any(p => SourceOf(p.Type, symbols) == EndpointParameterSource.Body);

    /// <summary>What a method's return type sends: the T of Task&lt;T&gt; or ValueTask&lt;T&gt;, the type itself, or null for no content (void, Task, ValueTask).</summary>
    public static ITypeSymbol? ResultType(ITypeSymbol type, FlowSymbols symbols)
    {
        if (type.SpecialType == SpecialType.System_Void
            || SymbolEqualityComparer.Default.Equals(type, symbols.Task)
            || SymbolEqualityComparer.Default.Equals(type, symbols.ValueTask))
        {
            return null;
        }

        if (type is INamedTypeSymbol { IsGenericType: true } named
            && (SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, symbols.TaskOfT) || SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, symbols.ValueTaskOfT)))
        {
            return named.TypeArguments[0];
        }

        return type;
    }

    private static bool IsSimple(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }

        return type.TypeKind == TypeKind.Enum
            || type.SpecialType is >= SpecialType.System_Boolean and <= SpecialType.System_String or SpecialType.System_DateTime
            || SimpleNames.Contains(Name(type));
    }

    /// <summary>Why a type cannot be sent as JSON (as a request body when <paramref name="asBody"/>), or null when it can.</summary>
    private static string? WhyNotJson(ITypeSymbol type, FlowSymbols symbols, bool asBody)
    {
        switch (type.TypeKind)
        {
            case TypeKind.Pointer:
            case TypeKind.FunctionPointer:
                return "pointers are addresses in the service's memory, not data";
            case TypeKind.Delegate:
                return "delegates are code, not data";
            case TypeKind.Array:
                return WhyNotJson(((IArrayTypeSymbol)type).ElementType, symbols, asBody);
        }

        if (type.SpecialType is SpecialType.System_IntPtr or SpecialType.System_UIntPtr)
        {
            return "native-sized integers are addresses, not data; use int or long";
        }

        if (Name(type) == "System.Type")
        {
            return "a type is not data; send its name as a string";
        }

        if (type.IsRefLikeType)
        {
            return "a ref struct (such as Span<T>) cannot live beyond the call; use an array";
        }

        if (type.IsTupleType)
        {
            return "a tuple's elements are fields, which JSON leaves out (it would be {}); use a record";
        }

        for (var t = type; t is not null && symbols.Stream is not null; t = t.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(t, symbols.Stream))
            {
                return "a stream is raw bytes, not JSON; send a byte[] or a string";
            }
        }

        var readableCollection = type is INamedTypeSymbol { IsGenericType: true } generic && ReadableInterfaces.Contains(generic.OriginalDefinition.ToDisplayString());
        if (asBody && type.TypeKind == TypeKind.Interface && !readableCollection)
        {
            return "an interface does not say which type to create from the request body; use a concrete type";
        }

        if (asBody && type.TypeKind == TypeKind.Class && type.IsAbstract)
        {
            return "an abstract class does not say which type to create from the request body; use a concrete type";
        }

        if (type is INamedTypeSymbol { IsGenericType: true } named)
        {
            foreach (var argument in named.TypeArguments)
            {
                if (WhyNotJson(argument, symbols, asBody) is { } inner)
                {
                    return $"its type argument {argument.ToDisplayString()} cannot be: {inner}";
                }
            }
        }

        return null;
    }

    /// <summary>A type's name without its nullable annotation (<c>Uri?</c> is <c>System.Uri</c>).</summary>
    private static string Name(ITypeSymbol type) => type.WithNullableAnnotation(NullableAnnotation.None).ToDisplayString();

    private static bool HasDefinition(INamedTypeSymbol flow, FlowSymbols symbols) =>
        flow.AllInterfaces.Any(i => SymbolEqualityComparer.Default.Equals(i.OriginalDefinition, symbols.FlowDefinitionProvider)
            && SymbolEqualityComparer.Default.Equals(i.TypeArguments[0], flow));

    private static string? Modifier(IParameterSymbol parameter) =>
        parameter.IsParams ? "params"
        : parameter.RefKind switch
        {
            RefKind.Ref => "ref",
            RefKind.Out => "out",
            RefKind.In => "in",
            RefKind.None => null,
            _ => "ref readonly",
        };

    private static string Join(List<string> problems) =>
        problems.Count == 1 ? problems[0] : string.Join(", ", problems.Take(problems.Count - 1)) + " and " + problems[problems.Count - 1];
}
