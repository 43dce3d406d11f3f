using System.Globalization;
using System.Linq;
using Flow.Generators.Model;
using Flow.Generators.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Flow.Generators;

/// <summary>A valid web service: its names and endpoints, as plain values.</summary>
internal sealed record ServiceModel(
    string? Namespace,
    string Name,
    string FullyQualifiedName,
    string FlowFullyQualifiedName,
    EquatableArray<EndpointModel> Endpoints);

/// <summary>One endpoint: its method, route, HTTP method and parameters.</summary>
/// <param name="Method">The C# method's name.</param>
/// <param name="Route">Its route: <c>/</c> and the snake_case of the name.</param>
/// <param name="HttpMethod"><c>GET</c>, or <c>POST</c> with a body parameter.</param>
/// <param name="Parameters">Its parameters, in order.</param>
/// <param name="AsDelegate">
/// Whether its handler must be cast to Delegate: a handler that takes only the HttpContext and returns a Task would
/// otherwise be taken for a RequestDelegate, whose result is not written.
/// </param>
/// <param name="Text">
/// Whether it returns a string, directly or awaited: minimal APIs would answer that as text/plain, so the handler wraps it
/// in a JSON result, as every other return value is answered.
/// </param>
internal sealed record EndpointModel(string Method, string Route, string HttpMethod, EquatableArray<EndpointParameterModel> Parameters, bool AsDelegate, TextReturn Text = TextReturn.None);

/// <summary>Whether an endpoint returns a string: no, directly, or through <c>Task&lt;string&gt;</c> or <c>ValueTask&lt;string&gt;</c>.</summary>
internal enum TextReturn
{
    None,
    Direct,
    Awaited,
}

/// <summary>A parameter of an endpoint: its name, type (fully qualified), where it comes from, and its default value as C# (null: none).</summary>
internal sealed record EndpointParameterModel(string Name, string Type, EndpointParameterSource Source, string? Default);

/// <summary>A web service the generator found: its model when its own rules pass, and whether its flow is in this compilation.</summary>
internal sealed record ServiceResult(ServiceModel? Model, string FlowFullyQualifiedName, bool FlowInSource);

/// <summary>Builds a service's model and emits its generated part: the IWebServiceProvider implementation and its definition.</summary>
internal static class ServiceEmitter
{
    private const string Hosting = "global::Flow.Hosting";
    private const string Builder = "global::Microsoft.AspNetCore.Builder";

    private static readonly SymbolDisplayFormat TypeFormat =
        SymbolDisplayFormat.FullyQualifiedFormat.AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    public static string HintName(ServiceModel service) => (service.Namespace is null ? "" : service.Namespace + ".") + service.Name + ".WebService.g.cs";

    /// <summary>The model of a service whose rules pass.</summary>
    public static ServiceModel Build(ServiceDeclaration service)
    {
        var symbols = service.Symbols;
        var type = service.Type;
        var endpoints = service.Endpoints.Select(e =>
        {
            var method = e.Method;
            var parameters = method.Parameters.Select(p => new EndpointParameterModel(
                p.Name,
                p.Type.ToDisplayString(TypeFormat),
                ServiceRules.SourceOf(p.Type, symbols),
                p.HasExplicitDefaultValue ? DefaultValue(p) : null)).ToEquatableArray();
            var returnsTask = false;
            for (var t = method.ReturnType; t is not null && symbols.Task is not null; t = t.BaseType)
            {
                returnsTask |= SymbolEqualityComparer.Default.Equals(t, symbols.Task);
            }

            var returned = method.ReturnType as INamedTypeSymbol;
            var text = method.ReturnType.SpecialType == SpecialType.System_String ? TextReturn.Direct
                : returned is { IsGenericType: true, TypeArguments: [{ SpecialType: SpecialType.System_String }] }
                    && (SymbolEqualityComparer.Default.Equals(returned.OriginalDefinition, symbols.TaskOfT) || SymbolEqualityComparer.Default.Equals(returned.OriginalDefinition, symbols.ValueTaskOfT))
                    ? TextReturn.Awaited
                    : TextReturn.None;
            return new EndpointModel(
                method.Name,
                ServiceRules.Route(method.Name),
                ServiceRules.IsPost(method, symbols) ? "POST" : "GET",
                parameters,
                AsDelegate: returnsTask && parameters.Count == 0,
                text);
        }).ToEquatableArray();
        return new ServiceModel(
            type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : null,
            type.Name,
            type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            service.Flow!.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            endpoints);
    }

