using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Flow.Generators.Model;

/// <summary>
/// The analyzer's reading of a body without branches, from its syntax: what <see cref="StepBodyReader.Read(Microsoft.CodeAnalysis.IOperation, System.Func{Microsoft.CodeAnalysis.FlowAnalysis.ControlFlowGraph}, FlowSymbols, INamedTypeSymbol, ImmutableHashSet{string}, System.Threading.CancellationToken)"/>
/// finds on its bound operations, without binding it.
/// </summary>
internal sealed partial class StepSyntaxReader
{
    private ImmutableHashSet<string> _state = ImmutableHashSet<string>.Empty;
    private bool _merges;

    /// <summary>
    /// Everything about a body whose syntax shows one path: statements that are expressions or declarations,
    /// no expression that branches (<c>?:</c>, <c>??</c>, <c>?.</c>, <c>&amp;&amp;</c>, <c>||</c>, switch, patterns, throw, await) and
    /// nothing evaluated out of source order (named arguments, deconstruction). Null when the syntax cannot say,
    /// or when a call may be a branch accessor (<paramref name="mayReadBranch"/>, given the called name): only binding tells.
    /// </summary>
    public static StepBody? ReadOnePath(
        MethodDeclarationSyntax method,
        FlowSymbols symbols,
        INamedTypeSymbol flowType,
        ImmutableHashSet<string> artifacts,
        Func<string, bool> mayReadBranch)
    {
        var body = (SyntaxNode?)method.Body ?? method.ExpressionBody;
        if (body is null || (method.Body is not null && method.ExpressionBody is not null))
        {
            return null;
        }

        var reader = new StepSyntaxReader(symbols, flowType, artifacts);
        if (!reader.Declarations(method) || !reader.Names(body) || !reader.Writes(body)
            || reader._declared.Contains("nameof") || reader._declared.Contains("MergeArtifacts")
            || !reader.Calls(body, mayReadBranch) || !reader.Walk(body))
        {
            return null;
        }

        var result = reader._result;

        // On one path, no Next means a path without one, and the second Next comes after the first.
        result.CanMissNext = result.NextCalls.Count == 0;
        if (result.NextCalls.Count > 1)
        {
            result.RepeatedNext = result.NextCalls[1].Location;
        }

        if (!artifacts.IsEmpty)
        {
            result.MergesArtifacts = reader._merges;
            result.WrittenAtExit.UnionWith(reader._state.Remove(StepBodyReader.Merged));
        }

        RemoveDuplicates(result.UnsafeReads);
        RemoveDuplicates(result.MergedReads);
        return result;
    }

    /// <summary>Every call, lambdas included: the names MergeArtifacts excludes; false when a call may read a branch or is unclear.</summary>
    private bool Calls(SyntaxNode body, Func<string, bool> mayReadBranch)
    {
        foreach (var node in body.DescendantNodesAndSelf())
        {
            if (node is not InvocationExpressionSyntax invocation)
            {
                continue;
            }

            var (name, onThis) = invocation.Expression switch
            {
                SimpleNameSyntax simple => (simple.Identifier.ValueText, true),
                MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax } access => (access.Name.Identifier.ValueText, true),
                MemberAccessExpressionSyntax access => (access.Name.Identifier.ValueText, false),
                _ => ((string?)null, false),
            };
            if (name is null)
            {
                continue;
            }

            // A call on this binds to the flow's member of that name when there is one; any other may be an extension.
            if ((!onThis || !MemberNamed(name)) && mayReadBranch(name))
            {
                return false;
            }

            if (IsMergeArtifacts(invocation))
            {
                var arguments = invocation.ArgumentList.Arguments;
                for (var i = 1; i < arguments.Count; i++)
                {
                    if (ConstantName(arguments[i].Expression) is not { } excluded)
                    {
                        return false;
                    }

                    _result.MergeExcluded.Add(excluded);
                }
            }
        }

