namespace Flow.Graph;

/// <summary>
/// Checks that a graph handed to the runtime is whole: the compiler has checked the flow, so a problem
/// here means generated code from a different version of Flow, or a graph built by hand.
/// </summary>
public static class GraphValidator
{
    /// <summary>Every problem found, as sentences; empty when the graph is usable.</summary>
    public static IReadOnlyList<string> Validate(FlowGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var problems = new List<string>();
        if (!graph.TryGetStep("Start", out _))
        {
            problems.Add($"Flow {graph.Name} has no Start step.");
        }

        var ends = graph.Steps.Where(s => s.Kind == StepKind.End).ToList();
        if (ends.Count != 1)
        {
            problems.Add($"Flow {graph.Name} must have exactly one end step; it has {ends.Count}.");
        }

        foreach (var step in graph.Steps)
        {
            foreach (var target in step.Next)
            {
                if (!graph.TryGetStep(target, out _))
                {
                    problems.Add($"Step {step.Name} goes to '{target}', which is not a step of {graph.Name}.");
                }
            }

            if (step.Transition == TransitionKind.Foreach && (step.ForeachArtifact is null || step.MatchingJoin is null))
            {
                problems.Add($"Foreach step {step.Name} lacks its artifact or its matching join.");
            }

            if (step.Transition != TransitionKind.None && step.Next.Count == 0)
            {
                problems.Add($"Step {step.Name} has no transition.");
            }
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        if (graph.TryGetStep("Start", out _))
        {
            stack.Push("Start");
        }

        while (stack.Count > 0)
        {
            var name = stack.Pop();
            if (!seen.Add(name) || !graph.TryGetStep(name, out var step))
            {
                continue;
            }

            foreach (var target in step.Next)
            {
                stack.Push(target);
            }
        }

        foreach (var step in graph.Steps.Where(s => !seen.Contains(s.Name)))
        {
            problems.Add($"Step {step.Name} cannot be reached from Start.");
        }

        return problems;
    }
}