    public static string Emit(ServiceModel service)
    {
        var w = new SourceWriter();
        w.Line("// <auto-generated/>");
        w.Line("#nullable enable");
        w.Line("#pragma warning disable CS1591");
        w.Line();
        if (service.Namespace is not null)
        {
            w.Line($"namespace {service.Namespace};");
            w.Line();
        }

        var self = service.FullyQualifiedName;
        w.Open($"partial class {service.Name} : {Hosting}.IWebServiceProvider<{self}>");
        w.Line($"static {Hosting}.WebServiceDefinition<{self}> {Hosting}.IWebServiceProvider<{self}>.Definition => __WebServiceDefinition.Instance;");
        w.Line();
        w.Line("[global::System.CodeDom.Compiler.GeneratedCode(\"Flow.Generators\", \"1.0\")]");
        w.Open($"private sealed class __WebServiceDefinition : {Hosting}.WebServiceDefinition<{self}>");
        w.Line("internal static readonly __WebServiceDefinition Instance = new();");
        w.Line("private __WebServiceDefinition()");
        w.Line($"    : base({SourceWriter.Literal(service.Name)}, global::Flow.Cli.FlowApp.DefinitionOf<{service.FlowFullyQualifiedName}>(), new {Hosting}.EndpointInfo[]");
        w.Line("    {");
        foreach (var endpoint in service.Endpoints)
        {
            w.Line($"        new({SourceWriter.Literal(endpoint.Method)}, {SourceWriter.Literal(endpoint.Route)}, {SourceWriter.Literal(endpoint.HttpMethod)}),");
        }

        w.Line("    })");
        w.Line("{ }");
        w.Line($"public override {self} Create() => new {self}();");
        w.Open("public override void MapEndpoints(global::Microsoft.AspNetCore.Routing.IEndpointRouteBuilder endpoints)");
        foreach (var endpoint in service.Endpoints)
        {
            var map = endpoint.HttpMethod == "POST" ? "MapPost" : "MapGet";
            var parameters = string.Concat(endpoint.Parameters.Select(p => ", " + Parameter(p)));
            var arguments = string.Join(", ", endpoint.Parameters.Select(p => Identifier(p.Name)));
            var call = $"Service(__context).{Identifier(endpoint.Method)}({arguments})";
            var handler = endpoint.Text switch
            {
                TextReturn.Direct => $"static (global::Microsoft.AspNetCore.Http.HttpContext __context{parameters}) => global::Microsoft.AspNetCore.Http.TypedResults.Ok({call})",
                TextReturn.Awaited => $"static async (global::Microsoft.AspNetCore.Http.HttpContext __context{parameters}) => global::Microsoft.AspNetCore.Http.TypedResults.Ok(await {call})",
                _ => $"static (global::Microsoft.AspNetCore.Http.HttpContext __context{parameters}) => {call}",
            };
            if (endpoint.AsDelegate)
            {
                handler = $"(global::System.Delegate)({handler})";
            }

            w.Line($"{Builder}.RoutingEndpointConventionBuilderExtensions.WithName(");
            w.Line($"    {Builder}.EndpointRouteBuilderExtensions.{map}(endpoints, {SourceWriter.Literal(endpoint.Route)},");
            w.Line($"        {handler}), {SourceWriter.Literal(endpoint.Method)});");
        }

        w.Close();
        w.Close();
        w.Close();
        return w.ToString();
    }

    private static string Parameter(EndpointParameterModel parameter)
    {
        var attribute = parameter.Source switch
        {
            EndpointParameterSource.Body => "[global::Microsoft.AspNetCore.Mvc.FromBody] ",
            EndpointParameterSource.Query => $"[global::Microsoft.AspNetCore.Mvc.FromQuery(Name = {SourceWriter.Literal(parameter.Name)})] ",
            _ => "",
        };
        var value = parameter.Default is null ? "" : " = " + parameter.Default;
        return $"{attribute}{parameter.Type} {Identifier(parameter.Name)}{value}";
    }

    private static string Identifier(string name) => SyntaxFacts.GetKeywordKind(name) == SyntaxKind.None ? name : "@" + name;

    /// <summary>A parameter's default value as C#.</summary>
    private static string DefaultValue(IParameterSymbol parameter)
    {
        var value = parameter.ExplicitDefaultValue;
        var type = parameter.Type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable ? nullable.TypeArguments[0] : parameter.Type;
        if (value is null)
        {
            // A non-nullable struct's default (CancellationToken cancellationToken = default); null for anything else.
            return parameter.Type.IsValueType && ReferenceEquals(type, parameter.Type) ? "default" : "null";
        }

        var literal = value switch
        {
            double d when double.IsNaN(d) => "global::System.Double.NaN",
            double d when double.IsPositiveInfinity(d) => "global::System.Double.PositiveInfinity",
            double d when double.IsNegativeInfinity(d) => "global::System.Double.NegativeInfinity",
            float f when float.IsNaN(f) => "global::System.Single.NaN",
            float f when float.IsPositiveInfinity(f) => "global::System.Single.PositiveInfinity",
            float f when float.IsNegativeInfinity(f) => "global::System.Single.NegativeInfinity",
            double d => d.ToString("R", CultureInfo.InvariantCulture) + "D",
            float f => f.ToString("R", CultureInfo.InvariantCulture) + "F",
            decimal m => m.ToString(CultureInfo.InvariantCulture) + "M",
            long l => l.ToString(CultureInfo.InvariantCulture) + "L",
            ulong u => u.ToString(CultureInfo.InvariantCulture) + "UL",
            uint u => u.ToString(CultureInfo.InvariantCulture) + "U",
            _ => SymbolDisplay.FormatPrimitive(value, quoteStrings: true, useHexadecimalNumbers: false),
        };
        return type.TypeKind == TypeKind.Enum ? $"({type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)})({literal})" : literal;
    }
}
