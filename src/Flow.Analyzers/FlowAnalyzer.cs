using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Flow.Generators.Model;
using Flow.Generators.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Flow.Analyzers;

/// <summary>
/// Reports the failures of every rule in <see cref="FlowRules"/> as build errors, at the offending syntax.
/// Per flow, live in the IDE: what each step body does is read per method (on its control-flow graph when
/// it branches), and the rules run when the flow type is complete.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class FlowAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = RuleCatalogue.All.ToImmutableArray();

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (FlowSymbols.Create(start.Compilation) is not { } symbols)
            {
                return;
            }

            var trees = start.Compilation.SyntaxTrees
                .GroupBy(t => t.FilePath)
                .ToDictionary(g => g.Key, g => g.First());
            start.RegisterSymbolStartAction(symbolStart => AnalyzeType(symbolStart, symbols, trees), SymbolKind.NamedType);
        });
    }

    private static void AnalyzeType(SymbolStartAnalysisContext context, FlowSymbols symbols, IReadOnlyDictionary<string, SyntaxTree> trees)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (!symbols.IsFlow(type))
        {
            if (type.GetMembers().Any(m => m is IMethodSymbol && symbols.Find(m, symbols.Step) is not null))
            {
                context.RegisterSymbolEndAction(end => Report(end, FlowReader.ReadNonFlow(type, symbols), trees));
            }

            return;
        }

        // An abstract class without steps is a base that flows share artifacts through, not a flow.
        if (type.IsAbstract && !type.GetMembers().Any(m => symbols.Find(m, symbols.Step) is not null))
        {
            return;
        }

        var artifacts = FlowReader.ArtifactNames(type, symbols);
        var bodies = new ConcurrentDictionary<IMethodSymbol, StepBody>(SymbolEqualityComparer.Default);
        var nextOutsideSteps = new ConcurrentBag<MemberAt>();
        context.RegisterOperationBlockAction(block =>
        {
            if (block.OwningSymbol is not IMethodSymbol method
                || block.OperationBlocks.FirstOrDefault(o => o is IMethodBodyOperation or IBlockOperation) is not { } body)
            {
                return;
            }

            if (symbols.Find(method, symbols.Step) is null)
            {
                foreach (var call in body.Descendants().OfType<IInvocationOperation>().Where(i => symbols.IsNext(i.TargetMethod)))
                {
                    nextOutsideSteps.Add(new MemberAt(method.Name, LocationInfo.From(call.Syntax)));
                }

                return;
            }

            bodies[method] = StepBodyReader.Read(body, () => block.GetControlFlowGraph(body), symbols, type, artifacts, block.CancellationToken);
        });
        context.RegisterSymbolEndAction(end =>
        {
            var flow = FlowReader.Read(
                type,
                symbols,
                method => bodies.TryGetValue(method, out var body) ? body : null,
                nextOutsideSteps.OrderBy(m => m.Location?.FilePath, System.StringComparer.Ordinal).ThenBy(m => m.Location?.Span.Start),
                end.CancellationToken);
            Report(end, flow, trees);
        });
    }

    private static void Report(SymbolAnalysisContext context, FlowDeclaration flow, IReadOnlyDictionary<string, SyntaxTree> trees)
    {
        var fallback = flow.Type.Locations.FirstOrDefault() ?? Location.None;
        foreach (var diagnostic in FlowRules.Run(flow, FlowFacts.Derive(flow), onEveryPath: true))
        {
            context.ReportDiagnostic(diagnostic.ToDiagnostic(trees, fallback));
        }
    }
}
