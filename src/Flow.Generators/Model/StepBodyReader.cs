using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Flow.Generators.Model;

/// <summary>
/// Reads what one step body does. <see cref="ReadNames"/> walks its operations once for what the generated
/// code and the graph need: its Next calls, the artifacts it names and writes, the branches it reads.
/// <see cref="ReadPaths"/> adds what holds on every path (a Next on each, the artifacts set before each read),
/// from the body's control-flow graph, or from its operations in order when it has one path.
/// </summary>
internal static class StepBodyReader
{
    private const int Zero = 1;
    private const int One = 2;
    private const int Many = 4;

    /// <summary>Stands in the set of written artifacts once MergeArtifacts has run; no property can have this name.</summary>
    private const string Merged = "<merged>";

    /// <summary>The kinds of collection expressions and their spreads, newer than the Roslyn this builds against.</summary>
    private const OperationKind CollectionExpression = (OperationKind)0x7F;
    private const OperationKind Spread = (OperationKind)0x80;

    /// <summary>Everything about a body: its names, and its paths by walking it when it has one, on the graph <paramref name="graph"/> gives otherwise.</summary>
    public static StepBody Read(
        IOperation body,
        System.Func<ControlFlowGraph> graph,
        FlowSymbols symbols,
        INamedTypeSymbol flowType,
        ImmutableHashSet<string> artifacts,
        CancellationToken cancellationToken)
    {
        var result = ReadNames(body, symbols, flowType, artifacts);
        ReadPaths(body, graph, symbols, flowType, artifacts, result, cancellationToken);
        return result;
    }

    /// <summary>Everything about a body, its paths from the given control-flow graph.</summary>
    public static StepBody Read(
        IOperation body,
        ControlFlowGraph cfg,
        FlowSymbols symbols,
        INamedTypeSymbol flowType,
        ImmutableHashSet<string> artifacts,
        CancellationToken cancellationToken)
    {
        var result = ReadNames(body, symbols, flowType, artifacts);
        ReadGraphPaths(body, cfg, symbols, flowType, artifacts, result, cancellationToken);
        return result;
    }

    /// <summary>Everything about a body with one path (<see cref="HasOnePath"/>), its paths from its operations in order.</summary>
    internal static StepBody ReadOnePath(IOperation body, FlowSymbols symbols, INamedTypeSymbol flowType, ImmutableHashSet<string> artifacts)
    {
        var result = ReadNames(body, symbols, flowType, artifacts);
        ReadOnePath(body, symbols, flowType, artifacts, result);
        return result;
    }

    /// <summary>What a body names, in one walk of its operations: no control-flow graph, nothing path by path.</summary>
    public static StepBody ReadNames(IOperation body, FlowSymbols symbols, INamedTypeSymbol flowType, ImmutableHashSet<string> artifacts)
    {
        var result = new StepBody();
        FindNestedNext(body, symbols, result);
        FindBranchReadsAndMerges(body, symbols, result);
        FindUses(body, symbols, artifacts, result);
        var nexts = new List<IInvocationOperation>();
        FindNext(body, symbols, nexts);
        foreach (var call in nexts.OrderBy(n => n.Syntax.SpanStart))
        {
            result.NextCalls.Add(new NextCall(LocationInfo.From(call.Syntax), Targets(call, flowType).ToImmutableArray()));
        }

        if (!artifacts.IsEmpty)
        {
            new ArtifactWalker(symbols, flowType, artifacts, references: null, paths: false).Visit(body, ImmutableHashSet<string>.Empty, result);
            RemoveDuplicates(result.Writes);
        }

        return result;
    }