        return true;
    }

    /// <summary>A string literal, or nameof of a name: the text of the name.</summary>
    private string? ConstantName(ExpressionSyntax expression) => expression switch
    {
        LiteralExpressionSyntax { RawKind: (int)SyntaxKind.StringLiteralExpression } literal => literal.Token.ValueText,
        InvocationExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "nameof" }, ArgumentList.Arguments: [{ NameColon: null, Expression: var named }] } when !MemberNamed("nameof") => named switch
        {
            IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
            MemberAccessExpressionSyntax { Name: IdentifierNameSyntax member } => member.Identifier.ValueText,
            _ => null,
        },
        _ => null,
    };

    private bool MemberNamed(string name)
    {
        foreach (var _ in Members(name))
        {
            return true;
        }

        return false;
    }

    private bool IsMergeArtifacts(InvocationExpressionSyntax invocation)
    {
        var name = invocation.Expression switch
        {
            SimpleNameSyntax simple => simple,
            MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax } access => access.Name,
            _ => null,
        };
        if (name?.Identifier.ValueText != "MergeArtifacts")
        {
            return false;
        }

        foreach (var member in Members("MergeArtifacts"))
        {
            if (!IsFlowApi(member))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Follows the artifacts written so far through a statement or expression in evaluation order; false at anything that branches or is unclear.</summary>
    private bool Walk(SyntaxNode node)
    {
        switch (node)
        {
            case BlockSyntax block:
                foreach (var statement in block.Statements)
                {
                    if (!Walk(statement))
                    {
                        return false;
                    }
                }

                return true;
            case ExpressionStatementSyntax statement:
                return Walk(statement.Expression);
            case LocalDeclarationStatementSyntax declaration when declaration.UsingKeyword.IsKind(SyntaxKind.None) && declaration.AwaitKeyword.IsKind(SyntaxKind.None):
                foreach (var variable in declaration.Declaration.Variables)
                {
                    if (variable.ArgumentList is not null || (variable.Initializer is { } initializer && !Walk(initializer.Value)))
                    {
                        return false;
                    }
                }

                return true;
            case EmptyStatementSyntax:
            case LocalFunctionStatementSyntax:
            case AnonymousFunctionExpressionSyntax:
            case LiteralExpressionSyntax:
            case PredefinedTypeSyntax:
            case TypeOfExpressionSyntax:
            case DefaultExpressionSyntax:
            case SizeOfExpressionSyntax:
            case ThisExpressionSyntax:
            case GenericNameSyntax:
                return true;
            case ArrowExpressionClauseSyntax arrow:
                return Walk(arrow.Expression);
            case IdentifierNameSyntax identifier:
                if (ArtifactAt(identifier) is { } read)
                {
                    Read(read, identifier);
                }

                return true;
            case MemberAccessExpressionSyntax { RawKind: (int)SyntaxKind.SimpleMemberAccessExpression } access:
                if (access.Expression is ThisExpressionSyntax)
                {
                    if (ArtifactAt(access) is { } name)
                    {
                        Read(name, access);
                    }

                    return true;
                }

                return Walk(access.Expression);
            case ParenthesizedExpressionSyntax parenthesized:
                return Walk(parenthesized.Expression);
            case CastExpressionSyntax cast:
                return Walk(cast.Expression);
            case PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.SuppressNullableWarningExpression } suppressed:
                return Walk(suppressed.Operand);
            case PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostIncrementExpression or (int)SyntaxKind.PostDecrementExpression } postfix:
                return Increment(postfix.Operand);
            case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression } prefix:
                return Increment(prefix.Operand);
            case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.UnaryPlusExpression or (int)SyntaxKind.UnaryMinusExpression or (int)SyntaxKind.LogicalNotExpression or (int)SyntaxKind.BitwiseNotExpression } unary:
                return Walk(unary.Operand);
            case BinaryExpressionSyntax { RawKind: (int)SyntaxKind.AsExpression } binary:
                return Walk(binary.Left);
            case BinaryExpressionSyntax binary when !binary.IsKind(SyntaxKind.LogicalAndExpression) && !binary.IsKind(SyntaxKind.LogicalOrExpression)
                && !binary.IsKind(SyntaxKind.CoalesceExpression) && !binary.IsKind(SyntaxKind.IsExpression):
                return Walk(binary.Left) && Walk(binary.Right);
            case AssignmentExpressionSyntax assignment:
                return Assignment(assignment);
            case InvocationExpressionSyntax invocation:
                return Invocation(invocation);
            case ObjectCreationExpressionSyntax creation:
                return (creation.ArgumentList is null || Arguments(creation.ArgumentList.Arguments)) && (creation.Initializer is null || Initializer(creation.Initializer));
            case ImplicitObjectCreationExpressionSyntax creation:
                return Arguments(creation.ArgumentList.Arguments) && (creation.Initializer is null || Initializer(creation.Initializer));
            case ArrayCreationExpressionSyntax creation:
                foreach (var rank in creation.Type.RankSpecifiers)
                {
                    foreach (var size in rank.Sizes)
                    {
                        if (size is not OmittedArraySizeExpressionSyntax && !Walk(size))
                        {
                            return false;
                        }
                    }
                }

                return creation.Initializer is null || Initializer(creation.Initializer);
            case ImplicitArrayCreationExpressionSyntax creation:
                return Initializer(creation.Initializer);
            case InitializerExpressionSyntax initializer:
                return Initializer(initializer);
            case CollectionExpressionSyntax collection:
                foreach (var element in collection.Elements)
                {
                    var value = element switch
                    {
                        ExpressionElementSyntax expression => expression.Expression,
                        SpreadElementSyntax spread => spread.Expression,
                        _ => null,
                    };
                    if (value is null || !Walk(value))
                    {
                        return false;
                    }
                }

                return true;
            case ElementAccessExpressionSyntax element:
                return Walk(element.Expression) && Arguments(element.ArgumentList.Arguments);
            case InterpolatedStringExpressionSyntax interpolated:
                // A handler may skip the holes after one that returns false: only reads, which are the same either way, may be in them.
                foreach (var content in interpolated.Contents)
                {
                    if (content is InterpolationSyntax hole && (ContainsWrite(hole) || !Walk(hole.Expression)))
                    {
                        return false;
                    }
                }

                return true;
            case TupleExpressionSyntax tuple:
                foreach (var argument in tuple.Arguments)
                {
                    if (!Walk(argument.Expression))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return false;
        }
    }

    private static bool ContainsWrite(SyntaxNode node)
    {
        foreach (var descendant in node.DescendantNodes())
        {
            if (IsWrite(descendant))
            {
                return true;
            }
        }

        return false;
    }

    private bool Arguments(SeparatedSyntaxList<ArgumentSyntax> arguments)
    {
        foreach (var argument in arguments)
        {
            if (argument.NameColon is not null || !Walk(argument.Expression))
            {
                return false;
            }
        }

        return true;
    }

    private bool Invocation(InvocationExpressionSyntax invocation)
    {
        if (invocation.Expression is IdentifierNameSyntax { Identifier.ValueText: "nameof" } && !MemberNamed("nameof"))
        {
            // nameof reads nothing.
            return true;
        }

        if (!Walk(invocation.Expression) || !Arguments(invocation.ArgumentList.Arguments))
        {
            return false;
        }

        if (IsMergeArtifacts(invocation))
        {
            _merges = true;
            _state = _state.Add(StepBodyReader.Merged);
        }

        return true;
    }

    private bool Assignment(AssignmentExpressionSyntax assignment)
    {
        if (assignment.IsKind(SyntaxKind.CoalesceAssignmentExpression) || assignment.Left is TupleExpressionSyntax or DeclarationExpressionSyntax)
        {
            return false;
        }

        if (ArtifactAt(assignment.Left) is { } name)
        {
            if (!assignment.IsKind(SyntaxKind.SimpleAssignmentExpression))
            {
                Read(name, assignment.Left);
            }

            if (!Walk(assignment.Right))
            {
                return false;
            }

            _state = _state.Add(name);
            return true;
        }

        return TargetParts(assignment.Left) && Walk(assignment.Right);
    }

    private bool Increment(ExpressionSyntax operand)
    {
        if (ArtifactAt(operand) is { } name)
        {
            Read(name, operand);
            _state = _state.Add(name);
            return true;
        }

        return TargetParts(operand);
    }

    /// <summary>What an assignment to something that is not an artifact evaluates before its value.</summary>
    private bool TargetParts(ExpressionSyntax target) => target switch
    {
        IdentifierNameSyntax => true,
        MemberAccessExpressionSyntax { RawKind: (int)SyntaxKind.SimpleMemberAccessExpression, Expression: ThisExpressionSyntax } => true,
        MemberAccessExpressionSyntax { RawKind: (int)SyntaxKind.SimpleMemberAccessExpression } access => Walk(access.Expression),
        ElementAccessExpressionSyntax element => Walk(element.Expression) && Arguments(element.ArgumentList.Arguments),
        _ => false,
    };

    private bool Initializer(InitializerExpressionSyntax initializer)
    {
        foreach (var expression in initializer.Expressions)
        {
            if (initializer.IsKind(SyntaxKind.ObjectInitializerExpression))
            {
                // A member of the new object, not of the flow.
                if (expression is not AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SimpleAssignmentExpression, Left: IdentifierNameSyntax } member
                    || !Walk(member.Right))
                {
                    return false;
                }
            }
            else if (!Walk(expression))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The artifact a name or <c>this.Name</c> stands for, when it stands for one.</summary>
    private string? ArtifactAt(ExpressionSyntax expression)
    {
        var name = expression switch
        {
            IdentifierNameSyntax identifier when IsSimpleName(identifier) && !_declared.Contains(identifier.Identifier.ValueText) => identifier.Identifier.ValueText,
            MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name: IdentifierNameSyntax member } => member.Identifier.ValueText,
            _ => null,
        };
        return name is not null && IsArtifact(name) ? name : null;
    }

    private void Read(string name, SyntaxNode at)
    {
        if (!_state.Contains(name))
        {
            var reads = _state.Contains(StepBodyReader.Merged) && !_result.MergeExcluded.Contains(name) ? _result.MergedReads : _result.UnsafeReads;
            reads.Add(new NamedUse(name, LocationInfo.From(at)));
        }
    }

    private static void RemoveDuplicates(List<NamedUse> uses)
    {
        var seen = new HashSet<NamedUse>();
        uses.RemoveAll(u => !seen.Add(u));
    }
}
