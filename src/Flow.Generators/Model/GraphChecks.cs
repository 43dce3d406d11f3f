using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;

namespace Flow.Generators.Model;

/// <summary>
/// The checks of a flow's graph, one short function each, in the order Metaflow's linter runs them:
/// start and end, transitions, cycles, reachability, split/join balance, then the artifact flow.
/// </summary>
internal static class GraphChecks
{
    public static void Run(FlowDeclaration flow)
    {
        CheckStartAndEnd(flow);
        var backToStart = CheckTransitions(flow);
        var cyclic = CheckCycles(flow);
        var reachable = CheckReachability(flow);
        if (cyclic || backToStart || !flow.ByName.ContainsKey("Start"))
        {
            return;
        }

        var order = TopologicalOrder(flow, reachable);
        CheckBalance(flow, order);
        if (flow.ArtifactsAnalyzed)
        {
            CheckArtifactFlow(flow, order);
        }
    }

    private static void CheckStartAndEnd(FlowDeclaration flow)
    {
        if (!flow.ByName.ContainsKey("Start") && !flow.UnmarkedSteps.Contains("Start"))
        {
            flow.Report(Rules.MissingStart, flow.Location, flow.Name);
        }

        if (!flow.ByName.TryGetValue("End", out var end))
        {
            if (!flow.UnmarkedSteps.Contains("End"))
            {
                flow.Report(Rules.MissingEnd, flow.Location, flow.Name);
            }
        }
        else if (end.IsJoin)
        {
            flow.Report(Rules.EndIsJoin, end.Location);
        }
    }

    /// <summary>Checks each step's transitions; true when some step goes back to Start.</summary>
    private static bool CheckTransitions(FlowDeclaration flow)
    {
        var backToStart = false;
        foreach (var step in flow.Steps)
        {
            // The end step's Next calls are reported as such (FLOW006).
            foreach (var target in step.Body.NextCalls.SelectMany(c => c.Targets).Where(t => t.Step == "Start" && !step.IsEnd))
            {
                flow.Report(Rules.TransitionToStart, target.Location, step.Name);
                backToStart = true;
            }

            if (step.IsJoin && step.Transition is Transition.Split or Transition.Foreach)
            {
                flow.Report(Rules.JoinAndSplit, step.Location, step.Name);
            }

            foreach (var target in step.Next.Where(t => flow.ByName[t].IsJoin))
            {
                var location = TargetLocation(step, target);
                if (step.Transition == Transition.Foreach)
                {
                    flow.Report(Rules.ForeachStraightToJoin, location, step.Name, target);
                }
                else if (step.Transition == Transition.Conditional)
                {
                    flow.Report(Rules.ConditionalIntoJoin, location, step.Name, target);
                }
            }
        }

        return backToStart;
    }

