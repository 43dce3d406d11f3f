using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;

namespace Flow.Generators.Model;

/// <summary>A transition that closes a cycle: the step, the target it goes back to, and the steps around it.</summary>
internal sealed record CycleFact(StepDeclaration Step, string Target, string Path);

/// <summary>A step that is not a join but is reached from several branches of a split.</summary>
internal sealed record MergeFact(StepDeclaration Step, string Split, ImmutableArray<StepDeclaration> Parents);

/// <summary>A join whose inputs come from branches of different splits.</summary>
internal sealed record UnrelatedJoinFact(StepDeclaration Join, ImmutableArray<string> Splits);

/// <summary>A join that closes a split, and the branches (the split's targets) that arrive at it.</summary>
internal sealed record Closing(StepDeclaration Join, ImmutableHashSet<string> Arrived);

/// <summary>
/// What the graph of a flow declaration implies, derived once before the rules run, and reporting nothing:
/// reachability, cycles (a loop's edge back to itself is not one), a topological order, and (for a graph with a start and no cycles) the split/join
/// nesting: which join closes which split, which steps merge branches without a join, and the branch accessors.
/// </summary>
internal sealed class FlowFacts
{
    private FlowFacts()
    {
    }

    /// <summary>Targets that go back to Start, with the step they are in (the end step's are not transitions).</summary>
    public List<(StepDeclaration Step, NextTarget Target)> EdgesToStart { get; } = new();

    public List<CycleFact> Cycles { get; } = new();

    public HashSet<string> Reachable { get; } = new();

    public bool HasStart { get; private set; }

    /// <summary>Whether the graph has a start and no cycle, so the steps have an order and splits a nesting.</summary>
    public bool IsOrdered => HasStart && EdgesToStart.Count == 0 && Cycles.Count == 0;

    /// <summary>The steps reachable from Start, in topological order (empty unless <see cref="IsOrdered"/>).</summary>
    public List<StepDeclaration> Order { get; } = new();

    /// <summary>Joins reached from no split, in order.</summary>
    public List<StepDeclaration> JoinsWithoutSplit { get; } = new();

    public List<MergeFact> Merges { get; } = new();

    public List<UnrelatedJoinFact> UnrelatedJoins { get; } = new();

    /// <summary>The innermost split still open when the end step is reached, if any.</summary>
    public string? SplitOpenAtEnd { get; private set; }

    /// <summary>The joins that close each split, by split name, in order.</summary>
    public Dictionary<string, List<Closing>> Closings { get; } = new();

    /// <summary>Steps that get a typed branch accessor (<c>inputs.A()</c>): those that go to a join of a static split.</summary>
    public List<string> BranchAccessors { get; } = new();

    /// <summary>The steps of the order that go to <paramref name="step"/>; a loop's edge back to itself is not one.</summary>
    public IEnumerable<StepDeclaration> ParentsInOrder(StepDeclaration step) => Order.Where(p => p.Onward.Contains(step.Name));

    /// <summary>The join that closes a split, when exactly one does or the first of several.</summary>
    public string? MatchingJoin(string split) => Closings.TryGetValue(split, out var closing) ? closing[0].Join.Name : null;

    public static FlowFacts Derive(FlowDeclaration flow)
    {
        var facts = new FlowFacts { HasStart = flow.ByName.ContainsKey("Start") };
        foreach (var step in flow.Steps.Where(s => !s.IsEnd))
        {
            facts.EdgesToStart.AddRange(step.Body.NextCalls.SelectMany(c => c.Targets).Where(t => t.Step == "Start").Select(t => (step, t)));
        }

        FindCycles(flow, facts);
        FindReachable(flow, facts);
        if (facts.IsOrdered)
        {
            Sort(flow, facts);
            Nest(flow, facts);
        }

        FindBranchAccessors(flow, facts);
        return facts;
    }

    private static void FindCycles(FlowDeclaration flow, FlowFacts facts)
    {
        var state = new Dictionary<string, int>();
        var path = new List<string>();
        foreach (var step in flow.Steps)
        {
            Visit(step.Name);
        }

        void Visit(string name)
        {
            if (state.TryGetValue(name, out var s) && s != 0)
            {
                return;
            }

            state[name] = 1;
            path.Add(name);
            var step = flow.ByName[name];

            // An edge back to Start is one of EdgesToStart, not a cycle too; a loop's edge back to itself is allowed.
            foreach (var target in step.Onward.Where(t => t != "Start"))
            {
                if (state.TryGetValue(target, out var t) && t == 1)
                {
                    facts.Cycles.Add(new CycleFact(step, target, string.Join(" -> ", path.Skip(path.IndexOf(target)).Concat(new[] { target }))));
                }
                else
                {
                    Visit(target);
                }
            }

            path.RemoveAt(path.Count - 1);
            state[name] = 2;
        }
    }

    private static void FindReachable(FlowDeclaration flow, FlowFacts facts)
    {
        if (!facts.HasStart)
        {
            return;
        }

        var pending = new Stack<string>();
        pending.Push("Start");
        while (pending.Count > 0)
        {
            var name = pending.Pop();
            if (facts.Reachable.Add(name))
            {
                foreach (var target in flow.ByName[name].Next)
                {
                    pending.Push(target);
                }
            }
        }
    }

    private static void Sort(FlowDeclaration flow, FlowFacts facts)
    {
        var indegree = facts.Reachable.ToDictionary(n => n, _ => 0);
        foreach (var name in facts.Reachable)
        {
            foreach (var target in flow.ByName[name].Onward)
            {
                indegree[target]++;
            }
        }

        var ready = new Queue<string>(flow.Steps.Where(s => facts.Reachable.Contains(s.Name) && indegree[s.Name] == 0).Select(s => s.Name));
        while (ready.Count > 0)
        {
            var step = flow.ByName[ready.Dequeue()];
            facts.Order.Add(step);
            foreach (var target in step.Onward)
            {
                if (--indegree[target] == 0)
                {
                    ready.Enqueue(target);
                }
            }
        }
    }

