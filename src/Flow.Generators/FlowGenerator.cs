using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Flow.Generators.Model;
using Flow.Generators.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Flow.Generators;

/// <summary>
/// Generates, for every valid flow, its static graph, typed artifact accessors and step dispatch, the
/// typed branch accessors of its joins; for every valid web service over a valid flow, its definition (its
/// endpoints mapped onto ASP.NET Core); and (in a program without its own) the <c>Main</c> entry point, with
/// each service's <c>serve</c> command and, in a program that references Flow.Hosting, each flow's <c>ui</c> command. An invalid flow or service gets nothing: the analyzer says what is wrong.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class FlowGenerator : IIncrementalGenerator
{
    /// <summary>Tracking name of the per-flow model step.</summary>
    public const string ModelStep = "FlowModel";

    /// <summary>Tracking name of the entry-point facts step.</summary>
    public const string EntryStep = "FlowEntryPoint";

    /// <summary>Tracking name of the per-service model step.</summary>
    public const string ServiceStep = "FlowWebService";

    /// <summary>Tracking name of the step that finds, per syntax tree, what could be the program's own entry point.</summary>
    public const string OwnMainCandidatesStep = "FlowOwnMainCandidates";

    /// <summary>Tracking name of the step that says whether the program has its own entry point.</summary>
    public const string OwnMainStep = "FlowOwnMain";

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var results = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                "Flow.StepAttribute",
                static (node, _) => node is MethodDeclarationSyntax,
                static (ctx, ct) => Transform(ctx, ct))
            .Where(static r => r is not null)
            .Select(static (r, _) => r!)
            .WithTrackingName(ModelStep);
        var flows = results.Where(static r => r.Model is not null).Select(static (r, _) => r.Model!);

        context.RegisterSourceOutput(flows, static (spc, flow) => spc.AddSource(FlowEmitter.HintName(flow), FlowEmitter.Emit(flow)));

        // A web service is emitted when its own rules pass and its flow is valid: one of this compilation whose
        // definition is generated, or one of a referenced assembly (which the service rules check has a definition).
        // Otherwise the build reports the service's or the flow's errors, and no follow-on error for a missing definition.
        var validFlows = results.Where(static r => r.Model is not null).Select(static (r, _) => r.FullyQualifiedName).Collect()
            .Select(static (names, _) => names.OrderBy(n => n, System.StringComparer.Ordinal).ToEquatableArray());
        var services = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                "Flow.EndpointAttribute",
                static (node, _) => node is MethodDeclarationSyntax,
                static (ctx, ct) => TransformService(ctx, ct))
            .Where(static r => r is not null)
            .Select(static (r, _) => r!)
            .WithTrackingName(ServiceStep)
            .Combine(validFlows)
            .Where(static x => x.Left.Model is not null && (!x.Left.FlowInSource || x.Right.Contains(x.Left.FlowFullyQualifiedName)))
            .Select(static (x, _) => x.Left.Model!);
        context.RegisterSourceOutput(services, static (spc, service) => spc.AddSource(ServiceEmitter.HintName(service), ServiceEmitter.Emit(service)));

        var branches = results.Where(static r => r.Branches is not null).Select(static (r, _) => r.Branches!);
        context.RegisterSourceOutput(branches, static (spc, model) => spc.AddSource(FlowEmitter.BranchesHintName(model), FlowEmitter.EmitBranches(model)));

        // A program (not a library) gets a Main unless FlowGenerateMain is false or it has its own entry point:
        // top-level statements or a static Main, looked for in the trees an edit changes only. The values are
        // Flags, not bools or nested tuples: the compiler process compiles Roslyn's pipeline tables once more
        // for each value type a pipeline carries, and once for all reference types.
        var isProgram = context.CompilationProvider
            .Select(static (c, _) => Flag.Of(c.Options.OutputKind is OutputKind.ConsoleApplication or OutputKind.WindowsApplication));
        var turnedOff = context.AnalyzerConfigOptionsProvider
            .Select(static (o, _) => Flag.Of(o.GlobalOptions.TryGetValue("build_property.FlowGenerateMain", out var value)
                && string.Equals(value?.Trim(), "false", System.StringComparison.OrdinalIgnoreCase)));
        var ownMain = context.SyntaxProvider
            .CreateSyntaxProvider(
                static (node, _) => node is GlobalStatementSyntax
                    || (node is MethodDeclarationSyntax { Identifier.ValueText: "Main" } method && method.Modifiers.Any(SyntaxKind.StaticKeyword)),
                static (_, _) => Flag.Set)
            .WithTrackingName(OwnMainCandidatesStep)
            .Collect()
            .Select(static (found, _) => Flag.Of(!found.IsEmpty))
            .WithTrackingName(OwnMainStep);
        var generateMain = isProgram.Combine(turnedOff)
            .Select(static (x, _) => Flag.Of(x.Left.IsSet && !x.Right.IsSet))
            .Combine(ownMain)
            .Select(static (x, _) => Flag.Of(x.Left.IsSet && !x.Right.IsSet));
        var entryServices = services.Select(static (s, _) => new EntryService(s.FullyQualifiedName, s.FlowFullyQualifiedName)).Collect()
            .Select(static (found, _) => found.OrderBy(s => s.FullyQualifiedName, System.StringComparer.Ordinal).ToEquatableArray());
        // A program that references Flow.Hosting gets its ui command for each flow; one without gets the same Main as before.
        var hasUi = context.CompilationProvider
            .Select(static (c, _) => Flag.Of(c.GetTypeByMetadataName("Flow.Hosting.FlowUi") is not null));
        var entry = generateMain
            .Combine(results.Select(static (r, _) => new EntryFlow(r.FullyQualifiedName, r.Model is not null)).Collect())
            .Combine(entryServices)
            .Combine(hasUi)
            .Select(static (x, _) => new EntryPointModel(
                x.Left.Left.Right.OrderBy(n => n.FullyQualifiedName, System.StringComparer.Ordinal).ToEquatableArray(),
                x.Left.Left.Left.IsSet,
                x.Left.Right)
            {
                Ui = x.Right.IsSet,
            })
            .WithTrackingName(EntryStep);
        context.RegisterSourceOutput(entry, static (spc, model) =>
        {
            if (model.Generate && (model.Flows.Count > 0 || model.Services.Count > 0))
            {
                spc.AddSource("FlowEntryPoint.g.cs", EntryPointEmitter.Emit(model));
            }
        });
    }

    private static FlowResult? Transform(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        // One transform per flow reads it: the one for its first step in source order.
        if (context.TargetSymbol is not IMethodSymbol { ContainingType: { } type } method
            || FlowSymbols.For(context.SemanticModel.Compilation) is not { } symbols
            || !symbols.IsFlow(type)
            || !SymbolEqualityComparer.Default.Equals(symbols.FirstStep(type), method))
        {
            return null;
        }

        var artifacts = FlowReader.ArtifactNames(type, symbols);
        var flow = FlowReader.Read(
            type,
            symbols,
            step => ReadBody(step, symbols, type, artifacts, context.SemanticModel, cancellationToken),
            NextOutsideSteps(type, symbols, context.SemanticModel, cancellationToken),
            cancellationToken);
        var facts = FlowFacts.Derive(flow);

        // Valid when the rules that need no control-flow graph pass: the others (Next on every path, artifacts set before read) are the analyzer's, and their errors fail the build too; so is FLOW034, whose branch accessors this generator writes.
        var model = FlowRules.Run(flow, facts, onEveryPath: false).Any() ? null : FlowModelBuilder.Build(flow, facts, context.SemanticModel.Compilation, cancellationToken);
        var branches = facts.BranchAccessors.Count == 0 || flow.IsNested || flow.IsGeneric
            ? null
            : new BranchAccessorsModel(
                type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : null,
                type.Name,
                type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
                type.DeclaredAccessibility == Accessibility.Public ? "public" : "internal",
                facts.BranchAccessors.ToEquatableArray());
        return new FlowResult(type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), model, branches);
    }

    private static ServiceResult? TransformService(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        // One transform per class reads it: the one for its first endpoint in source order. A class that is not a
        // service gets nothing (FLOW040 is the analyzer's to report).
        if (context.TargetSymbol is not IMethodSymbol { ContainingType: { } type } method
            || FlowSymbols.For(context.SemanticModel.Compilation) is not { } symbols
            || symbols.ServedFlow(type) is not INamedTypeSymbol flow
            || !SymbolEqualityComparer.Default.Equals(symbols.FirstEndpoint(type), method)
            || ServiceReader.Read(type, symbols) is not { } service)
        {
            return null;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var model = FlowRules.Run(service, wholeCompilation: false).Any() ? null : ServiceEmitter.Build(service);
        return new ServiceResult(model, flow.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), !flow.DeclaringSyntaxReferences.IsEmpty);
    }

    /// <summary>What a step body names: from its syntax where that is unambiguous, else from its bound operations.</summary>
    // Binding a body is the costliest thing the generator does, and the compiler binds it again for the compilation it emits.
    private static StepBody? ReadBody(
        IMethodSymbol step,
        FlowSymbols symbols,
        INamedTypeSymbol type,
        ImmutableHashSet<string> artifacts,
        SemanticModel semanticModel,
        CancellationToken cancellationToken)
    {
        if (step.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is not MethodDeclarationSyntax syntax)
        {
            return null;
        }

        if (StepSyntaxReader.Read(syntax, symbols, type, artifacts) is { } read)
        {
            return read;
        }

        var model = syntax.SyntaxTree == semanticModel.SyntaxTree ? semanticModel : semanticModel.Compilation.GetSemanticModel(syntax.SyntaxTree);
        return model.GetOperation(syntax, cancellationToken) is IMethodBodyOperation body ? StepBodyReader.ReadNames(body, symbols, type, artifacts) : null;
    }

    /// <summary>
    /// Next calls in the flow's methods and accessors other than its steps: found by name in the syntax, and bound
    /// only then. The analyzer reports these (FLOW037) from the same places: the flow's own methods and accessors
    /// (not nested types, not field initializers), outside generated files.
    /// </summary>
    private static List<MemberAt> NextOutsideSteps(INamedTypeSymbol type, FlowSymbols symbols, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        var found = new List<MemberAt>();
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            var declaration = reference.GetSyntax(cancellationToken);
            if (GeneratedFiles.IsGenerated(declaration.SyntaxTree, cancellationToken))
            {
                continue;
            }

            foreach (var invocation in declaration.DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                var name = invocation.Expression switch
                {
                    IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
                    MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText,
                    _ => null,
                };
                if (name != "Next"
                    || invocation.FirstAncestorOrSelf<MemberDeclarationSyntax>() is not { } member
                    || member is not (BaseMethodDeclarationSyntax or BasePropertyDeclarationSyntax)
                    || member.Parent != declaration)
                {
                    continue;
                }

                var model = declaration.SyntaxTree == semanticModel.SyntaxTree ? semanticModel : semanticModel.Compilation.GetSemanticModel(declaration.SyntaxTree);
                var owner = member is BasePropertyDeclarationSyntax or BaseMethodDeclarationSyntax ? model.GetDeclaredSymbol(member, cancellationToken) : null;
                if ((owner is null || symbols.Find(owner, symbols.Step) is null)
                    && model.GetSymbolInfo(invocation, cancellationToken).Symbol is IMethodSymbol target
                    && symbols.IsNext(target))
                {
                    found.Add(new MemberAt(owner?.Name ?? "", LocationInfo.From(invocation)));
                }
            }
        }

        return found;
    }
}

