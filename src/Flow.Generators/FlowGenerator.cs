using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Flow.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Flow.Generators;

/// <summary>
/// Generates, for every valid flow, its static graph, typed artifact accessors and step dispatch, the
/// typed branch accessors of its joins, and (in a program without its own) the <c>Main</c> entry point.
/// An invalid flow gets nothing: the analyzer says what is wrong.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class FlowGenerator : IIncrementalGenerator
{
    /// <summary>Tracking name of the per-flow model step.</summary>
    public const string ModelStep = "FlowModel";

    /// <summary>Tracking name of the entry-point facts step.</summary>
    public const string EntryStep = "FlowEntryPoint";

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

        var branches = results.Where(static r => r.Branches is not null).Select(static (r, _) => r.Branches!);
        context.RegisterSourceOutput(branches, static (spc, model) => spc.AddSource(FlowEmitter.BranchesHintName(model), FlowEmitter.EmitBranches(model)));

        // Whether the program gets a generated Main: settled once per compilation, from its options and the top level of its trees.
        var generateMain = context.CompilationProvider
            .Combine(context.AnalyzerConfigOptionsProvider)
            .Select(static (x, ct) => GeneratesMain(x.Left, x.Right, ct));
        var entry = generateMain
            .Combine(results.Select(static (r, _) => new EntryFlow(r.FullyQualifiedName, r.Model is not null)).Collect())
            .Select(static (x, _) => new EntryPointModel(
                x.Right.OrderBy(n => n.FullyQualifiedName, System.StringComparer.Ordinal).ToEquatableArray(),
                x.Left))
            .WithTrackingName(EntryStep);
        context.RegisterSourceOutput(entry, static (spc, model) =>
        {
            if (model.Generate && model.Flows.Count > 0)
            {
                spc.AddSource("FlowEntryPoint.g.cs", EntryPointEmitter.Emit(model));
            }
        });
    }

    /// <summary>
    /// A program (not a library) gets a Main unless FlowGenerateMain is false or it has its own entry point:
    /// top-level statements or a static Main, which only the members of namespaces and types can declare.
    /// </summary>
    private static bool GeneratesMain(Compilation compilation, AnalyzerConfigOptionsProvider options, CancellationToken cancellationToken)
    {
        if (compilation.Options.OutputKind is not (OutputKind.ConsoleApplication or OutputKind.WindowsApplication)
            || (options.GlobalOptions.TryGetValue("build_property.FlowGenerateMain", out var value)
                && string.Equals(value?.Trim(), "false", System.StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        foreach (var tree in compilation.SyntaxTrees)
        {
            if (tree.GetRoot(cancellationToken) is CompilationUnitSyntax root && DeclaresEntryPoint(root.Members))
            {
                return false;
            }
        }

        return true;
    }

    private static bool DeclaresEntryPoint(SyntaxList<MemberDeclarationSyntax> members)
    {
        foreach (var member in members)
        {
            switch (member)
            {
                case GlobalStatementSyntax:
                case MethodDeclarationSyntax { Identifier.ValueText: "Main" } method when method.Modifiers.Any(SyntaxKind.StaticKeyword):
                    return true;
                case BaseNamespaceDeclarationSyntax ns when DeclaresEntryPoint(ns.Members):
                    return true;
                case TypeDeclarationSyntax type when DeclaresEntryPoint(type.Members):
                    return true;
            }
        }

        return false;
    }

    private static FlowResult? Transform(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        // One transform per flow builds the model: the one for its first step in source order.
        if (context.TargetSymbol is not IMethodSymbol { ContainingType: { } type } method
            || FlowSymbols.For(context.SemanticModel.Compilation) is not { } symbols
            || !symbols.IsFlow(type)
            || !SymbolEqualityComparer.Default.Equals(symbols.FirstStep(type), method))
        {
            return null;
        }

        var compilation = context.SemanticModel.Compilation;
        var declaration = FlowBuilder.Build(
            type,
            symbols,
            (step, artifacts) =>
            {
                if (step.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is not MethodDeclarationSyntax syntax)
                {
                    return null;
                }

                var model = syntax.SyntaxTree == context.SemanticModel.SyntaxTree ? context.SemanticModel : compilation.GetSemanticModel(syntax.SyntaxTree);
                if (model.GetOperation(syntax, cancellationToken) is not IMethodBodyOperation body)
                {
                    return null;
                }

                return StepBodyAnalyzer.Analyze(body, () => ControlFlowGraph.Create(body, cancellationToken), symbols, type, artifacts, cancellationToken);
            },
            analyzeArtifacts: true,
            cancellationToken);
        var model = FlowBuilder.ToModel(declaration);

        // A valid flow gets accessors for the branches of its static splits; one with errors, for every step that goes to a join.
        var branchSteps = model is not null
            ? model.BranchAccessors
            : declaration.Steps.Where(s => s.Next.Any(t => declaration.ByName.TryGetValue(t, out var target) && target.IsJoin)).Select(s => s.Name).ToEquatableArray();
        var branches = branchSteps.Count == 0 || type.ContainingType is not null || type.IsGenericType
            ? null
            : new BranchAccessorsModel(
                type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : null,
                type.Name,
                type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
                type.DeclaredAccessibility == Accessibility.Public ? "public" : "internal",
                branchSteps);
        return new FlowResult(type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), model, branches);
    }
}

/// <summary>A flow class and, when it is valid, its model.</summary>
internal sealed record FlowResult(string FullyQualifiedName, FlowModel? Model, BranchAccessorsModel? Branches);

/// <summary>The branch accessors of a flow's joins.</summary>
internal sealed record BranchAccessorsModel(string? Namespace, string Name, string FullyQualifiedName, string Accessibility, EquatableArray<string> Steps);

/// <summary>A flow the entry point knows: its name and whether it compiled into a definition.</summary>
internal sealed record EntryFlow(string FullyQualifiedName, bool IsValid);

/// <summary>The flows of a program and whether it gets a generated <c>Main</c>.</summary>
internal sealed record EntryPointModel(EquatableArray<EntryFlow> Flows, bool Generate);

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
        else if (model.Flows.Count == 1)
        {
            w.Line($"public static int Main(string[] args) => global::Flow.Cli.FlowApp.Run<{model.Flows[0].FullyQualifiedName}>(args);");
        }
        else
        {
            w.Open("public static int Main(string[] args)");
            w.Line("return global::Flow.Cli.FlowApp.Run(");
            w.Line("    args,");
            for (var i = 0; i < model.Flows.Count; i++)
            {
                var separator = i == model.Flows.Count - 1 ? ");" : ",";
                w.Line($"    global::Flow.Cli.FlowApp.DefinitionOf<{model.Flows[i].FullyQualifiedName}>(){separator}");
            }

            w.Close();
        }

        w.Close();
        return w.ToString();
    }
}