    // Classes rather than structs or tuples: collections and LINQ over reference types share code the
    // runtime already has, where each struct would have its own to compile in every compiler process.

    /// <summary>One open branch: the split it belongs to and the branch (the split's target) it started at.</summary>
    private sealed record Branch(string Split, string Start);

    /// <summary>A parent a step is reached from, and the branches open on that edge.</summary>
    private sealed record Arrival(StepDeclaration Parent, ImmutableList<Branch> Stack);

    /// <summary>Follows the open splits along the order: which join closes which split, and where the nesting breaks.</summary>
    private static void Nest(FlowDeclaration flow, FlowFacts facts)
    {
        var entry = new Dictionary<string, ImmutableList<Branch>>();
        foreach (var step in facts.Order)
        {
            var incoming = facts.ParentsInOrder(step).Select(p => new Arrival(p, Out(p, step.Name))).ToList();
            ImmutableList<Branch> stack;
            if (step.IsStart || incoming.Count == 0)
            {
                if (step.IsJoin)
                {
                    facts.JoinsWithoutSplit.Add(step);
                }

                stack = ImmutableList<Branch>.Empty;
            }
            else if (step.IsJoin)
            {
                stack = Join(step, incoming);
            }
            else
            {
                var distinct = incoming.Select(i => i.Stack).Distinct(StackComparer.Instance).ToList();
                if (distinct.Count > 1)
                {
                    var split = distinct.Where(s => s.Count > 0).Select(s => s[s.Count - 1].Split).FirstOrDefault() ?? "";
                    facts.Merges.Add(new MergeFact(step, split, incoming.Select(i => i.Parent).ToImmutableArray()));

                    // Go on as if it were the join it should be, so that one missing join is one error.
                    entry[step.Name] = CommonPrefix(distinct);
                    continue;
                }

                stack = distinct[0];
            }

            entry[step.Name] = stack;
            if (step.IsEnd && stack.Count > 0)
            {
                facts.SplitOpenAtEnd = stack[stack.Count - 1].Split;
            }
        }

        ImmutableList<Branch> Out(StepDeclaration parent, string target) => parent.Transition switch
        {
            Transition.Split or Transition.Foreach => entry[parent.Name].Add(new Branch(parent.Name, target)),
            _ => entry[parent.Name],
        };

        ImmutableList<Branch> Join(StepDeclaration join, List<Arrival> incoming)
        {
            if (incoming.Any(i => i.Stack.Count == 0))
            {
                facts.JoinsWithoutSplit.Add(join);
                return ImmutableList<Branch>.Empty;
            }

            var splits = incoming.Select(i => i.Stack[i.Stack.Count - 1].Split).Distinct().ToList();
            var outer = incoming.Select(i => i.Stack.RemoveAt(i.Stack.Count - 1)).Distinct(StackComparer.Instance).ToList();
            if (splits.Count > 1 || outer.Count > 1)
            {
                facts.UnrelatedJoins.Add(new UnrelatedJoinFact(join, splits.ToImmutableArray()));

                // Go on as if it closed every split its inputs do not share, so that one wrong join is one error.
                return CommonPrefix(incoming.Select(i => i.Stack));
            }

            if (!facts.Closings.TryGetValue(splits[0], out var closing))
            {
                facts.Closings[splits[0]] = closing = new();
            }

            closing.Add(new Closing(join, incoming.Select(i => i.Stack[i.Stack.Count - 1].Start).ToImmutableHashSet()));
            return outer[0];
        }
    }

    /// <summary>
    /// The parents of the joins, except of those that close a foreach (whose inputs are its elements). Without
    /// an order the splits are unknown: then every step that goes to a join, so that a join's code has no follow-on errors.
    /// </summary>
    private static void FindBranchAccessors(FlowDeclaration flow, FlowFacts facts)
    {
        if (!facts.IsOrdered)
        {
            facts.BranchAccessors.AddRange(flow.Steps.Where(s => s.Next.Any(t => flow.ByName[t].IsJoin)).Select(s => s.Name));
            return;
        }

        var foreachJoins = facts.Closings.Where(c => flow.ByName[c.Key].Transition == Transition.Foreach).SelectMany(c => c.Value).Select(c => c.Join.Name).ToImmutableHashSet();
        foreach (var join in facts.Order.Where(s => s.IsJoin && !foreachJoins.Contains(s.Name)))
        {
            foreach (var parent in facts.ParentsInOrder(join).Where(p => !facts.BranchAccessors.Contains(p.Name)))
            {
                facts.BranchAccessors.Add(parent.Name);
            }
        }
    }

    /// <summary>The splits that all the given stacks are inside.</summary>
    private static ImmutableList<Branch> CommonPrefix(IEnumerable<ImmutableList<Branch>> stacks)
    {
        var all = stacks.ToList();
        var length = 0;
        while (all.All(s => s.Count > length && s[length] == all[0][length]))
        {
            length++;
        }

        return all[0].GetRange(0, length);
    }

    private sealed class StackComparer : IEqualityComparer<ImmutableList<Branch>>
    {
        public static readonly StackComparer Instance = new();

        public bool Equals(ImmutableList<Branch>? x, ImmutableList<Branch>? y) => x!.SequenceEqual(y!);

        public int GetHashCode(ImmutableList<Branch> obj) => obj.Aggregate(17, (h, b) => unchecked((h * 31) + b.GetHashCode()));
    }
}
