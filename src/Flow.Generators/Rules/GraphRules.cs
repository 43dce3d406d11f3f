using System.Collections.Generic;
using System.Linq;
using Flow.Generators.Model;

namespace Flow.Generators.Rules;

/// <summary>
/// The checks of a flow's graph (category Flow.Graph): start and end, transitions, cycles, reachability and
/// the split/join balance, in the order Metaflow's linter makes them. Each reports one rule.
/// </summary>
internal static class GraphRules
{
    /// <summary>FLOW002: the flow has a start step (a Start without [Step] is reported as FLOW036 instead).</summary>
    public static IEnumerable<Finding> MissingStart(FlowDeclaration flow, FlowFacts facts)
    {
        if (!flow.ByName.ContainsKey("Start") && !flow.UnmarkedSteps.Any(m => m.Name == "Start"))
        {
            yield return Finding.At(flow.Location, flow.Name);
        }
    }

    /// <summary>FLOW003: the flow has an end step (an End without [Step] is reported as FLOW036 instead).</summary>
    public static IEnumerable<Finding> MissingEnd(FlowDeclaration flow, FlowFacts facts)
    {
        if (!flow.ByName.ContainsKey("End") && !flow.UnmarkedSteps.Any(m => m.Name == "End"))
        {
            yield return Finding.At(flow.Location, flow.Name);
        }
    }

    /// <summary>FLOW005: no step goes to Start (the end step's Next calls are FLOW006).</summary>
    public static IEnumerable<Finding> TransitionToStart(FlowDeclaration flow, FlowFacts facts) =>
        facts.EdgesToStart.Select(e => Finding.At(e.Target.Location, e.Step.Name));

    /// <summary>FLOW006: the end step calls no Next.</summary>
    public static IEnumerable<Finding> NextInEnd(FlowDeclaration flow, FlowFacts facts) =>
        flow.ByName.TryGetValue("End", out var end) ? end.Body.NextCalls.Select(c => Finding.At(c.Location)) : Enumerable.Empty<Finding>();

    /// <summary>FLOW007: the end step is not a join.</summary>
    public static IEnumerable<Finding> EndIsJoin(FlowDeclaration flow, FlowFacts facts)
    {
        if (flow.ByName.TryGetValue("End", out var end) && end.IsJoin)
        {
            yield return Finding.At(end.Location);
        }
    }

    /// <summary>FLOW010: a join does not fan out.</summary>
    public static IEnumerable<Finding> JoinAndSplit(FlowDeclaration flow, FlowFacts facts) =>
        flow.Steps.Where(s => s.IsJoin && s.Transition is Transition.Split or Transition.Foreach).Select(s => Finding.At(s.Location, s.Name));

    /// <summary>FLOW013: every Next target is a step of this flow.</summary>
    public static IEnumerable<Finding> InvalidTarget(FlowDeclaration flow, FlowFacts facts) =>
        from step in flow.Steps.Where(s => !s.IsEnd)
        from target in step.Body.NextCalls.SelectMany(c => c.Targets)
        where target.Step is null || !flow.ByName.ContainsKey(target.Step)
        select Finding.At(target.Location, target.Text, flow.Name, Example(flow, step));

    /// <summary>FLOW014: a foreach step calls Next once, with one target.</summary>
    public static IEnumerable<Finding> ForeachTransition(FlowDeclaration flow, FlowFacts facts)
    {
        foreach (var step in flow.Steps.Where(s => s.Transition == Transition.Foreach))
        {
            var sites = step.Body.NextCalls.Where(c => c.Targets.Length > 0).ToList();
            if (sites.Count != 1 || sites[0].Targets.Length != 1)
            {
                yield return Finding.At(step.ForeachLocation ?? step.Location, step.Name);
            }
        }
    }

    /// <summary>FLOW015: a Next call names at least one step.</summary>
    public static IEnumerable<Finding> EmptyNext(FlowDeclaration flow, FlowFacts facts) =>
        from step in flow.Steps.Where(s => !s.IsEnd)
        from call in step.Body.NextCalls.Where(c => c.Targets.Length == 0)
        select Finding.At(call.Location, Example(flow, step));

    /// <summary>FLOW016: the graph has no cycle but loops (a conditional step that goes back to itself).</summary>
    public static IEnumerable<Finding> Cycle(FlowDeclaration flow, FlowFacts facts) =>
        facts.Cycles.Select(c => Finding.At(TargetLocation(c.Step, c.Target), c.Path));

    /// <summary>FLOW017: every step is reachable from Start.</summary>
    public static IEnumerable<Finding> Unreachable(FlowDeclaration flow, FlowFacts facts) =>
        facts.HasStart
            ? flow.Steps.Where(s => !facts.Reachable.Contains(s.Name)).Select(s => Finding.At(s.Location, s.Name))
            : Enumerable.Empty<Finding>();

    /// <summary>FLOW018: every join closes a split.</summary>
    public static IEnumerable<Finding> JoinWithoutSplit(FlowDeclaration flow, FlowFacts facts) =>
        facts.JoinsWithoutSplit.Select(j => Finding.At(j.Location, j.Name));

