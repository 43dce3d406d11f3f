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
/// it branches), and the rules run when the flow type is complete. Per web service likewise, except the check
/// of the artifacts it reads, which needs its flow's finished analysis and runs when the compilation is complete.
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
            var atEnd = new ConcurrentDictionary<INamedTypeSymbol, ImmutableHashSet<string>>(SymbolEqualityComparer.Default);
            start.RegisterSymbolStartAction(symbolStart => AnalyzeType(symbolStart, symbols, trees, atEnd), SymbolKind.NamedType);
            if (symbols.WebServiceSpec is not null)
            {
                AnalyzeServices(start, symbols, trees, atEnd);
            }
        });
    }

    /// <summary>
    /// The service rules: those of the class and its endpoints when the type is complete; the reads of its flow's
    /// artifacts (<c>Artifacts.X</c>) when the compilation is, against what each flow's end step has.
    /// </summary>
    private static void AnalyzeServices(
        CompilationStartAnalysisContext start,
        FlowSymbols symbols,
        IReadOnlyDictionary<string, SyntaxTree> trees,
        ConcurrentDictionary<INamedTypeSymbol, ImmutableHashSet<string>> atEnd)
    {
        var services = new ConcurrentBag<INamedTypeSymbol>();
        start.RegisterSymbolAction(
            context =>
            {
                if (ServiceReader.Read((INamedTypeSymbol)context.Symbol, symbols) is { } service)
                {
                    var failures = FlowRules.Run(service, wholeCompilation: false).ToList();
                    Report(context.ReportDiagnostic, service.Type, failures, trees);

                    // A service with errors gets no serve command; the others are checked against each other at the end.
                    if (service.IsService && failures.Count == 0)
                    {
                        services.Add(service.Type);
                    }
                }
            },
            SymbolKind.NamedType);

        var reads = new ConcurrentDictionary<INamedTypeSymbol, ConcurrentBag<ServedArtifactRead>>(SymbolEqualityComparer.Default);
        start.RegisterOperationAction(
            context =>
            {
                var read = (IPropertyReferenceOperation)context.Operation;
                if (read.Instance is IPropertyReferenceOperation { Property: { Name: "Artifacts" } artifacts }
                    && SymbolEqualityComparer.Default.Equals(artifacts.ContainingType.OriginalDefinition, symbols.WebServiceSpec)
                    && context.ContainingSymbol.ContainingType is { } service
                    && symbols.ServedFlow(service) is not null
                    && !(read.Parent is IAssignmentOperation assignment && assignment.Target == read))
                {
                    reads.GetOrAdd(service, _ => new ConcurrentBag<ServedArtifactRead>())
                        .Add(new ServedArtifactRead(service.Name, read.Property.Name, LocationInfo.From(read.Syntax)));
                }
            },
            OperationKind.PropertyReference);

        start.RegisterCompilationEndAction(end =>
        {
            // Each service once, in name order: the first over a flow is the one that flow's serve command serves.
            var byFlow = new Dictionary<ITypeSymbol, string>(SymbolEqualityComparer.Default);
            foreach (var type in services.Distinct<INamedTypeSymbol>(SymbolEqualityComparer.Default).OrderBy(t => t.ToDisplayString(), System.StringComparer.Ordinal))
            {
                if (ServiceReader.Read(type, symbols) is not { Flow: INamedTypeSymbol flow } service)
                {
                    continue;
                }

                if (byFlow.TryGetValue(flow, out var earlier))
                {
                    service.EarlierServiceOfFlow = earlier;
                }
                else
                {
                    byFlow[flow] = service.Name;
                }

                if (reads.TryGetValue(type, out var served) && atEnd.TryGetValue(flow, out var artifactsAtEnd))
                {
                    // Only the flow's artifacts: a computed property of the flow reads what it reads.
                    var artifacts = FlowReader.ArtifactNames(flow, symbols);
                    service.ArtifactsAtEnd = artifactsAtEnd;
                    service.ArtifactReads.AddRange(served.Where(r => artifacts.Contains(r.Artifact))
                        .OrderBy(r => r.Location?.FilePath, System.StringComparer.Ordinal)
                        .ThenBy(r => r.Location?.Span.Start));
                }

                Report(end.ReportDiagnostic, service.Type, FlowRules.Run(service, wholeCompilation: true), trees);
            }
        });
    }

    private static void AnalyzeType(
        SymbolStartAnalysisContext context,
        FlowSymbols symbols,
        IReadOnlyDictionary<string, SyntaxTree> trees,
        ConcurrentDictionary<INamedTypeSymbol, ImmutableHashSet<string>> atEnd)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (!symbols.IsFlow(type))
        {
            if (type.GetMembers().Any(m => m is IMethodSymbol && symbols.Find(m, symbols.Step) is not null))
            {
                context.RegisterSymbolEndAction(end =>
                {
                    var nonFlow = FlowReader.ReadNonFlow(type, symbols);
                    Report(end.ReportDiagnostic, type, FlowRules.Run(nonFlow, FlowFacts.Derive(nonFlow), onEveryPath: true), trees);
                });
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
            var facts = FlowFacts.Derive(flow);

            // A flow with errors says nothing of what its end step has: the services over it are checked once it is fixed.
            if (Report(end.ReportDiagnostic, type, FlowRules.Run(flow, facts, onEveryPath: true), trees) == 0
                && ArtifactRules.AtEnd(flow, facts) is { } artifacts)
            {
                atEnd[type] = artifacts;
            }
        });
    }

    /// <summary>Reports the failures at their locations (at the type when they have none); returns how many.</summary>
    private static int Report(System.Action<Diagnostic> report, INamedTypeSymbol type, IEnumerable<FlowDiagnostic> diagnostics, IReadOnlyDictionary<string, SyntaxTree> trees)
    {
        var fallback = type.Locations.FirstOrDefault() ?? Location.None;
        var count = 0;
        foreach (var diagnostic in diagnostics)
        {
            report(diagnostic.ToDiagnostic(trees, fallback));
            count++;
        }

        return count;
    }
}
