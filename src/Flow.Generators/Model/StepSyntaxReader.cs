using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Flow.Generators.Model;

/// <summary>
/// Reads what a step body names (<see cref="StepBodyReader.ReadNames"/>'s Next calls, nested Next calls,
/// writes and uses) from its syntax and the flow's members, without binding the body. A simple name in a
/// step body that no local declares means the flow's member of that name; where the syntax leaves any
/// doubt (a local that shadows a member, a name in a pattern, <c>base</c>, a query, an unusual Next
/// argument), it gives up and the body is bound instead.
/// </summary>
internal sealed class StepSyntaxReader
{
    private readonly FlowSymbols _symbols;
    private readonly INamedTypeSymbol _flowType;
    private readonly ImmutableHashSet<string> _artifacts;
    private readonly HashSet<string> _declared = new();
    private readonly StepBody _result = new();

    private StepSyntaxReader(FlowSymbols symbols, INamedTypeSymbol flowType, ImmutableHashSet<string> artifacts)
    {
        _symbols = symbols;
        _flowType = flowType;
        _artifacts = artifacts;
    }

    /// <summary>What the body names, or null when its syntax alone cannot say.</summary>
    public static StepBody? Read(MethodDeclarationSyntax method, FlowSymbols symbols, INamedTypeSymbol flowType, ImmutableHashSet<string> artifacts)
    {
        var body = (SyntaxNode?)method.Body ?? method.ExpressionBody;
        if (body is null || (method.Body is not null && method.ExpressionBody is not null))
        {
            return null;
        }

        var reader = new StepSyntaxReader(symbols, flowType, artifacts);
        return reader.Declarations(method) && reader.Names(body) && reader.Writes(body) ? reader._result : null;
    }

    /// <summary>Collects every name the method declares (parameters, locals, lambdas' parameters, ...); false for a query.</summary>
    private bool Declarations(MethodDeclarationSyntax method)
    {
        foreach (var node in method.DescendantNodes())
        {
            switch (node)
            {
                case QueryExpressionSyntax:
                    return false;
                case ParameterSyntax parameter:
                    _declared.Add(parameter.Identifier.ValueText);
                    break;
                case VariableDeclaratorSyntax variable:
                    _declared.Add(variable.Identifier.ValueText);
                    break;
                case SingleVariableDesignationSyntax designation:
                    _declared.Add(designation.Identifier.ValueText);
                    break;
                case LocalFunctionStatementSyntax function:
                    _declared.Add(function.Identifier.ValueText);
                    break;
                case ForEachStatementSyntax loop:
                    _declared.Add(loop.Identifier.ValueText);
                    break;
                case CatchDeclarationSyntax caught:
                    _declared.Add(caught.Identifier.ValueText);
                    break;
                case TypeParameterSyntax typeParameter:
                    _declared.Add(typeParameter.Identifier.ValueText);
                    break;
                case LabeledStatementSyntax label:
                    _declared.Add(label.Identifier.ValueText);
                    break;
            }
        }

        return !_declared.Contains("Next") && Members("Next").All(m => IsFlowApi(m));
    }

    /// <summary>Next calls, nested Next calls and the artifacts the body names (or that it may reach others).</summary>
    private bool Names(SyntaxNode body)
    {
        var nexts = new List<InvocationExpressionSyntax>();
        foreach (var node in body.DescendantNodesAndSelf())
        {
            switch (node)
            {
                case BaseExpressionSyntax:
                    return false;
                case ThisExpressionSyntax self:
                    if (self.Parent is not MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax } access)
                    {
                        // `this` passed on, indexed or converted: the body may reach any artifact.
                        _result.Uses = null;
                    }
                    else if (!Use(access.Name, access))
                    {
                        return false;
                    }

                    break;
                case SimpleNameSyntax name when IsSimpleName(name):
                    if (_declared.Contains(name.Identifier.ValueText))
                    {
                        if (Members(name.Identifier.ValueText).Any())
                        {
                            return false;
                        }
                    }
                    else if (!Use(name, name))
                    {
                        return false;
                    }

                    break;
                case InvocationExpressionSyntax invocation when IsNext(invocation):
                    nexts.Add(invocation);
                    break;
            }
        }

