using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Flow.Generators.Model;
using Flow.Generators.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace Flow.Analyzers.CodeFixes;

/// <summary>
/// FLOW021 (branches merge into a step that is not a join) and FLOW020 (End reached inside a split):
/// inserts a join step before the step, <c>[Step] public void Join(JoinInputs&lt;F&gt; inputs) { MergeArtifacts(inputs); Next(X); }</c>,
/// and points the steps that went to X at the join instead.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(GenerateJoinCodeFixProvider)), Shared]
public sealed class GenerateJoinCodeFixProvider : CodeFixProvider
{
    /// <summary>The FLOW021 property listing the steps that go to the merging step, comma-separated.</summary>
    public const string ParentsProperty = DiagnosticProperties.Parents;

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleCatalogue.NeedsJoin.Id, RuleCatalogue.OpenSplitAtEnd.Id);

    /// <summary>Each join rewrites several steps and takes a fresh name, so fixes of one flow would collide if batched.</summary>
    public override FixAllProvider? GetFixAllProvider() => null;

    /// <summary>The equivalence key of the action that adds a join before <paramref name="step"/>.</summary>
    public static string EquivalenceKey(string step) => "GenerateJoin:" + step;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var document = context.Document;
        var root = await document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null || FlowSymbols.Create(model.Compilation) is not { } symbols)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            if (FlowSyntax.StepAt(root, diagnostic.Location.SourceSpan) is not { } method
                || model.GetDeclaredSymbol(method, context.CancellationToken) is not { } step)
            {
                continue;
            }

            var flow = step.ContainingType;
            ImmutableHashSet<string> parents;
            if (diagnostic.Properties.TryGetValue(ParentsProperty, out var listed) && !string.IsNullOrEmpty(listed))
            {
                parents = listed!.Split(',').ToImmutableHashSet();
            }
            else
            {
                // FLOW020 also follows a FLOW021 upstream; a join before End would then miss the merged branch, so fix the merge first.
                var incoming = await IncomingAsync(document.Project.Solution, flow, symbols, context.CancellationToken).ConfigureAwait(false);
                if (incoming.Any(i => i.Key != step.Name && i.Value.Count > 1 && !IsJoin(flow, i.Key, symbols)))
                {
                    continue;
                }

                parents = incoming.TryGetValue(step.Name, out var into) ? into.ToImmutableHashSet() : ImmutableHashSet<string>.Empty;
            }

            if (parents.IsEmpty)
            {
                continue;
            }

            var name = FreeName(flow, step.Name, symbols);
            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Generate join step {name} before {step.Name}",
                    ct => GenerateJoinAsync(document, method, flow, name, parents, symbols, ct),
                    EquivalenceKey(step.Name)),
                diagnostic);
        }
    }

    /// <summary>Join if it is free, else JoinX, JoinX2, …: a name that no member of the flow or FlowSpec has.</summary>
    private static string FreeName(INamedTypeSymbol flow, string step, FlowSymbols symbols)
    {
        bool Taken(string name) =>
            name == flow.Name || symbols.ReservedNames.Contains(name) || Bases(flow).Any(t => !t.GetMembers(name).IsEmpty);

        if (!Taken("Join"))
        {
            return "Join";
        }

        var candidate = "Join" + step;
        for (var i = 2; Taken(candidate); i++)
        {
            candidate = "Join" + step + i;
        }

        return candidate;

        static IEnumerable<INamedTypeSymbol> Bases(INamedTypeSymbol type)
        {
            for (INamedTypeSymbol? t = type; t is not null; t = t.BaseType)
            {
                yield return t;
            }
        }
    }

    /// <summary>For each step named in a Next call, the steps whose Next calls name it.</summary>
    private static async Task<Dictionary<string, HashSet<string>>> IncomingAsync(Solution solution, INamedTypeSymbol flow, FlowSymbols symbols, CancellationToken cancellationToken)
    {
        var incoming = new Dictionary<string, HashSet<string>>();
        foreach (var (method, model) in await DeclarationsAsync(solution, FlowSyntax.Steps(flow, symbols), cancellationToken).ConfigureAwait(false))
        {
            foreach (var target in FlowSyntax.NextArguments(method, model, symbols))
            {
                if (!incoming.TryGetValue(target.Identifier.ValueText, out var parents))
                {
                    parents = new HashSet<string>();
                    incoming[target.Identifier.ValueText] = parents;
                }

                parents.Add(method.Identifier.ValueText);
            }
        }

        return incoming;
    }

    private static bool IsJoin(INamedTypeSymbol flow, string step, FlowSymbols symbols) =>
        flow.GetMembers(step).OfType<IMethodSymbol>().Any(m => m.Parameters.Any(p =>
            SymbolEqualityComparer.Default.Equals(p.Type.OriginalDefinition, symbols.JoinInputs)));

    private static async Task<Solution> GenerateJoinAsync(
        Document document,
        MethodDeclarationSyntax step,
        INamedTypeSymbol flow,
        string name,
        ImmutableHashSet<string> parents,
        FlowSymbols symbols,
        CancellationToken cancellationToken)
    {
        var solution = document.Project.Solution;
        var target = step.Identifier.ValueText;
        var parentSteps = FlowSyntax.Steps(flow, symbols).Where(s => parents.Contains(s.Name));
        var renames = new List<SimpleNameSyntax>();
        foreach (var (method, model) in await DeclarationsAsync(solution, parentSteps, cancellationToken).ConfigureAwait(false))
        {
            renames.AddRange(FlowSyntax.NextArgumentsNaming(method, target, model, symbols));
        }

        var editors = new Dictionary<DocumentId, DocumentEditor>();
        async Task<DocumentEditor> EditorAsync(SyntaxTree tree)
        {
            var id = solution.GetDocumentId(tree)!;
            if (!editors.TryGetValue(id, out var editor))
            {
                editor = await DocumentEditor.CreateAsync(solution.GetDocument(id)!, cancellationToken).ConfigureAwait(false);
                editors[id] = editor;
            }

            return editor;
        }

        // Nodes are found again by span in each editor's root: a tree read twice need not give the same node instances.
        foreach (var rename in renames)
        {
            var editor = await EditorAsync(rename.SyntaxTree).ConfigureAwait(false);
            var node = editor.OriginalRoot.FindNode(rename.Span, getInnermostNodeForTie: true);
            editor.ReplaceNode(node, IdentifierName(name).WithTriviaFrom(node));
        }

        var stepEditor = await EditorAsync(step.SyntaxTree).ConfigureAwait(false);
        var stepNode = FlowSyntax.StepAt(stepEditor.OriginalRoot, step.Identifier.Span)!;
        var text = await stepEditor.OriginalDocument.GetTextAsync(cancellationToken).ConfigureAwait(false);
        var join = JoinDeclaration(stepNode, flow.Name, name, target, text, FlowSyntax.EndOfLine(stepEditor.OriginalRoot));
        stepEditor.InsertBefore(stepNode, join);

        foreach (var editor in editors.Values)
        {
            solution = solution.WithDocumentSyntaxRoot(editor.OriginalDocument.Id, editor.GetChangedRoot());
        }

        return await ImportFlowAsync(solution.GetDocument(document.Id)!, cancellationToken).ConfigureAwait(false);
    }

    private static readonly SyntaxAnnotation JoinAnnotation = new("Flow.GeneratedJoin");

    /// <summary>The join step, laid out like the step it goes before: on one line if that step is on one line.</summary>
    private static MemberDeclarationSyntax JoinDeclaration(MethodDeclarationSyntax step, string flow, string name, string target, Microsoft.CodeAnalysis.Text.SourceText text, string eol)
    {
        var signature = $"public void {name}(JoinInputs<{flow}> inputs)";
        string source;
        if (FlowSyntax.IsOnOneLine(text, step))
        {
            source = $"[Step] {signature} {{ MergeArtifacts(inputs); Next({target}); }}";
        }
        else
        {
            var indent = FlowSyntax.Indentation(text, step.SpanStart);
            var inner = indent + FlowSyntax.IndentUnit(text, step);
            source = $"[Step]{eol}{indent}{signature}{eol}{indent}{{{eol}{inner}MergeArtifacts(inputs);{eol}{inner}Next({target});{eol}{indent}}}";
        }

        var layout = step.GetLeadingTrivia().TakeWhile(t => t.IsKind(SyntaxKind.WhitespaceTrivia) || t.IsKind(SyntaxKind.EndOfLineTrivia));
        return ParseMemberDeclaration(source)!
            .WithLeadingTrivia(layout)
            .WithTrailingTrivia(EndOfLine(eol))
            .WithAdditionalAnnotations(JoinAnnotation);
    }

    /// <summary>Adds <c>using Flow;</c> when the generated join's JoinInputs or [Step] does not bind without it.</summary>
    private static async Task<Solution> ImportFlowAsync(Document document, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is not CompilationUnitSyntax unit || model is null
            || unit.GetAnnotatedNodes(JoinAnnotation).FirstOrDefault() is not MethodDeclarationSyntax join)
        {
            return document.Project.Solution;
        }

        var joinInputs = model.GetTypeInfo(join.ParameterList.Parameters[0].Type!, cancellationToken).Type;
        var attribute = model.GetSymbolInfo(join.AttributeLists[0].Attributes[0], cancellationToken).Symbol;
        if (joinInputs is { TypeKind: not TypeKind.Error } && attribute is not null)
        {
            return document.Project.Solution;
        }

        var eol = EndOfLine(FlowSyntax.EndOfLine(unit));
        var import = UsingDirective(ParseName("Flow").WithLeadingTrivia(Space)).WithTrailingTrivia(eol);
        return document.WithSyntaxRoot(unit.AddUsings(import)).Project.Solution;
    }

    /// <summary>The declarations of some steps, across the files of a partial flow, with the semantic model of each file.</summary>
    private static async Task<List<(MethodDeclarationSyntax Method, SemanticModel Model)>> DeclarationsAsync(
        Solution solution, IEnumerable<IMethodSymbol> steps, CancellationToken cancellationToken)
    {
        var result = new List<(MethodDeclarationSyntax, SemanticModel)>();
        foreach (var reference in steps.SelectMany(s => s.DeclaringSyntaxReferences))
        {
            if (solution.GetDocument(reference.SyntaxTree) is not { } document
                || await reference.GetSyntaxAsync(cancellationToken).ConfigureAwait(false) is not MethodDeclarationSyntax method
                || await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false) is not { } model)
            {
                continue;
            }

            result.Add((method, model));
        }

        return result;
    }
}
