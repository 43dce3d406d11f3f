using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Flow.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Flow.Analyzers;

/// <summary>
/// Reports every graph, step, artifact and decorator check of a flow as a build error, at the
/// offending syntax. Per flow, live in the IDE: body facts are gathered per step method, and the
/// checks run when the flow type is complete.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class FlowAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = Rules.All.ToImmutableArray();

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
            start.RegisterSymbolStartAction(symbolStart => AnalyzeFlow(symbolStart, symbols, trees), SymbolKind.NamedType);
            start.RegisterSymbolAction(c => CheckStepOutsideFlow(c, symbols), SymbolKind.Method);
        });
    }

    private static void AnalyzeFlow(SymbolStartAnalysisContext context, FlowSymbols symbols, IReadOnlyDictionary<string, SyntaxTree> trees)
    {
        var type = (INamedTypeSymbol)context.Symbol;

        // An abstract class without steps is a base that flows share artifacts through, not a flow.
        if (!symbols.IsFlow(type) || (type.IsAbstract && !type.GetMembers().Any(m => symbols.Find(m, symbols.Step) is not null)))
        {
            return;
        }

        var artifacts = FlowBuilder.ArtifactNames(type, symbols);
        var bodies = new ConcurrentDictionary<IMethodSymbol, StepBody>(SymbolEqualityComparer.Default);
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
                    block.ReportDiagnostic(Diagnostic.Create(Rules.NextOutsideStep, call.Syntax.GetLocation(), $"{method.Name}, which is not a step; call Next in the step itself"));
                }

                return;
            }

            bodies[method] = StepBodyAnalyzer.Analyze(body, () => block.GetControlFlowGraph(body), symbols, type, artifacts, block.CancellationToken);
        });
        context.RegisterSymbolEndAction(end =>
        {
            var declaration = FlowBuilder.Build(
                type,
                symbols,
                (method, _) => bodies.TryGetValue(method, out var body) ? body : null,
                analyzeArtifacts: true,
                end.CancellationToken);
            var fallback = type.Locations.FirstOrDefault() ?? Location.None;
            foreach (var diagnostic in declaration.Diagnostics)
            {
                end.ReportDiagnostic(diagnostic.ToDiagnostic(trees, fallback));
            }
        });
    }

    private static void CheckStepOutsideFlow(SymbolAnalysisContext context, FlowSymbols symbols)
    {
        var method = (IMethodSymbol)context.Symbol;
        if (symbols.Find(method, symbols.Step) is { } step && !symbols.IsFlow(method.ContainingType))
        {
            var location = step.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken).GetLocation() ?? method.Locations.FirstOrDefault() ?? Location.None;
            context.ReportDiagnostic(Diagnostic.Create(Rules.MisplacedAttribute, location,
                $"[Step] is on {method.ContainingType.Name}.{method.Name}, but {method.ContainingType.Name} does not derive from FlowSpec; derive it from FlowSpec or remove [Step]"));
        }
    }
}
