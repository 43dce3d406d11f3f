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
using Microsoft.CodeAnalysis.Text;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace Flow.Analyzers.CodeFixes;

/// <summary>
/// FLOW011 on a step that calls no Next at all: offers "Add Next(T)" for each step T it could go to
/// (End first), appending the call as the last statement of the step.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddNextCodeFixProvider)), Shared]
public sealed class AddNextCodeFixProvider : CodeFixProvider
{
    /// <summary>The diagnostic property that says whether the step calls Next on some path.</summary>
    public const string HasNextProperty = DiagnosticProperties.HasNext;

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleCatalogue.MissingNext.Id);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <summary>The equivalence key of the action that adds <c>Next(target)</c>: fixing all adds the same target everywhere.</summary>
    public static string EquivalenceKey(string target) => "AddNext:" + target;

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
            if (!diagnostic.Properties.TryGetValue(HasNextProperty, out var hasNext) || hasNext != "false"
                || FlowSyntax.StepAt(root, diagnostic.Location.SourceSpan) is not { } method
                || (method.Body is null && method.ExpressionBody is null)
                || model.GetDeclaredSymbol(method, context.CancellationToken) is not { } step)
            {
                continue;
            }

            var targets = FlowSyntax.Steps(step.ContainingType, symbols)
                .Select(s => s.Name)
                .Where(name => name != "Start" && name != step.Name)
                .Distinct()
                .OrderBy(name => name == "End" ? 0 : 1);
            foreach (var target in targets)
            {
                context.RegisterCodeFix(
                    CodeAction.Create($"Add Next({target})", ct => AddNextAsync(document, method, target, ct), EquivalenceKey(target)),
                    diagnostic);
            }
        }
    }

    private static async Task<Document> AddNextAsync(Document document, MethodDeclarationSyntax method, string target, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var text = await document.GetTextAsync(cancellationToken).ConfigureAwait(false);
        var eol = EndOfLine(FlowSyntax.EndOfLine(root!));
        var next = ParseStatement($"Next({target});").WithoutTrivia();
        var fixedMethod = method.Body is { } body
            ? method.WithBody(Append(body, next, text, eol, FlowSyntax.IndentUnit(text, method)))
            : ToBlockBody(method, next, text, eol);
        return document.WithSyntaxRoot(root!.ReplaceNode(method, fixedMethod));
    }

    /// <summary>Adds the call at the end of the block, or before a final bare <c>return;</c>, keeping the block's layout.</summary>
    private static BlockSyntax Append(BlockSyntax block, StatementSyntax next, SourceText text, SyntaxTrivia eol, string unit)
    {
        var statements = block.Statements;
        var index = statements.LastOrDefault() is ReturnStatementSyntax { Expression: null } ? statements.Count - 1 : statements.Count;
        if (FlowSyntax.IsOnOneLine(text, block.OpenBraceToken, block.CloseBraceToken))
        {
            var before = index == 0 ? block.OpenBraceToken : statements[index - 1].GetLastToken();
            next = next.WithTrailingTrivia(before.TrailingTrivia.Any() ? before.TrailingTrivia : TriviaList(Space));
            block = block.ReplaceToken(before, before.WithTrailingTrivia(Space));
        }
        else
        {
            var indent = statements.Count > 0
                ? FlowSyntax.Indentation(text, statements[System.Math.Min(index, statements.Count - 1)].SpanStart)
                : FlowSyntax.Indentation(text, block.CloseBraceToken.SpanStart) + unit;
            next = next.WithLeadingTrivia(Whitespace(indent)).WithTrailingTrivia(eol);
        }

        return block.WithStatements(block.Statements.Insert(index, next));
    }

    /// <summary>Turns <c>=> Foo();</c> into <c>{ Foo(); Next(T); }</c>, on one line or laid out over several as the arrow was.</summary>
    private static MethodDeclarationSyntax ToBlockBody(MethodDeclarationSyntax method, StatementSyntax next, SourceText text, SyntaxTrivia eol)
    {
        var arrow = method.ExpressionBody!;
        // Tokens get explicit trivia: elastic trivia would let the code action's cleanup reformat the step.
        var statement = ExpressionStatement(arrow.Expression.WithoutTrivia(), Token(TriviaList(), SyntaxKind.SemicolonToken, TriviaList()));
        BlockSyntax block;
        if (FlowSyntax.IsOnOneLine(text, arrow.ArrowToken, method.SemicolonToken))
        {
            block = Block(
                Token(TriviaList(), SyntaxKind.OpenBraceToken, TriviaList(Space)),
                List(new[] { statement.WithTrailingTrivia(Space), next.WithTrailingTrivia(Space) }),
                Token(TriviaList(), SyntaxKind.CloseBraceToken, method.SemicolonToken.TrailingTrivia));
        }
        else
        {
            var indent = FlowSyntax.Indentation(text, method.SpanStart);
            var inner = Whitespace(indent + FlowSyntax.IndentUnit(text, method));
            block = Block(
                Token(TriviaList(Whitespace(indent)), SyntaxKind.OpenBraceToken, TriviaList(eol)),
                List(new[] { statement.WithLeadingTrivia(inner).WithTrailingTrivia(eol), next.WithLeadingTrivia(inner).WithTrailingTrivia(eol) }),
                Token(TriviaList(Whitespace(indent)), SyntaxKind.CloseBraceToken, method.SemicolonToken.TrailingTrivia));
            var beforeArrow = arrow.ArrowToken.GetPreviousToken();
            method = method.ReplaceToken(beforeArrow, beforeArrow.WithTrailingTrivia(eol));
        }

        return method.WithExpressionBody(null).WithSemicolonToken(default).WithBody(block);
    }
}