    /// <summary>FLOW019: a join's inputs are branches of one split.</summary>
    public static IEnumerable<Finding> UnrelatedJoin(FlowDeclaration flow, FlowFacts facts) =>
        facts.UnrelatedJoins.Select(u => Finding.At(u.Join.Location, u.Join.Name, string.Join(", ", u.Splits)));

    /// <summary>FLOW020: every split is joined before End.</summary>
    public static IEnumerable<Finding> OpenSplitAtEnd(FlowDeclaration flow, FlowFacts facts)
    {
        if (facts.SplitOpenAtEnd is { } split)
        {
            yield return Finding.At(flow.ByName["End"].Location, split);
        }
    }

    /// <summary>FLOW021: branches meet only in a join.</summary>
    public static IEnumerable<Finding> NeedsJoin(FlowDeclaration flow, FlowFacts facts) =>
        facts.Merges.Select(m =>
            Finding.At(m.Step.Location, m.Step.Name, m.Split, string.Join(", ", m.Parents.Select(p => p.Name)), flow.Name)
                .With(DiagnosticProperties.Parents, string.Join(",", m.Parents.Select(p => p.Name)))
                .With(DiagnosticProperties.Step, m.Step.Name));

    /// <summary>FLOW022: every branch of a split reaches its join.</summary>
    public static IEnumerable<Finding> JoinMissesBranch(FlowDeclaration flow, FlowFacts facts)
    {
        // Which branch a join misses says nothing new when the split has two joins (FLOW023).
        foreach (var split in facts.Order.Where(s => s.Transition is Transition.Split or Transition.Foreach))
        {
            if (facts.Closings.TryGetValue(split.Name, out var closing) && closing.Count == 1)
            {
                foreach (var branch in split.Next.Where(b => !closing[0].Arrived.Contains(b)))
                {
                    yield return Finding.At(closing[0].Join.Location, closing[0].Join.Name, branch, split.Name);
                }
            }
        }
    }

    /// <summary>FLOW023: the branches of a split end in one join.</summary>
    public static IEnumerable<Finding> SplitJoinedTwice(FlowDeclaration flow, FlowFacts facts)
    {
        foreach (var split in facts.Order.Where(s => s.Transition is Transition.Split or Transition.Foreach))
        {
            if (facts.Closings.TryGetValue(split.Name, out var closing) && closing.Count > 1)
            {
                var names = string.Join(", ", closing.Select(c => c.Join.Name));
                foreach (var extra in closing.Skip(1))
                {
                    yield return Finding.At(extra.Join.Location, split.Name, names);
                }
            }
        }
    }

    /// <summary>FLOW024: a foreach has a step between it and its join.</summary>
    public static IEnumerable<Finding> ForeachStraightToJoin(FlowDeclaration flow, FlowFacts facts) =>
        IntoJoin(flow, Transition.Foreach);

    /// <summary>FLOW025: a conditional step does not go straight into a join, unless it is a loop whose only way out is that join.</summary>
    public static IEnumerable<Finding> ConditionalIntoJoin(FlowDeclaration flow, FlowFacts facts) =>
        IntoJoin(flow, Transition.Conditional);

    /// <summary>FLOW034: a join reads (<c>inputs.A()</c>) only the branches it has.</summary>
    public static IEnumerable<Finding> UnknownBranch(FlowDeclaration flow, FlowFacts facts)
    {
        foreach (var join in facts.Order.Where(s => s.IsJoin))
        {
            var parents = facts.ParentsInOrder(join).Select(p => p.Name).ToList();
            foreach (var use in join.Body.BranchReads.Where(b => !parents.Contains(b.Name)))
            {
                yield return Finding.At(use.Location, join.Name, use.Name, string.Join(", ", parents));
            }
        }
    }

    /// <summary>FLOW039: a conditional step's Next calls each name one step.</summary>
    public static IEnumerable<Finding> ConditionalSplit(FlowDeclaration flow, FlowFacts facts)
    {
        foreach (var step in flow.Steps.Where(s => !s.IsEnd && s.Transition != Transition.Foreach))
        {
            var sites = step.Body.NextCalls.Where(c => c.Targets.Length > 0).ToList();
            if (sites.Count > 1)
            {
                foreach (var site in sites.Where(s => s.Targets.Length > 1))
                {
                    yield return Finding.At(site.Location, step.Name);
                }
            }
        }
    }

    // A loop with one way out is not a choice between branches: its last iteration always goes on to that target.
    // A join that names itself is a cycle (FLOW016), not also a step going into a join.
    private static IEnumerable<Finding> IntoJoin(FlowDeclaration flow, Transition transition) =>
        from step in flow.Steps.Where(s => s.Transition == transition && !(s.IsLoop && s.Onward.Count() == 1))
        from target in step.Next.Where(t => t != step.Name && flow.ByName[t].IsJoin)
        select Finding.At(TargetLocation(step, target), step.Name, target);

    /// <summary>A step to suggest as a target in messages.</summary>
    private static string Example(FlowDeclaration flow, StepDeclaration step) =>
        flow.Steps.FirstOrDefault(s => !s.IsStart && s != step)?.Name ?? "End";

    private static LocationInfo? TargetLocation(StepDeclaration step, string target) =>
        step.Body.NextCalls.SelectMany(c => c.Targets).FirstOrDefault(t => t.Step == target)?.Location ?? step.Location;
}