        foreach (var call in nexts)
        {
            var enclosing = call.Ancestors().TakeWhile(a => a != body).FirstOrDefault(a => a is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax);
            if (enclosing is not null)
            {
                _result.NestedNext.Add(new NamedUse(enclosing is LocalFunctionStatementSyntax ? "a local function" : "a lambda", LocationInfo.From(call)));
                continue;
            }

            var targets = ImmutableArray.CreateBuilder<NextTarget>();
            foreach (var argument in call.ArgumentList.Arguments)
            {
                if (argument.NameColon is not null || !argument.RefKindKeyword.IsKind(SyntaxKind.None) || Target(argument.Expression) is not { } target)
                {
                    return false;
                }

                targets.Add(target);
            }

            _result.NextCalls.Add(new NextCall(LocationInfo.From(call), targets.ToImmutable()));
        }

        return true;
    }

    /// <summary>Every write of an artifact, in evaluation order (a value before the target it is assigned to), outside lambdas and local functions.</summary>
    private bool Writes(SyntaxNode body)
    {
        var ok = true;
        Visit(body);
        var distinct = _result.Writes.Distinct().ToList();
        _result.Writes.Clear();
        _result.Writes.AddRange(distinct);
        return ok;

        void Visit(SyntaxNode node)
        {
            switch (node)
            {
                case AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax:
                    return;
                case DoStatementSyntax:
                case ArgumentListSyntax arguments when arguments.Arguments.Any(a => a.NameColon is not null):
                    // Their operations are not in source order (a named argument goes to its parameter's place).
                    ok &= !node.DescendantNodes().Any(IsWrite);
                    break;
            }

            // A for loop runs its body before its incrementors.
            var children = node is ForStatementSyntax loop
                ? node.ChildNodes().Where(c => !loop.Incrementors.Contains(c)).Concat(loop.Incrementors)
                : node.ChildNodes();
            foreach (var child in children)
            {
                Visit(child);
            }

            switch (node)
            {
                case AssignmentExpressionSyntax assignment when assignment.Parent is not InitializerExpressionSyntax { RawKind: (int)SyntaxKind.ObjectInitializerExpression or (int)SyntaxKind.WithInitializerExpression }:
                    if (assignment.Left is TupleExpressionSyntax tuple)
                    {
                        // Each element is written, not what it names inside (K in L[K] is read).
                        foreach (var element in TupleTargets(tuple))
                        {
                            Write(element, nested: true);
                        }
                    }
                    else
                    {
                        Write(assignment.Left, nested: false);
                    }

                    break;
                case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression } prefix:
                    Write(prefix.Operand, nested: false);
                    break;
                case PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostIncrementExpression or (int)SyntaxKind.PostDecrementExpression } postfix:
                    Write(postfix.Operand, nested: false);
                    break;
            }
        }

        void Write(ExpressionSyntax target, bool nested)
        {
            var name = target switch
            {
                IdentifierNameSyntax identifier when !nested || identifier.Parent is not MemberAccessExpressionSyntax => identifier.Identifier.ValueText,
                MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name: IdentifierNameSyntax member } => member.Identifier.ValueText,
                _ => null,
            };
            if (name is not null && (target is MemberAccessExpressionSyntax || !_declared.Contains(name)) && IsArtifact(name))
            {
                _result.Writes.Add(new NamedUse(name, LocationInfo.From(target)));
            }
            else if (name is null && !nested && target is not (ElementAccessExpressionSyntax or MemberAccessExpressionSyntax or IdentifierNameSyntax or DeclarationExpressionSyntax))
            {
                ok = false;
            }
        }
    }

    private static IEnumerable<ExpressionSyntax> TupleTargets(TupleExpressionSyntax tuple) =>
        tuple.Arguments.SelectMany(a => a.Expression is TupleExpressionSyntax inner ? TupleTargets(inner) : new[] { a.Expression });

    private static bool IsWrite(SyntaxNode node) => node is AssignmentExpressionSyntax
        or PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression }
        or PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostIncrementExpression or (int)SyntaxKind.PostDecrementExpression };

    /// <summary>A simple name that stands for a member of the enclosing scope (not a member of another object, a named argument or a type).</summary>
    private static bool IsSimpleName(SimpleNameSyntax name) => name.Parent switch
    {
        MemberAccessExpressionSyntax access when access.Name == name => false,
        MemberBindingExpressionSyntax => false,
        QualifiedNameSyntax => false,
        AliasQualifiedNameSyntax => false,
        NameColonSyntax => false,
        NameEqualsSyntax => false,
        AssignmentExpressionSyntax { Parent: InitializerExpressionSyntax { RawKind: (int)SyntaxKind.ObjectInitializerExpression or (int)SyntaxKind.WithInitializerExpression } } assignment
            when assignment.Left == name => false,
        _ => !SyntaxFacts.IsInTypeOnlyContext(name),
    };

    /// <summary>Records what a name of the flow's members does to what the body can reach; false when the syntax cannot say.</summary>
    private bool Use(SimpleNameSyntax name, ExpressionSyntax expression)
    {
        var text = name.Identifier.ValueText;
        var members = Members(text).ToList();
        if (members.Count == 0)
        {
            if (expression is MemberAccessExpressionSyntax)
            {
                // `this.Extension()`: this is handed to a method that may reach any artifact.
                _result.Uses = null;
            }

            return true;
        }

        if (expression.Ancestors().Any(a => a is PatternSyntax)
            || expression.Parent is BinaryExpressionSyntax { RawKind: (int)SyntaxKind.IsExpression or (int)SyntaxKind.AsExpression }
            || expression.Parent is GotoStatementSyntax)
        {
            return false;
        }

        var first = members[0];
        if (expression.Ancestors().Any(a => a is InvocationExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "nameof" } })
            && !(first is IPropertySymbol && _artifacts.Contains(text)))
        {
            return false;
        }

        if (members.Any(m => m.Kind != first.Kind || m.IsStatic != first.IsStatic) || first is INamedTypeSymbol)
        {
            return false;
        }

        if (first.IsStatic || _result.Uses is null)
        {
            return true;
        }

        switch (first)
        {
            case IPropertySymbol property when _artifacts.Contains(text):
                if (property.Type.Name == text)
                {
                    // A property named as its type: `X.Member` may mean the type.
                    return false;
                }

                _result.Uses.Add(text);
                return true;
            case IPropertySymbol property:
                if (!IsFlowApi(property))
                {
                    _result.Uses = null;
                }

                return true;
            case IMethodSymbol:
                var invoked = expression.Parent is InvocationExpressionSyntax invocation && invocation.Expression == expression;
                var safe = invoked
                    ? IsFlowApi(first) && text != "MergeArtifacts"
                    : expression.Parent is ArgumentSyntax { Parent: ArgumentListSyntax { Parent: InvocationExpressionSyntax call } } && IsNext(call);
                if (!safe)
                {
                    _result.Uses = null;
                }

                return true;
            default:
                _result.Uses = null;
                return true;
        }
    }

    /// <summary>A Next argument: a step when it names a method of this flow, otherwise an invalid target; null when the syntax cannot say.</summary>
    private NextTarget? Target(ExpressionSyntax expression)
    {
        var name = expression switch
        {
            IdentifierNameSyntax identifier when !_declared.Contains(identifier.Identifier.ValueText) => identifier.Identifier.ValueText,
            MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name: IdentifierNameSyntax member } => member.Identifier.ValueText,
            _ => null,
        };
        if (name is null)
        {
            return null;
        }

        // A name that is no member (most likely a typo) leaves the whole call unbound: let the binder say what it is.
        var members = Members(name).ToList();
        if (members.Count == 0 || (members.Count > 1 && members.Any(m => m is IMethodSymbol)))
        {
            return null;
        }

        var step = members.Count == 1 && members[0] is IMethodSymbol method && IsSameOrBase(method.ContainingType) ? name : null;
        return new NextTarget(step, expression.ToString(), LocationInfo.From(expression));
    }

    private bool IsNext(InvocationExpressionSyntax invocation) => invocation.Expression switch
    {
        IdentifierNameSyntax { Identifier.ValueText: "Next" } => true,
        MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name.Identifier.ValueText: "Next" } => true,
        _ => false,
    };

    private bool IsArtifact(string name) => _artifacts.Contains(name) && Members(name).FirstOrDefault() is IPropertySymbol { IsStatic: false };

    /// <summary>The members of the flow and its bases with a name, the most derived first.</summary>
    private IEnumerable<ISymbol> Members(string name)
    {
        for (var t = _flowType; t is not null; t = t.BaseType)
        {
            foreach (var member in t.GetMembers(name))
            {
                if (member is not IMethodSymbol { MethodKind: not MethodKind.Ordinary })
                {
                    yield return member;
                }
            }
        }
    }

    private bool IsFlowApi(ISymbol member) => SymbolEqualityComparer.Default.Equals(member.ContainingType?.OriginalDefinition, _symbols.FlowSpec);

    private bool IsSameOrBase(INamedTypeSymbol candidate)
    {
        for (INamedTypeSymbol? t = _flowType; t is not null; t = t.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(t, candidate))
            {
                return true;
            }
        }

        return false;
    }
}