    /// <summary>Adds to a body's names what holds on its paths: by walking it when it has one, on the graph <paramref name="graph"/> gives otherwise.</summary>
    public static void ReadPaths(
        IOperation body,
        System.Func<ControlFlowGraph> graph,
        FlowSymbols symbols,
        INamedTypeSymbol flowType,
        ImmutableHashSet<string> artifacts,
        StepBody result,
        CancellationToken cancellationToken)
    {
        if (HasOnePath(body))
        {
            ReadOnePath(body, symbols, flowType, artifacts, result);
        }
        else
        {
            ReadGraphPaths(body, graph(), symbols, flowType, artifacts, result, cancellationToken);
        }
    }

    private static void ReadGraphPaths(
        IOperation body,
        ControlFlowGraph cfg,
        FlowSymbols symbols,
        INamedTypeSymbol flowType,
        ImmutableHashSet<string> artifacts,
        StepBody result,
        CancellationToken cancellationToken)
    {
        var blocks = cfg.Blocks;
        var counts = new int[blocks.Length];
        var nexts = new List<IInvocationOperation>[blocks.Length];
        for (var i = 0; i < blocks.Length; i++)
        {
            nexts[i] = BlockOperations(blocks[i])
                .SelectMany(o => o.DescendantsAndSelf())
                .OfType<IInvocationOperation>()
                .Where(inv => symbols.IsNext(inv.TargetMethod))
                .ToList();
            counts[i] = nexts[i].Count;
        }

        var handlers = HandlerEntries(cfg.Root);
        var inState = new int[blocks.Length];
        inState[0] = Zero;
        Solve(blocks, handlers, inState, (b, s) => Shift(s, counts[b]), (a, b) => a | b, (a, b) => a == b, cancellationToken);
        var exit = blocks[blocks.Length - 1];
        result.CanMissNext = (inState[exit.Ordinal] & Zero) != 0;
        for (var i = 0; i < blocks.Length && result.RepeatedNext is null; i++)
        {
            var state = inState[i];
            foreach (var call in nexts[i])
            {
                if ((state & (One | Many)) != 0)
                {
                    result.RepeatedNext = LocationInfo.From(call.Syntax);
                    break;
                }

                state = Shift(state, 1);
            }
        }

        if (!artifacts.IsEmpty)
        {
            AnalyzeArtifacts(blocks, handlers, symbols, flowType, artifacts, result, cancellationToken);
        }
    }

    /// <summary>
    /// Whether a body's control-flow graph is one chain of blocks: none of its operations branches (conditions,
    /// loops, switches, short-circuits, null checks, try, using, lock, return, throw, goto) or is rewritten with
    /// branches (such as interpolated string handlers). Lambdas and local functions have graphs of their own,
    /// and nameof is a constant. Any operation not listed takes the graph.
    /// </summary>
    internal static bool HasOnePath(IOperation operation)
    {
        switch (operation.Kind)
        {
            case OperationKind.AnonymousFunction:
            case OperationKind.LocalFunction:
            case OperationKind.NameOf:
                return true;
            case OperationKind.MethodBody:
                if (operation is IMethodBodyOperation { BlockBody: not null, ExpressionBody: not null })
                {
                    return false;
                }

                break;
            case OperationKind.Binary:
                if (operation is IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr })
                {
                    return false;
                }

                break;
            case OperationKind.Block:
            case OperationKind.ExpressionStatement:
            case OperationKind.Empty:
            case OperationKind.VariableDeclarationGroup:
            case OperationKind.VariableDeclaration:
            case OperationKind.VariableDeclarator:
            case OperationKind.VariableInitializer:
            case OperationKind.SimpleAssignment:
            case OperationKind.CompoundAssignment:
            case OperationKind.Increment:
            case OperationKind.Decrement:
            case OperationKind.DeconstructionAssignment:
            case OperationKind.Tuple:
            case OperationKind.Invocation:
            case OperationKind.Argument:
            case OperationKind.LocalReference:
            case OperationKind.ParameterReference:
            case OperationKind.FieldReference:
            case OperationKind.PropertyReference:
            case OperationKind.InstanceReference:
            case OperationKind.Literal:
            case OperationKind.Conversion:
            case OperationKind.Unary:
            case OperationKind.ObjectCreation:
            case OperationKind.ObjectOrCollectionInitializer:
            case OperationKind.ArrayCreation:
            case OperationKind.ArrayInitializer:
            case OperationKind.ArrayElementReference:
            case OperationKind.DelegateCreation:
            case OperationKind.MethodReference:
            case OperationKind.InterpolatedString:
            case OperationKind.InterpolatedStringText:
            case OperationKind.Interpolation:
            case OperationKind.TypeOf:
            case OperationKind.DefaultValue:
            case CollectionExpression:
            case Spread:
                break;
            default:
                return false;
        }

