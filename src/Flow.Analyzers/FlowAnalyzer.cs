using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Flow.Generators.Model;
using Flow.Generators.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
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
        if (ReadFromSyntax(type, symbols, artifacts, context.Compilation, context.CancellationToken) is { } read)
        {
            context.RegisterSymbolEndAction(end => Report(
                end,
                FlowReader.Read(type, symbols, method => read.TryGetValue(method, out var body) ? body : null, Enumerable.Empty<MemberAt>(), end.CancellationToken),
                trees));
            return;
        }

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

    /// <summary>
    /// Every step body of a flow read from its syntax (<see cref="StepSyntaxReader.ReadOnePath"/>), or null when
    /// one needs binding, or when Next is called outside the steps (which only binding tells apart from another Next).
    /// </summary>
    internal static Dictionary<IMethodSymbol, StepBody>? ReadFromSyntax(
        INamedTypeSymbol type,
        FlowSymbols symbols,
        ImmutableHashSet<string> artifacts,
        Compilation compilation,
        CancellationToken cancellationToken)
    {
        var steps = new HashSet<string>();
        foreach (var member in type.GetMembers())
        {
            if (member is IMethodSymbol && symbols.Find(member, symbols.Step) is not null)
            {
                steps.Add(member.Name);
            }
        }

        // A generated branch accessor is named as the step it reads; one written by hand is found by its attribute.
        bool MayReadBranch(string name) => steps.Contains(name) || IsBranchAccessor(name, symbols, compilation, cancellationToken);

        var bodies = new Dictionary<IMethodSymbol, StepBody>(SymbolEqualityComparer.Default);
        var stepSyntax = new HashSet<SyntaxNode>();
        foreach (var member in type.GetMembers())
        {
            if (member is not IMethodSymbol method || !steps.Contains(method.Name) || symbols.Find(method, symbols.Step) is null)
            {
                continue;
            }

            if (method.DeclaringSyntaxReferences.Length != 1
                || method.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is not MethodDeclarationSyntax syntax
                || MayBeGenerated(syntax.SyntaxTree, compilation, cancellationToken)
                || StepSyntaxReader.ReadOnePath(syntax, symbols, type, artifacts, MayReadBranch) is not { } body)
            {
                return null;
            }

            bodies[method] = body;
            stepSyntax.Add(syntax);
        }

        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            foreach (var node in reference.GetSyntax(cancellationToken).DescendantNodes(n => !stepSyntax.Contains(n)))
            {
                if (node is InvocationExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "Next" } or MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Next" } })
                {
                    return null;
                }
            }
        }

        return bodies;
    }

    /// <summary>Whether a method of that name in the compilation's source is a branch accessor ([JoinBranch]).</summary>
    private static bool IsBranchAccessor(string name, FlowSymbols symbols, Compilation compilation, CancellationToken cancellationToken)
    {
        if (symbols.JoinBranch is null)
        {
            return false;
        }

        foreach (var symbol in compilation.GetSymbolsWithName(name, SymbolFilter.Member, cancellationToken))
        {
            if (symbol is IMethodSymbol && symbols.Find(symbol, symbols.JoinBranch) is not null)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the analysis may treat a tree as generated code, whose bodies it does not read (see <see cref="GeneratedCodeAnalysisFlags.None"/>).</summary>
    private static bool MayBeGenerated(SyntaxTree tree, Compilation compilation, CancellationToken cancellationToken)
    {
        switch (compilation.Options.SyntaxTreeOptionsProvider?.IsGenerated(tree, cancellationToken))
        {
            case GeneratedKind.MarkedGenerated:
                return true;
            case GeneratedKind.NotGenerated:
                return false;
        }

        var file = System.IO.Path.GetFileName(tree.FilePath);
        foreach (var suffix in GeneratedSuffixes)
        {
            if (file.EndsWith(suffix, System.StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        if (file.StartsWith("TemporaryGeneratedFile_", System.StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        foreach (var trivia in tree.GetRoot(cancellationToken).GetLeadingTrivia())
        {
            if (trivia.ToString().IndexOf("<auto-generated", System.StringComparison.OrdinalIgnoreCase) >= 0
                || trivia.ToString().IndexOf("<autogenerated", System.StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    private static readonly string[] GeneratedSuffixes = { ".designer.cs", ".generated.cs", ".g.cs", ".g.i.cs" };

    private static void Report(SymbolAnalysisContext context, FlowDeclaration flow, IReadOnlyDictionary<string, SyntaxTree> trees)
    {
        var fallback = flow.Type.Locations.FirstOrDefault() ?? Location.None;
        foreach (var diagnostic in FlowRules.Run(flow, FlowFacts.Derive(flow), onEveryPath: true))
        {
            context.ReportDiagnostic(diagnostic.ToDiagnostic(trees, fallback));
        }
    }
}
