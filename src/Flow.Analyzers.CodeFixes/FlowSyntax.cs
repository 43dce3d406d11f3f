using System.Collections.Generic;
using System.Linq;
using Flow.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Flow.Analyzers.CodeFixes;

/// <summary>What the code fixes need to read from a flow's source: its step methods, their Next calls and the file's layout.</summary>
internal static class FlowSyntax
{
    public const string DefaultIndentUnit = "    ";

    /// <summary>The step method whose identifier a diagnostic points at, or null.</summary>
    public static MethodDeclarationSyntax? StepAt(SyntaxNode root, TextSpan span) =>
        root.FindToken(span.Start).Parent as MethodDeclarationSyntax;

    /// <summary>The [Step] methods declared in a flow type, in declaration order.</summary>
    public static IEnumerable<IMethodSymbol> Steps(INamedTypeSymbol flow, FlowSymbols symbols) =>
        flow.GetMembers().OfType<IMethodSymbol>().Where(m => m.MethodKind == MethodKind.Ordinary && symbols.Find(m, symbols.Step) is not null);

    /// <summary>The arguments of the Next calls in <paramref name="method"/> that name the step <paramref name="target"/>, as the simple names to rewrite.</summary>
    public static IEnumerable<SimpleNameSyntax> NextArgumentsNaming(MethodDeclarationSyntax method, string target, SemanticModel model, FlowSymbols symbols) =>
        NextArguments(method, model, symbols).Where(name => name.Identifier.ValueText == target);

    /// <summary>The arguments of the Next calls in <paramref name="method"/> written as a step name (<c>A</c> or <c>this.A</c>).</summary>
    public static IEnumerable<SimpleNameSyntax> NextArguments(MethodDeclarationSyntax method, SemanticModel model, FlowSymbols symbols)
    {
        foreach (var invocation in method.DescendantNodes().OfType<InvocationExpressionSyntax>())
        {
            if (model.GetSymbolInfo(invocation).Symbol is not IMethodSymbol called || !symbols.IsNext(called))
            {
                continue;
            }

            foreach (var argument in invocation.ArgumentList.Arguments)
            {
                var name = argument.Expression switch
                {
                    IdentifierNameSyntax identifier => identifier,
                    MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax } access => access.Name,
                    _ => null,
                };
                if (name is not null)
                {
                    yield return name;
                }
            }
        }
    }

    /// <summary>The line break the file already uses.</summary>
    public static string EndOfLine(SyntaxNode root) =>
        root.DescendantTrivia().FirstOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia)) is { RawKind: not 0 } eol ? eol.ToFullString() : "\n";

    /// <summary>The whitespace at the start of the line that holds <paramref name="position"/>.</summary>
    public static string Indentation(SourceText text, int position)
    {
        var line = text.Lines.GetLineFromPosition(position);
        var end = line.Start;
        while (end < line.End && text[end] is ' ' or '\t')
        {
            end++;
        }

        return text.ToString(TextSpan.FromBounds(line.Start, end));
    }

    /// <summary>One level of indentation as the file writes it: the step's indentation beyond its class's.</summary>
    public static string IndentUnit(SourceText text, MethodDeclarationSyntax method)
    {
        var member = Indentation(text, method.SpanStart);
        var type = method.Parent is TypeDeclarationSyntax declaration ? Indentation(text, declaration.SpanStart) : "";
        return member.Length > type.Length && member.StartsWith(type, System.StringComparison.Ordinal) ? member.Substring(type.Length) : DefaultIndentUnit;
    }

    public static bool IsOnOneLine(SourceText text, SyntaxNode node) =>
        text.Lines.GetLineFromPosition(node.SpanStart).LineNumber == text.Lines.GetLineFromPosition(node.Span.End).LineNumber;

    public static bool IsOnOneLine(SourceText text, SyntaxToken first, SyntaxToken last) =>
        text.Lines.GetLineFromPosition(first.SpanStart).LineNumber == text.Lines.GetLineFromPosition(last.Span.End).LineNumber;
}