        foreach (var child in operation.ChildOperations)
        {
            if (!HasOnePath(child))
            {
                return false;
            }
        }

        return true;
    }

    private static void ReadOnePath(IOperation body, FlowSymbols symbols, INamedTypeSymbol flowType, ImmutableHashSet<string> artifacts, StepBody result)
    {
        // On one path, no Next means a path without one, and the second Next comes after the first.
        result.CanMissNext = result.NextCalls.Count == 0;
        if (result.NextCalls.Count > 1)
        {
            result.RepeatedNext = result.NextCalls[1].Location;
        }

        if (!artifacts.IsEmpty)
        {
            var walker = new ArtifactWalker(symbols, flowType, artifacts, references: null, paths: true);
            var exit = walker.Visit(body, ImmutableHashSet<string>.Empty, result);
            result.WrittenAtExit.UnionWith(exit.Remove(Merged));
            RemoveDuplicates(result.UnsafeReads);
            RemoveDuplicates(result.MergedReads);
        }
    }

    /// <summary>The Next calls of a body in evaluation order, leaving out those in lambdas and local functions.</summary>
    private static void FindNext(IOperation operation, FlowSymbols symbols, List<IInvocationOperation> result)
    {
        if (operation is IInvocationOperation invocation && symbols.IsNext(invocation.TargetMethod))
        {
            result.Add(invocation);
        }

        foreach (var child in operation.ChildOperations)
        {
            if (child.Kind is not (OperationKind.AnonymousFunction or OperationKind.LocalFunction))
            {
                FindNext(child, symbols, result);
            }
        }
    }

    private static IEnumerable<NextTarget> Targets(IInvocationOperation call, INamedTypeSymbol flowType)
    {
        foreach (var argument in call.Arguments)
        {
            var values = argument.Value is IArrayCreationOperation { Initializer: { } init } && argument.ArgumentKind == ArgumentKind.ParamArray
                ? init.ElementValues
                : ImmutableArray.Create(argument.Value);
            foreach (var value in values)
            {
                yield return Target(value, flowType);
            }
        }
    }

    private static NextTarget Target(IOperation value, INamedTypeSymbol flowType)
    {
        var current = value;
        while (true)
        {
            switch (current)
            {
                case IConversionOperation conversion:
                    current = conversion.Operand;
                    continue;
                case IDelegateCreationOperation creation:
                    current = creation.Target;
                    continue;
                case IParenthesizedOperation parenthesized:
                    current = parenthesized.Operand;
                    continue;
            }

            break;
        }

        var text = value.Syntax.ToString();
        var location = LocationInfo.From(value.Syntax);
        // A static step is a target too: its signature is reported on its own (FLOW008).
        if (current is IMethodReferenceOperation reference
            && (reference.Instance is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }
                || (reference.Instance is null && reference.Method.IsStatic))
            && IsSameOrBase(flowType, reference.Method.ContainingType))
        {
            return new NextTarget(reference.Method.Name, text, location);
        }

        return new NextTarget(null, text, location);
    }

    private static bool IsSameOrBase(INamedTypeSymbol type, INamedTypeSymbol candidate)
    {
        for (INamedTypeSymbol? t = type; t is not null; t = t.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(t, candidate))
            {
                return true;
            }
        }

        return false;
    }

    private static void FindNestedNext(IOperation body, FlowSymbols symbols, StepBody result)
    {
        foreach (var invocation in body.Descendants().OfType<IInvocationOperation>())
        {
            if (!symbols.IsNext(invocation.TargetMethod))
            {
                continue;
            }

            for (var parent = invocation.Parent; parent is not null; parent = parent.Parent)
            {
                if (parent is IAnonymousFunctionOperation)
                {
                    result.NestedNext.Add(new NamedUse("a lambda", LocationInfo.From(invocation.Syntax)));
                    break;
                }

                if (parent is ILocalFunctionOperation)
                {
                    result.NestedNext.Add(new NamedUse("a local function", LocationInfo.From(invocation.Syntax)));
                    break;
                }
            }
        }
    }

    /// <summary>The artifacts the body names, or null when it may reach others (see <see cref="StepBody.Uses"/>).</summary>
    private static void FindUses(IOperation body, FlowSymbols symbols, ImmutableHashSet<string> artifacts, StepBody result)
    {
        var uses = result.Uses!;
        foreach (var operation in body.Descendants())
        {
            if (operation is not IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } instance)
            {
                continue;
            }

            var safe = instance.Parent switch
            {
                IPropertyReferenceOperation property when ReferenceEquals(property.Instance, instance) =>
                    artifacts.Contains(property.Property.Name) ? uses.Add(property.Property.Name) || true : IsFlowApi(property.Property, symbols),
                IInvocationOperation invocation when ReferenceEquals(invocation.Instance, instance) =>
                    !symbols.IsMergeArtifacts(invocation.TargetMethod) && IsFlowApi(invocation.TargetMethod, symbols),
                // A field may hold a helper or a lambda that reaches the flow's artifacts: conservatively, every artifact.
                IFieldReferenceOperation field when ReferenceEquals(field.Instance, instance) => false,
                IMethodReferenceOperation method when ReferenceEquals(method.Instance, instance) => IsNextTarget(method, symbols),
                _ => false,
            };
            if (!safe)
            {
                result.Uses = null;
                return;
            }
        }
    }

    // A step passed to Next (Next(B), Next(x ? B : C)): a transition, not a call.
    private static bool IsNextTarget(IMethodReferenceOperation method, FlowSymbols symbols)
    {
        for (var parent = method.Parent; parent is not null; parent = parent.Parent)
        {
            switch (parent)
            {
                case IDelegateCreationOperation or IConversionOperation or IConditionalOperation or IArrayElementReferenceOperation or IArrayInitializerOperation or IArrayCreationOperation:
                    continue;
                case IArgumentOperation { Parent: IInvocationOperation invocation }:
                    return symbols.IsNext(invocation.TargetMethod);
                default:
                    return false;
            }
        }

        return false;
    }

    // A member of Flow's own FlowSpec (Next, Current, ...): it touches no artifact of the flow.
    private static bool IsFlowApi(ISymbol member, FlowSymbols symbols) =>
        SymbolEqualityComparer.Default.Equals(member.ContainingType?.OriginalDefinition, symbols.FlowSpec);

    /// <summary>Generated branch accessors (<c>inputs.A()</c>) anywhere in the body, and the names MergeArtifacts excludes.</summary>
    private static void FindBranchReadsAndMerges(IOperation body, FlowSymbols symbols, StepBody result)
    {
        foreach (var invocation in body.Descendants().OfType<IInvocationOperation>())
        {
            if (symbols.IsMergeArtifacts(invocation.TargetMethod))
            {
                foreach (var argument in invocation.Arguments.Where(a => a.ArgumentKind == ArgumentKind.ParamArray))
                {
                    var names = argument.Value is IArrayCreationOperation { Initializer: { } init } ? init.ElementValues : ImmutableArray<IOperation>.Empty;
                    foreach (var name in names)
                    {
                        if (name.ConstantValue is { HasValue: true, Value: string excluded })
                        {
                            result.MergeExcluded.Add(excluded);
                        }
                    }
                }
            }
            else if (symbols.JoinBranch is { } branchAttribute
                && invocation.TargetMethod.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, branchAttribute)) is { } branch
                && branch.ConstructorArguments.Length == 1 && branch.ConstructorArguments[0].Value is string step)
            {
                result.BranchReads.Add(new NamedUse(step, LocationInfo.From(invocation.Syntax)));
            }
        }
    }

    private static IEnumerable<IOperation> BlockOperations(BasicBlock block) =>
        block.BranchValue is null ? block.Operations : block.Operations.Concat(new[] { block.BranchValue });

    private static int Shift(int state, int calls)
    {
        for (var i = 0; i < calls; i++)
        {
            state = ((state & Zero) != 0 ? One : 0) | ((state & (One | Many)) != 0 ? Many : 0);
        }

        return state;
    }

    /// <summary>The first block of each catch or filter handler, with the blocks of the try it guards.</summary>
    private static List<(int Handler, int TryFirst, int TryLast)> HandlerEntries(ControlFlowRegion root)
    {
        var result = new List<(int, int, int)>();
        var pending = new Stack<ControlFlowRegion>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var region = pending.Pop();
            if (region.Kind == ControlFlowRegionKind.TryAndCatch && region.NestedRegions.Length > 1)
            {
                var tryRegion = region.NestedRegions[0];
                foreach (var handler in region.NestedRegions.Skip(1))
                {
                    result.Add((handler.FirstBlockOrdinal, tryRegion.FirstBlockOrdinal, tryRegion.LastBlockOrdinal));
                }
            }

            foreach (var nested in region.NestedRegions)
            {
                pending.Push(nested);
            }
        }

        return result;
    }

    /// <summary>A forward data-flow fix point over the blocks; a handler starts from the state of the try it guards.</summary>
    private static void Solve<T>(
        ImmutableArray<BasicBlock> blocks,
        List<(int Handler, int TryFirst, int TryLast)> handlers,
        T[] inState,
        System.Func<int, T, T> transfer,
        System.Func<T, T, T> merge,
        System.Func<T, T, bool> same,
        CancellationToken cancellationToken)
        where T : notnull
    {
        var reached = new bool[blocks.Length];
        reached[0] = true;
        var changed = true;
        while (changed)
        {
            cancellationToken.ThrowIfCancellationRequested();
            changed = false;
            for (var i = 0; i < blocks.Length; i++)
            {
                if (!reached[i])
                {
                    continue;
                }

                var output = transfer(i, inState[i]);
                foreach (var successor in new[] { blocks[i].FallThroughSuccessor, blocks[i].ConditionalSuccessor })
                {
                    if (successor?.Destination is { } destination)
                    {
                        changed |= Flow(destination.Ordinal, output);
                    }
                }
            }

            foreach (var (handler, tryFirst, tryLast) in handlers)
            {
                for (var i = tryFirst; i <= tryLast; i++)
                {
                    if (reached[i])
                    {
                        changed |= Flow(handler, inState[i]);
                    }
                }
            }
        }

        bool Flow(int target, T value)
        {
            if (!reached[target])
            {
                reached[target] = true;
                inState[target] = value;
                return true;
            }

            var merged = merge(inState[target], value);
            if (same(merged, inState[target]))
            {
                return false;
            }

            inState[target] = merged;
            return true;
        }
    }

    private static void AnalyzeArtifacts(
        ImmutableArray<BasicBlock> blocks,
        List<(int Handler, int TryFirst, int TryLast)> handlers,
        FlowSymbols symbols,
        INamedTypeSymbol flowType,
        ImmutableHashSet<string> artifacts,
        StepBody result,
        CancellationToken cancellationToken)
    {
        var references = new Dictionary<CaptureId, string>();
        var walker = new ArtifactWalker(symbols, flowType, artifacts, references, paths: true);
        FindReferenceCaptures(blocks, walker.Artifact, references);
        var inState = new ImmutableHashSet<string>[blocks.Length];
        for (var i = 0; i < inState.Length; i++)
        {
            inState[i] = ImmutableHashSet<string>.Empty;
        }

        Solve(
            blocks,
            handlers,
            inState,
            (b, s) => Walk(blocks[b], s, null),
            (a, b) => a.Intersect(b),
            (a, b) => a.SetEquals(b),
            cancellationToken);
        for (var i = 0; i < blocks.Length; i++)
        {
            Walk(blocks[i], inState[i], result);
        }

        result.WrittenAtExit.UnionWith(inState[blocks.Length - 1].Remove(Merged));
        RemoveDuplicates(result.UnsafeReads);
        RemoveDuplicates(result.MergedReads);

        ImmutableHashSet<string> Walk(BasicBlock block, ImmutableHashSet<string> state, StepBody? record)
        {
            foreach (var operation in BlockOperations(block))
            {
                state = walker.Visit(operation, state, record);
            }

            return state;
        }
    }

    /// <summary>
    /// Follows the artifacts written so far through operations in evaluation order, recording (when given a
    /// body to record into) the writes, and the reads of artifacts not yet written.
    /// </summary>
    private sealed class ArtifactWalker
    {
        private readonly FlowSymbols _symbols;
        private readonly INamedTypeSymbol _flowType;
        private readonly ImmutableHashSet<string> _artifacts;
        private readonly Dictionary<CaptureId, string>? _references;

        /// <summary>Whether the walk follows a path (recording reads of artifacts not yet written) or names the writes.</summary>
        private readonly bool _paths;

        public ArtifactWalker(FlowSymbols symbols, INamedTypeSymbol flowType, ImmutableHashSet<string> artifacts, Dictionary<CaptureId, string>? references, bool paths)
        {
            _paths = paths;
            _symbols = symbols;
            _flowType = flowType;
            _artifacts = artifacts;
            _references = references;
        }

        public ImmutableHashSet<string> Visit(IOperation operation, ImmutableHashSet<string> state, StepBody? record)
        {
            switch (operation)
            {
                case ISimpleAssignmentOperation assignment when Artifact(assignment.Target) is { } name:
                    state = Visit(assignment.Value, state, record);
                    Write(name, assignment.Target.Syntax, record);
                    return state.Add(name);
                case ICompoundAssignmentOperation compound when Artifact(compound.Target) is { } name:
                    state = Read(name, compound.Target, state, record);
                    state = Visit(compound.Value, state, record);
                    Write(name, compound.Target.Syntax, record);
                    return state.Add(name);
                case ICoalesceAssignmentOperation coalesce when Artifact(coalesce.Target) is { } name:
                    state = Read(name, coalesce.Target, state, record);
                    state = Visit(coalesce.Value, state, record);
                    Write(name, coalesce.Target.Syntax, record);
                    return state.Add(name);
                case IIncrementOrDecrementOperation increment when Artifact(increment.Target) is { } name:
                    state = Read(name, increment.Target, state, record);
                    Write(name, increment.Target.Syntax, record);
                    return state.Add(name);
                case IDeconstructionAssignmentOperation deconstruction:
                    state = Visit(deconstruction.Value, state, record);
                    foreach (var element in TupleTargets(deconstruction.Target))
                    {
                        if (Artifact(element) is { } name)
                        {
                            Write(name, element.Syntax, record);
                            state = state.Add(name);
                        }
                        else
                        {
                            // An element such as L[K] is not written itself: what it names is read.
                            state = Visit(element, state, record);
                        }
                    }

                    return state;
                case IPropertyReferenceOperation reference when Artifact(reference) is { } name:
                    return Read(name, reference, state, record);
                case IFlowCaptureOperation capture when _references is not null && _references.ContainsKey(capture.Id):
                    return state;
                case IFlowCaptureReferenceOperation captured when Artifact(captured) is { } name:
                    return Read(name, captured, state, record);
                case IAnonymousFunctionOperation or ILocalFunctionOperation or INameOfOperation:
                    // Outside a graph (which has none of these): a lambda's or local function's body runs
                    // on its own path, and nameof reads nothing.
                    return state;
                case IInvocationOperation invocation:
                    foreach (var child in invocation.ChildOperations)
                    {
                        state = Visit(child, state, record);
                    }

                    if (_symbols.IsMergeArtifacts(invocation.TargetMethod))
                    {
                        if (record is not null && !_paths)
                        {
                            record.MergesArtifacts = true;
                        }

                        return state.Add(Merged);
                    }

                    return state;
                default:
                    foreach (var child in operation.ChildOperations)
                    {
                        state = Visit(child, state, record);
                    }

                    return state;
            }
        }

        public string? Artifact(IOperation operation) => operation switch
        {
            IPropertyReferenceOperation { Instance: IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } } property
                when _artifacts.Contains(property.Property.Name) && IsSameOrBase(_flowType, property.Property.ContainingType) => property.Property.Name,
            IFlowCaptureReferenceOperation captured when _references is not null && _references.TryGetValue(captured.Id, out var name) => name,
            _ => null,
        };

        private void Write(string name, SyntaxNode at, StepBody? record)
        {
            if (!_paths)
            {
                record?.Writes.Add(new NamedUse(name, LocationInfo.From(at)));
            }
        }

        private ImmutableHashSet<string> Read(string name, IOperation at, ImmutableHashSet<string> state, StepBody? record)
        {
            if (record is not null && _paths && !state.Contains(name))
            {
                var reads = state.Contains(Merged) && !record.MergeExcluded.Contains(name) ? record.MergedReads : record.UnsafeReads;
                reads.Add(new NamedUse(name, LocationInfo.From(at.Syntax)));
            }

            return state;
        }
    }

    /// <summary>
    /// The artifacts the control-flow graph captures as assignment targets (it spills a target before a
    /// value that branches, as in <c>X = c ? 1 : 2</c>): capturing such a reference does not read it.
    /// </summary>
    private static void FindReferenceCaptures(ImmutableArray<BasicBlock> blocks, System.Func<IOperation, string?> artifact, Dictionary<CaptureId, string> result)
    {
        var operations = blocks.SelectMany(BlockOperations).SelectMany(o => o.DescendantsAndSelf()).ToList();
        var targets = new HashSet<CaptureId>();
        foreach (var operation in operations)
        {
            var target = operation switch
            {
                IAssignmentOperation assignment => assignment.Target,
                IIncrementOrDecrementOperation increment => increment.Target,
                _ => null,
            };
            foreach (var captured in (target is null ? Enumerable.Empty<IOperation>() : TupleTargets(target)).OfType<IFlowCaptureReferenceOperation>())
            {
                targets.Add(captured.Id);
            }
        }

        foreach (var capture in operations.OfType<IFlowCaptureOperation>())
        {
            if (targets.Contains(capture.Id) && artifact(capture.Value) is { } name)
            {
                result[capture.Id] = name;
            }
        }
    }

    /// <summary>What an assignment writes: the target itself, or each element of a tuple target (not what the elements name inside).</summary>
    private static IEnumerable<IOperation> TupleTargets(IOperation target) =>
        target is ITupleOperation tuple ? tuple.Elements.SelectMany(TupleTargets) : new[] { target };

    private static void RemoveDuplicates(List<NamedUse> uses)
    {
        var distinct = uses.Distinct().ToList();
        uses.Clear();
        uses.AddRange(distinct);
    }
}
