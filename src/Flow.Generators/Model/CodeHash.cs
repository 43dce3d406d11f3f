using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Flow.Generators.Model;

/// <summary>
/// The code fingerprint of a [Cache] step: SHA-256 (hex) of the normalized syntax of the step's parameters and body and
/// of every member of the flow class the step uses, followed transitively (a helper method, a field, a constant, a
/// property, a method a helper calls), steps excepted (<c>Next(Train)</c> does not make a step depend on Train's code).
/// Normalized: only the tokens count, one space between each, so whitespace and comments change nothing; attributes
/// are left out. Code outside the flow class (other classes, other assemblies) is not seen.
/// On the same walk, the scripts the step runs: the path of each call of <c>Script.Run</c> or <c>Script.RunAsync</c>
/// whose path is a compile-time constant (<c>Script.Run("fit.R", ...)</c>, a const string), in the order found.
/// </summary>
internal static class CodeHash
{
    /// <summary>The code hash (hex) and the constant paths of the scripts the step's code runs, each once.</summary>
    public sealed record Result(string Hash, EquatableArray<string> Scripts);

    public static Result Of(FlowDeclaration flow, StepDeclaration step, Compilation compilation, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        var scripts = new List<string>();
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
            foreach (var invocation in node.DescendantNodes(n => n is not AttributeListSyntax).OfType<InvocationExpressionSyntax>())
            {
                if (ScriptPath(flow.Symbols, model, invocation, cancellationToken) is { } path && !scripts.Contains(path))
                {
                    scripts.Add(path);
                }
            }

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

        return new Result(hex.ToString(), scripts.ToEquatableArray());
    }

    // The path a call of Script.Run or Script.RunAsync passes, when it is a compile-time constant; else null.
    private static string? ScriptPath(FlowSymbols symbols, SemanticModel model, InvocationExpressionSyntax invocation, CancellationToken cancellationToken)
    {
        if (symbols.ScriptRuns.IsEmpty
            || model.GetSymbolInfo(invocation, cancellationToken).Symbol is not IMethodSymbol method
            || !symbols.ScriptRuns.Contains(method.OriginalDefinition, SymbolEqualityComparer.Default)
            || model.GetOperation(invocation, cancellationToken) is not IInvocationOperation operation)
        {
            return null;
        }

        var path = operation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0);
        // A blank path names no file (Script.Run refuses it when the step runs): nothing to add to the key.
        return path?.Value.ConstantValue is { HasValue: true, Value: string value } && !string.IsNullOrWhiteSpace(value) && value.IndexOf('\0') < 0 ? value : null;
    }
}
