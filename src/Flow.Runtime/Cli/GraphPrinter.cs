using System.Text;
using Flow.Graph;

namespace Flow.Cli;

/// <summary>Writes a flow's graph for people.</summary>
public static class GraphPrinter
{
    /// <summary>One line per step: its kind, its targets, its decorators.</summary>
    public static string Text(FlowGraph graph)
    {
        var builder = new StringBuilder();
        builder.Append("Flow ").Append(graph.Name);
        if (graph.Project is { } project)
        {
            builder.Append(" (project: ").Append(project).Append(')');
        }

        if (graph.Schedule is { } cron)
        {
            builder.Append(" (schedule: ").Append(cron).Append(')');
        }

        builder.AppendLine();
        var width = graph.Steps.Max(s => s.Name.Length);
        foreach (var step in graph.Steps)
        {
            builder.Append("  ").Append(step.Name.PadRight(width)).Append("  ").Append(Describe(step).PadRight(12));
            if (step.Next.Count > 0)
            {
                var separator = step.Transition == TransitionKind.Conditional ? " | " : ", ";

                // A loop's edge back to itself: the step runs again, as a new iteration.
                builder.Append(" -> ").Append(string.Join(separator, step.Next.Select(n => step.IsLoop && n == step.Name ? n + " (again)" : n)));
            }

            if (step.ForeachArtifact is { } artifact)
            {
                builder.Append("  for each of ").Append(artifact).Append(" (").Append(step.ForeachElementType).Append(')');
            }

            var decorators = Decorators(step);
            if (decorators.Length > 0)
            {
                builder.Append("  ").Append(decorators);
            }

            builder.AppendLine();
        }

        if (graph.Parameters.Count > 0)
        {
            builder.AppendLine("Parameters:");
            foreach (var p in graph.Parameters)
            {
                builder.Append("  --").Append(p.OptionName).Append(" <").Append(p.Type).Append('>');
                if (p.Required)
                {
                    builder.Append(" (required)");
                }

                if (p.Help is { } help)
                {
                    builder.Append("  ").Append(help);
                }

                builder.AppendLine();
            }
        }

        return builder.ToString();
    }

    /// <summary>The graph in Graphviz's dot language.</summary>
    public static string Dot(FlowGraph graph)
    {
        var builder = new StringBuilder();
        builder.Append("digraph ").Append(Quote(graph.Name)).AppendLine(" {");
        builder.AppendLine("  rankdir=TB;");
        foreach (var step in graph.Steps)
        {
            var shape = step.Kind switch
            {
                StepKind.Split or StepKind.Foreach => "trapezium",
                StepKind.Join => "invtrapezium",
                StepKind.Conditional => "diamond",
                _ => "box",
            };
            builder.Append("  ").Append(Quote(step.Name)).Append(" [shape=").Append(shape).Append(", label=").Append(Quote($"{step.Name}\\n{Describe(step)}")).AppendLine("];");
        }

        foreach (var step in graph.Steps)
        {
            foreach (var target in step.Next)
            {
                var style = step.Transition switch
                {
                    TransitionKind.Conditional when target == step.Name => $" [style=dashed, label={Quote("again")}]",
                    TransitionKind.Conditional => " [style=dashed]",
                    TransitionKind.Foreach => $" [label={Quote("each " + step.ForeachArtifact)}]",
                    _ => "",
                };
                builder.Append("  ").Append(Quote(step.Name)).Append(" -> ").Append(Quote(target)).Append(style).AppendLine(";");
            }
        }

        return builder.AppendLine("}").ToString();
    }

    /// <summary>The graph as a Mermaid flowchart.</summary>
    public static string Mermaid(FlowGraph graph)
    {
        var builder = new StringBuilder("flowchart TD\n");
        foreach (var step in graph.Steps)
        {
            var (open, close) = step.Kind switch
            {
                StepKind.Conditional => ("{", "}"),
                StepKind.Split or StepKind.Foreach => ("[/", "\\]"),
                StepKind.Join => ("[\\", "/]"),
                StepKind.Start or StepKind.End => ("([", "])"),
                _ => ("[", "]"),
            };
            builder.Append("    ").Append(step.Name).Append(open).Append('"').Append(step.Name).Append('"').Append(close).Append('\n');
        }

        foreach (var step in graph.Steps)
        {
            foreach (var target in step.Next)
            {
                var arrow = step.Transition switch
                {
                    TransitionKind.Conditional when target == step.Name => " -. again .-> ",
                    TransitionKind.Conditional => " -.-> ",
                    TransitionKind.Foreach => $" -- each {step.ForeachArtifact} --> ",
                    _ => " --> ",
                };
                builder.Append("    ").Append(step.Name).Append(arrow).Append(target).Append('\n');
            }
        }

        return builder.ToString();
    }

    private static string Quote(string text) => "\"" + text.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static string Describe(StepNode step) => step.IsLoop ? "loop" : step.Kind switch
    {
        StepKind.Start => "start",
        StepKind.Linear => "linear",
        StepKind.Split => "split",
        StepKind.Foreach => "foreach",
        StepKind.Conditional => "conditional",
        StepKind.Join => step.Transition == TransitionKind.Conditional ? "join, cond." : "join",
        StepKind.End => "end",
        _ => step.Kind.ToString(),
    };

    private static string Decorators(StepNode step)
    {
        var parts = new List<string>();
        if (step.Resources is { } r)
        {
            parts.Add($"[Resources(Cpu = {r.Cpu}, Gpu = {r.Gpu}, Memory = {r.MemoryMb})]");
        }

        if (step.Retry is { } retry)
        {
            parts.Add($"[Retry(Times = {retry.Times})]");
        }

        if (step.Catch is { } c)
        {
            parts.Add(c.Artifact is null ? "[Catch]" : $"[Catch({c.Artifact})]");
        }

        if (step.Timeout is { } t)
        {
            parts.Add($"[Timeout({t.TotalSeconds:0} s)]");
        }

        foreach (var variable in step.Environment)
        {
            parts.Add($"[Environment({variable.Name})]");
        }

        if (step.Slurm is { } slurm)
        {
            var values = new[] { ("Partition", slurm.Partition), ("Account", slurm.Account), ("Qos", slurm.Qos), ("Constraint", slurm.Constraint) }
                .Where(v => v.Item2 is not null).Select(v => $"{v.Item1} = {v.Item2}")
                .Concat(slurm.Arguments.Count > 0 ? [$"Arguments = {string.Join(" ", slurm.Arguments)}"] : []);
            parts.Add($"[Slurm({string.Join(", ", values)})]".Replace("[Slurm()]", "[Slurm]", StringComparison.Ordinal));
        }

        foreach (var card in step.Cards)
        {
            parts.Add(card == "default" ? "[Card]" : $"[Card({card})]");
        }

        return string.Join(" ", parts);
    }
}