/// <summary>A yes or no in a pipeline: one of two instances, equal only to itself.</summary>
internal sealed class Flag
{
    public static readonly Flag Set = new(true);

    public static readonly Flag Unset = new(false);

    private Flag(bool isSet) => IsSet = isSet;

    public bool IsSet { get; }

    public static Flag Of(bool isSet) => isSet ? Set : Unset;
}

/// <summary>A flow class and, when it is valid, its model.</summary>
internal sealed record FlowResult(string FullyQualifiedName, FlowModel? Model, BranchAccessorsModel? Branches);

/// <summary>The branch accessors of a flow's joins.</summary>
internal sealed record BranchAccessorsModel(string? Namespace, string Name, string FullyQualifiedName, string Accessibility, EquatableArray<string> Steps);

/// <summary>A flow the entry point knows: its name and whether it compiled into a definition.</summary>
internal sealed record EntryFlow(string FullyQualifiedName, bool IsValid);

/// <summary>A valid web service of the program: its name and its flow's.</summary>
internal sealed record EntryService(string FullyQualifiedName, string FlowFullyQualifiedName);

/// <summary>The flows and web services of a program and whether it gets a generated <c>Main</c>.</summary>
internal sealed record EntryPointModel(EquatableArray<EntryFlow> Flows, bool Generate, EquatableArray<EntryService> Services)
{
    /// <summary>Whether the program references Flow.Hosting's web UI, whose <c>ui</c> command each flow then gets.</summary>
    public bool Ui { get; init; }
}

