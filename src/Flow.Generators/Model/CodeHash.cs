using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Flow.Generators.Model;

/// <summary>
/// The code fingerprint of a [Cache] step: SHA-256 (hex) of the normalized syntax of the step's parameters and body and
/// of every member of the flow class the step uses, followed transitively (a helper method, a field, a constant, a
/// property, a method a helper calls), steps excepted (<c>Next(Train)</c> does not make a step depend on Train's code).
/// Normalized: only the tokens count, one space between each, so whitespace and comments change nothing; attributes
/// are left out. Code outside the flow class (other classes, other assemblies) is not seen.
/// </summary>
internal static class CodeHash
{
    public static string Of(FlowDeclaration flow, StepDeclaration step, Compilation compilation, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        var seen = new HashSet<ISymbol>(SymbolEqualityComparer.Default) { step.Method };
        var pending = new Queue<(string Label, SyntaxNode Node)>();
        foreach (var reference in step.Method.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is MethodDeclarationSyntax method)
            {
                foreach (var part in new SyntaxNode?[] { method.ParameterList, method.Body, method.ExpressionBody })
                {
                    if (part is not null)
                    {
                        pending.Enqueue(("step " + step.Name, part));
                    }
                }
            }
        }

        while (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (label, node) = pending.Dequeue();
            text.Append('\n').Append(label).Append(':');
            foreach (var token in node.DescendantTokens(n => n is not AttributeListSyntax))
            {
                text.Append(' ').Append(token.Text);
            }

            var model = compilation.GetSemanticModel(node.SyntaxTree);
            foreach (var name in node.DescendantNodes(n => n is not AttributeListSyntax).OfType<SimpleNameSyntax>())
            {
                var info = model.GetSymbolInfo(name, cancellationToken);
                var symbol = info.Symbol ?? info.CandidateSymbols.FirstOrDefault();
                if (symbol is IMethodSymbol method)
                {
                    if (method.MethodKind is MethodKind.LocalFunction or MethodKind.AnonymousFunction)
                    {
                        continue;
                    }

                    symbol = (method.ReducedFrom ?? method).OriginalDefinition;
                }
                else if (symbol is not null)
                {
                    symbol = symbol.OriginalDefinition;
                }

                if (symbol is not (IMethodSymbol or IFieldSymbol or IPropertySymbol or IEventSymbol)
                    || !SymbolEqualityComparer.Default.Equals(symbol.ContainingType?.OriginalDefinition, flow.Type.OriginalDefinition)
                    || flow.Steps.Any(s => SymbolEqualityComparer.Default.Equals(s.Method, symbol))
                    || !seen.Add(symbol))
                {
                    continue;
                }

                foreach (var reference in symbol.DeclaringSyntaxReferences)
                {
                    var declaration = reference.GetSyntax(cancellationToken);

                    // A field's declarator holds only its name and initializer: its declaration holds the type as well.
                    if (declaration is VariableDeclaratorSyntax { Parent.Parent: { } field })
                    {
                        declaration = field;
                    }

                    pending.Enqueue((symbol.Name, declaration));
                }
            }
        }

        using var sha = SHA256.Create();
        var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(text.ToString()));
        var hex = new StringBuilder(hash.Length * 2);
        foreach (var b in hash)
        {
            hex.Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return hex.ToString();
    }
}