    private static bool CheckCycles(FlowDeclaration flow)
    {
        var state = new Dictionary<string, int>();
        var path = new List<string>();
        var found = false;
        foreach (var step in flow.Steps)
        {
            Visit(step.Name);
        }

        return found;

        void Visit(string name)
        {
            if (state.TryGetValue(name, out var s) && s != 0)
            {
                return;
            }

            state[name] = 1;
            path.Add(name);
            var step = flow.ByName[name];

            // An edge back to Start is reported as such (FLOW005), not again as a cycle.
            foreach (var target in step.Next.Where(t => t != "Start"))
            {
                if (state.TryGetValue(target, out var t) && t == 1)
                {
                    var cycle = path.Skip(path.IndexOf(target)).Concat(new[] { target });
                    flow.Report(Rules.Cycle, TargetLocation(step, target), string.Join(" -> ", cycle));
                    found = true;
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

    private static HashSet<string> CheckReachability(FlowDeclaration flow)
    {
        var reachable = new HashSet<string>();
        if (flow.ByName.ContainsKey("Start"))
        {
            var pending = new Stack<string>();
            pending.Push("Start");
            while (pending.Count > 0)
            {
                var name = pending.Pop();
                if (reachable.Add(name))
                {
                    foreach (var target in flow.ByName[name].Next)
                    {
                        pending.Push(target);
                    }
                }
            }

            foreach (var step in flow.Steps.Where(s => !reachable.Contains(s.Name)))
            {
                flow.Report(Rules.Unreachable, step.Location, step.Name);
            }
        }

        return reachable;
    }

    private static List<StepDeclaration> TopologicalOrder(FlowDeclaration flow, HashSet<string> reachable)
    {
        var indegree = reachable.ToDictionary(n => n, _ => 0);
        foreach (var name in reachable)
        {
            foreach (var target in flow.ByName[name].Next)
            {
                indegree[target]++;
            }
        }

        var order = new List<StepDeclaration>();
        var ready = new Queue<string>(flow.Steps.Where(s => reachable.Contains(s.Name) && indegree[s.Name] == 0).Select(s => s.Name));
        while (ready.Count > 0)
        {
            var step = flow.ByName[ready.Dequeue()];
            order.Add(step);
            foreach (var target in step.Next)
            {
                if (--indegree[target] == 0)
                {
                    ready.Enqueue(target);
                }
            }
        }

        return order;
    }

    // Classes rather than structs or tuples: collections and LINQ over reference types share code the
    // runtime already has, where each struct would have its own to compile in every compiler process.

    /// <summary>One open branch: the split it belongs to and the branch (the split's target) it started at.</summary>
    private sealed record Branch(string Split, string Start);

    /// <summary>A parent a step is reached from, and the branches open on that edge.</summary>
    private sealed record Arrival(StepDeclaration Parent, ImmutableList<Branch> Stack);

    /// <summary>A join that closes a split, and the branches (the split's targets) that arrive at it.</summary>
    private sealed record Closing(StepDeclaration Join, ImmutableHashSet<string> Arrived);

    private static void CheckBalance(FlowDeclaration flow, List<StepDeclaration> order)
    {
        var entry = new Dictionary<string, ImmutableList<Branch>>();
        var joins = new Dictionary<string, List<Closing>>();
        foreach (var step in order)
        {
            var incoming = order.Where(p => p.Next.Contains(step.Name) && entry.ContainsKey(p.Name))
                .Select(p => new Arrival(p, Out(p, step.Name)))
                .ToList();
            ImmutableList<Branch> stack;
            if (step.IsStart || incoming.Count == 0)
            {
                if (step.IsJoin)
                {
                    flow.Report(Rules.JoinWithoutSplit, step.Location, step.Name);
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
                    var parents = string.Join(", ", incoming.Select(i => i.Parent.Name));
                    flow.Diagnostics.Add(FlowDiagnostic.Create(Rules.NeedsJoin, step.Location, step.Name, split, parents, flow.Name)
                        .With("Parents", string.Join(",", incoming.Select(i => i.Parent.Name)))
                        .With("Step", step.Name));

                    // Go on as if it were the join it should be, so that one missing join is one error.
                    entry[step.Name] = CommonPrefix(distinct);
                    continue;
                }

                stack = distinct[0];
            }

            entry[step.Name] = stack;
            if (step.IsEnd && stack.Count > 0)
            {
                flow.Report(Rules.OpenSplitAtEnd, step.Location, stack[stack.Count - 1].Split);
            }
        }

        foreach (var split in order.Where(s => s.Transition is Transition.Split or Transition.Foreach))
        {
            if (!joins.TryGetValue(split.Name, out var closing))
            {
                continue;
            }

            split.MatchingJoin = closing[0].Join.Name;
            if (closing.Count > 1)
            {
                // Which branch a join misses says nothing new when the split has two joins: report the joins only.
                var names = string.Join(", ", closing.Select(c => c.Join.Name));
                foreach (var (join, _) in closing.Skip(1))
                {
                    flow.Report(Rules.SplitJoinedTwice, join.Location, split.Name, names);
                }

                continue;
            }

            foreach (var branch in split.Next.Where(b => !closing[0].Arrived.Contains(b)))
            {
                flow.Report(Rules.JoinMissesBranch, closing[0].Join.Location, closing[0].Join.Name, branch, split.Name);
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
                flow.Report(Rules.JoinWithoutSplit, join.Location, join.Name);
                return ImmutableList<Branch>.Empty;
            }

            var splits = incoming.Select(i => i.Stack[i.Stack.Count - 1].Split).Distinct().ToList();
            var outer = incoming.Select(i => i.Stack.RemoveAt(i.Stack.Count - 1)).Distinct(StackComparer.Instance).ToList();
            if (splits.Count > 1 || outer.Count > 1)
            {
                flow.Report(Rules.UnrelatedJoin, join.Location, join.Name, string.Join(", ", splits));

                // Go on as if it closed every split its inputs do not share, so that one wrong join is one error.
                return CommonPrefix(incoming.Select(i => i.Stack));
            }

            var split = flow.ByName[splits[0]];
            if (!joins.TryGetValue(split.Name, out var closing))
            {
                joins[split.Name] = closing = new();
            }

            closing.Add(new Closing(join, incoming.Select(i => i.Stack[i.Stack.Count - 1].Start).ToImmutableHashSet()));
            if (split.Transition == Transition.Split)
            {
                foreach (var parent in incoming.Select(i => i.Parent.Name))
                {
                    if (!flow.BranchAccessors.Contains(parent))
                    {
                        flow.BranchAccessors.Add(parent);
                    }
                }
            }

            return outer[0];
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

    private static void CheckArtifactFlow(FlowDeclaration flow, List<StepDeclaration> order)
    {
        var parameters = flow.Artifacts.Where(a => a.IsParameter).Select(a => a.Name).ToImmutableHashSet();

        // An initializer gives every instance a value, which the runtime keeps; a join's instance only has it, not the branches' values.
        var initial = parameters.Union(flow.Artifacts.Where(a => a.HasInitializer).Select(a => a.Name));
        var catchVariables = flow.Steps.Where(s => s.CatchArtifact is not null).Select(s => s.CatchArtifact!).ToImmutableHashSet();
        var exit = new Dictionary<string, ImmutableHashSet<string>>();
        foreach (var step in order)
        {
            var parents = order.Where(p => p.Next.Contains(step.Name) && exit.ContainsKey(p.Name)).ToList();
            // A foreach's children get their element, never the whole collection (the runtime does not load it for them).
            var fromParents = parents.Count == 0
                ? initial
                : parents.Select(p => p.Transition == Transition.Foreach && p.ForeachArtifact is { } collection ? exit[p.Name].Remove(collection) : exit[p.Name])
                    .Aggregate((a, b) => a.Intersect(b));
            var available = step.IsJoin ? parameters : step.IsStart ? initial : fromParents;
            var merged = step.IsJoin ? fromParents.Except(step.Body.MergeExcluded) : ImmutableHashSet<string>.Empty;
            var hint = step.IsJoin
                ? "; after a join only what the join sets or merges is visible: read it from the inputs, set it, or call MergeArtifacts(inputs) first"
                : "; set it in an earlier step on every path";
            foreach (var read in step.Body.UnsafeReads.Where(r => !available.Contains(r.Name) && !catchVariables.Contains(r.Name)))
            {
                var foreachHint = !step.IsJoin && flow.Steps.Any(s => s.Transition == Transition.Foreach && s.ForeachArtifact == read.Name)
                    ? "; inside a foreach each task gets only its element (the parameter of the step after the foreach), not the whole collection"
                    : hint;
                flow.Report(Rules.MaybeUnset, read.Location, read.Name, step.Name, foreachHint);
            }

            foreach (var read in step.Body.MergedReads.Where(r => !available.Contains(r.Name) && !merged.Contains(r.Name) && !catchVariables.Contains(r.Name)))
            {
                flow.Report(Rules.MaybeUnset, read.Location, read.Name, step.Name, hint);
            }

            foreach (var use in step.Body.BranchReads)
            {
                if (step.IsJoin && !parents.Any(p => p.Name == use.Name))
                {
                    flow.Report(Rules.UnknownBranch, use.Location, step.Name, use.Name, string.Join(", ", parents.Select(p => p.Name)));
                }
            }

            var result = step.HasCatch ? available : available.Union(step.Body.WrittenAtExit);
            if (step.IsJoin && step.Body.MergesArtifacts)
            {
                result = result.Union(merged);
            }

            if (step.CatchArtifact is { } caught)
            {
                result = result.Add(caught);
            }

            exit[step.Name] = result;
        }
    }

    private static LocationInfo? TargetLocation(StepDeclaration step, string target) =>
        step.Body.NextCalls.SelectMany(c => c.Targets).FirstOrDefault(t => t.Step == target)?.Location ?? step.Location;

    private sealed class StackComparer : IEqualityComparer<ImmutableList<Branch>>
    {
        public static readonly StackComparer Instance = new();

        public bool Equals(ImmutableList<Branch>? x, ImmutableList<Branch>? y) => x!.SequenceEqual(y!);

        public int GetHashCode(ImmutableList<Branch> obj) => obj.Aggregate(17, (h, b) => unchecked((h * 31) + b.GetHashCode()));
    }
}