/// <summary>Emits the <c>Main</c> that hands the command line to the runtime.</summary>
internal static class EntryPointEmitter
{
    public static string Emit(EntryPointModel model)
    {
        var w = new SourceWriter();
        w.Line("// <auto-generated/>");
        w.Line("#nullable enable");
        w.Line();
        w.Line("namespace Flow.Generated;");
        w.Line();
        w.Line("/// <summary>The program's entry point: the flow's command line (run, resume, show, check, ...).</summary>");
        w.Line("[global::System.CodeDom.Compiler.GeneratedCode(\"Flow.Generators\", \"1.0\")]");
        w.Open("internal static class FlowEntryPoint");
        w.Line("/// <summary>Runs the command line.</summary>");
        var invalid = model.Flows.Where(f => !f.IsValid).Select(f => f.FullyQualifiedName.Replace("global::", "")).ToList();
        if (invalid.Count > 0)
        {
            // The build reports the flow's errors; this keeps the missing definition from adding a confusing one.
            w.Line($"public static int Main(string[] args) => global::Flow.Cli.FlowApp.Invalid({SourceWriter.Literal(string.Join(", ", invalid))});");
        }
        else
        {
            // A service's flow from another assembly is a flow of the program too: its serve command needs it.
            var flows = model.Flows.Select(f => f.FullyQualifiedName)
                .Concat(model.Services.Select(s => s.FlowFullyQualifiedName))
                .Distinct()
                .OrderBy(n => n, System.StringComparer.Ordinal)
                .ToList();
            var commands = model.Services.Select(s => $"global::Flow.Hosting.WebService.ServeCommand<{s.FullyQualifiedName}>()").ToList();
            if (model.Ui)
            {
                commands.AddRange(flows.Select(f => $"global::Flow.Hosting.FlowUi.Command<{f}>()"));
            }

            if (flows.Count == 1)
            {
                var added = string.Concat(commands.Select(c => ", " + c));
                w.Line($"public static int Main(string[] args) => global::Flow.Cli.FlowApp.Run<{flows[0]}>(args{added});");
            }
            else if (commands.Count == 0)
            {
                w.Open("public static int Main(string[] args)");
                w.Line("return global::Flow.Cli.FlowApp.Run(");
                w.Line("    args,");
                for (var i = 0; i < flows.Count; i++)
                {
                    var separator = i == flows.Count - 1 ? ");" : ",";
                    w.Line($"    global::Flow.Cli.FlowApp.DefinitionOf<{flows[i]}>(){separator}");
                }

                w.Close();
            }
            else
            {
                w.Open("public static int Main(string[] args)");
                w.Line("return global::Flow.Cli.FlowApp.Run(");
                w.Line("    args,");
                w.Line("    new global::Flow.FlowDefinition[]");
                w.Line("    {");
                foreach (var flow in flows)
                {
                    w.Line($"        global::Flow.Cli.FlowApp.DefinitionOf<{flow}>(),");
                }

                w.Line("    },");
                w.Line("    new global::Flow.Cli.FlowProgramCommand[]");
                w.Line("    {");
                foreach (var command in commands)
                {
                    w.Line($"        {command},");
                }

                w.Line("    });");
                w.Close();
            }
        }

        w.Close();
        return w.ToString();
    }
}
