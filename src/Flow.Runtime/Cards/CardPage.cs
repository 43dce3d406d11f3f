using System.Globalization;
using System.Text;
using Flow.Datastore;
using Flow.Graph;

namespace Flow.Cards;

/// <summary>What a card shows of its task: the flow's graph, the run's and the task's records, and short values of the artifacts.</summary>
internal sealed record CardData(FlowGraph Graph, RunRecord Run, TaskRecord Task, IReadOnlyDictionary<string, string> Previews);

/// <summary>
/// Renders a card as one self-contained HTML page: its style inline, charts as inline SVG, images as <c>data:</c> URIs,
/// no script, and a content security policy that forbids loading anything, so opening it makes no request.
/// </summary>
internal static class CardPage
{
    private const string Style = """
        :root{--fg:#1d2330;--muted:#5b6474;--line:#d9dee7;--accent:#2f6fde;--soft:#eef3fc;--bad:#b3261e}
        *{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:#f6f7f9}
        main{max-width:1000px;margin:0 auto;padding:24px}h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:0 0 10px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
        section,header{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px 20px;margin:0 0 16px}
        .status{display:inline-block;padding:2px 10px;border-radius:12px;font-weight:600;font-size:12px;background:#e6f4ea;color:#1e7b34}
        .status.Failed{background:#fce8e6;color:var(--bad)}.status.Running{background:var(--soft);color:var(--accent)}
        dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:12px 0 0}dl.meta dt{color:var(--muted)}dl.meta dd{margin:0}
        table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line);vertical-align:top}th{color:var(--muted);font-weight:600}
        td.num{text-align:right;font-variant-numeric:tabular-nums}code,.value{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px}
        .graph{display:flex;flex-direction:column;align-items:center;gap:6px}.row{display:flex;gap:10px;flex-wrap:wrap;justify-content:center}
        .step{border:1px solid var(--line);border-radius:6px;padding:6px 14px;background:#fff;text-align:center;min-width:90px}
        .step small{display:block;color:var(--muted);font-size:11px}.step.current{border:2px solid var(--accent);background:var(--soft);font-weight:700}
        .arrow{color:var(--muted);font-size:14px;line-height:1}
        .component{margin:0 0 16px}.component-error{border:1px solid var(--bad);color:var(--bad);background:#fdf3f2;border-radius:6px;padding:10px 14px}
        .chart svg{max-width:100%;height:auto;background:#fff}.chart .axis{stroke:#8a93a3}.chart .grid{stroke:#eceff4}.chart .line{stroke:var(--accent);stroke-width:2}
        .chart .dot{fill:var(--accent)}.chart .bar{fill:var(--accent);opacity:.85}.chart text{fill:var(--muted);font-size:11px}.chart .title{fill:var(--fg);font-size:14px;font-weight:600}
        .image img{max-width:100%}figure{margin:0}figcaption{color:var(--muted);font-size:12px}
        .progress{display:flex;align-items:center;gap:12px}.progress-track{flex:1;height:14px;background:#e8ebf0;border-radius:7px;overflow:hidden}
        .progress-fill{height:100%;background:var(--accent)}.progress-value{font-variant-numeric:tabular-nums;color:var(--muted)}
        .markdown :first-child{margin-top:0}.markdown :last-child{margin-bottom:0}.muted{color:var(--muted)}
        """;

    /// <summary>Renders <paramref name="card"/>; each component that fails to render is noted on the card and in <paramref name="problems"/>.</summary>
    public static string Render(CardData data, Card card, ICollection<string> problems)
    {
        var task = data.Task;
        var html = new StringBuilder(16 * 1024);
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>").Append(Html.Encode($"{task.Flow}/{task.Pathspec} — {card.Id}")).Append("</title><style>").Append(Style).Append("</style></head><body><main>");
        Header(html, data.Run, data.Task, card.Id);
        if (card.Id == TaskCards.DefaultId)
        {
            GraphSection(html, data);
            Artifacts(html, data);
            Parameters(html, data);
            Inputs(html, data);
        }

        var components = card.Components;
        if (components.Count > 0)
        {
            html.Append("<section id=\"components\">");
            foreach (var component in components)
            {
                RenderComponent(html, component, card, problems);
            }

            html.Append("</section>");
        }
        else if (card.Id != TaskCards.DefaultId)
        {
            html.Append("<section id=\"components\"><p class=\"muted\">Nothing was appended to this card.</p></section>");
        }

        html.Append("</main></body></html>");
        return html.ToString();
    }

    private static void RenderComponent(StringBuilder html, CardComponent component, Card card, ICollection<string> problems)
    {
        var kind = component.GetType().Name;
        var part = new StringBuilder();
        try
        {
            component.Render(part);
            html.Append("<div class=\"component component-").Append(kind.ToLowerInvariant()).Append("\">").Append(part).Append("</div>");
        }
        catch (Exception e)
        {
            var message = $"{kind} component failed: {e.GetType().FullName}: {e.Message}";
            problems.Add($"card '{card.Id}': {message}");
            html.Append("<div class=\"component component-error\" role=\"alert\"><strong>").Append(Html.Encode($"{kind} component failed")).Append("</strong>: <code>")
                .Append(Html.Encode(e.GetType().FullName)).Append("</code>: ").Append(Html.Encode(e.Message)).Append("</div>");
        }
    }

    /// <summary>
    /// <paramref name="html"/>, a stored card, with its header rendered again from <paramref name="task"/>: for a card
    /// stored while its task ran, once the attempt has ended outside the step. Null when the page has no such header.
    /// </summary>
    public static string? WithHeader(string html, RunRecord run, TaskRecord task, string cardId)
    {
        // The header comes first in the page, and every value in it is encoded, so its first end tag is its own.
        var start = html.IndexOf(HeaderStart, StringComparison.Ordinal);
        var end = start < 0 ? -1 : html.IndexOf(HeaderEnd, start, StringComparison.Ordinal);
        if (end < 0)
        {
            return null;
        }

        var header = new StringBuilder(1024);
        Header(header, run, task, cardId);
        return string.Concat(html.AsSpan(0, start), header.ToString(), html.AsSpan(end + HeaderEnd.Length));
    }

    private const string HeaderStart = "<header id=\"task\">";
    private const string HeaderEnd = "</header>";

    private static void Header(StringBuilder html, RunRecord run, TaskRecord task, string cardId)
    {
        html.Append(HeaderStart).Append("<h1>").Append(Html.Encode($"{task.Flow} / {task.Step} / {task.TaskId}")).Append("</h1>")
            .Append("<span class=\"status ").Append(task.Status).Append("\">").Append(task.Status).Append("</span>");
        if (cardId != TaskCards.DefaultId)
        {
            html.Append(" <span class=\"muted\">card ").Append(Html.Encode(cardId)).Append("</span>");
        }

        var running = task.Status == RunStatus.Running;
        var rows = new List<(string Name, string Value)>
        {
            ("Flow", task.Flow), ("Run", task.RunId), ("Step", task.Step), ("Task", task.TaskId.ToString(CultureInfo.InvariantCulture)),
            ("Attempt", task.Attempt.ToString(CultureInfo.InvariantCulture)), ("Status", task.Status.ToString()), ("User", run.User),
            ("Tags", string.Join(", ", run.SystemTags.Concat(run.Tags))),
            ("Started", task.StartedAt.ToString("u", CultureInfo.InvariantCulture)),
            ("Finished", running ? "running" : task.FinishedAt.ToString("u", CultureInfo.InvariantCulture)),
            ("Duration", Duration((running ? DateTimeOffset.UtcNow : task.FinishedAt) - task.StartedAt)),
        };
        if (task.Iteration > 0)
        {
            rows.Add(("Iteration", task.Iteration.ToString(CultureInfo.InvariantCulture)));
        }

        if (task.Error is { } error)
        {
            rows.Add(("Error", $"{error.Type}: {error.Message}"));
        }

        html.Append("<dl class=\"meta\">");
        foreach (var (name, value) in rows)
        {
            html.Append("<dt>").Append(name).Append("</dt><dd data-field=\"").Append(name.ToLowerInvariant()).Append("\">").Append(Html.Encode(value)).Append("</dd>");
        }

        html.Append("</dl>").Append(HeaderEnd);
    }

    private static string Duration(TimeSpan span) =>
        span < TimeSpan.Zero ? "0 s"
        : span.TotalSeconds < 60 ? span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s"
        : span.TotalHours < 1 ? $"{(int)span.TotalMinutes} min {span.Seconds} s"
        : $"{(int)span.TotalHours} h {span.Minutes} min";

    // The steps by depth from Start (the longest path there, a loop's edge back to itself left out), this one highlighted.
    private static void GraphSection(StringBuilder html, CardData data)
    {
        var graph = data.Graph;
        var depth = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var step in Order(graph))
        {
            var parents = graph.Parents(step.Name).Select(p => depth.GetValueOrDefault(p.Name)).ToList();
            depth[step.Name] = parents.Count == 0 ? 0 : parents.Max() + 1;
        }

        html.Append("<section id=\"graph\"><h2>Graph</h2><div class=\"graph\">");
        var rows = graph.Steps.GroupBy(s => depth.GetValueOrDefault(s.Name)).OrderBy(g => g.Key).ToList();
        for (var i = 0; i < rows.Count; i++)
        {
            if (i > 0)
            {
                html.Append("<div class=\"arrow\">&#8595;</div>");
            }

            html.Append("<div class=\"row\">");
            foreach (var step in rows[i])
            {
                var current = step.Name == data.Task.Step;
                html.Append("<div class=\"step").Append(current ? " current" : "").Append("\" data-step=\"").Append(Html.Encode(step.Name)).Append('"')
                    .Append(current ? " aria-current=\"step\"" : "").Append('>').Append(Html.Encode(step.Name))
                    .Append("<small>").Append(Html.Encode(Describe(step))).Append("</small></div>");
            }

            html.Append("</div>");
        }

        html.Append("</div></section>");
    }

    private static string Describe(StepNode step) => step.Transition switch
    {
        TransitionKind.None => "end",
        TransitionKind.Foreach => $"foreach {step.ForeachArtifact} → {string.Join(", ", step.Next)}",
        TransitionKind.Conditional => $"→ {string.Join(" | ", step.Next)}",
        _ => $"→ {string.Join(", ", step.Next)}",
    };

    // Steps in an order where each comes after its parents (Kahn's algorithm); any left over (none in a valid graph) last.
    private static List<StepNode> Order(FlowGraph graph)
    {
        var remaining = graph.Steps.ToDictionary(s => s.Name, s => graph.Parents(s.Name).Count(), StringComparer.Ordinal);
        var ready = new Queue<StepNode>(graph.Steps.Where(s => remaining[s.Name] == 0));
        var order = new List<StepNode>();
        while (ready.Count > 0)
        {
            var step = ready.Dequeue();
            order.Add(step);
            foreach (var next in step.Onward.Distinct(StringComparer.Ordinal))
            {
                if (graph.TryGetStep(next, out var child) && --remaining[next] == 0)
                {
                    ready.Enqueue(child);
                }
            }
        }

        order.AddRange(graph.Steps.Where(s => !order.Contains(s)));
        return order;
    }

    private static void Artifacts(StringBuilder html, CardData data)
    {
        var parameters = data.Graph.Parameters.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var artifacts = data.Task.Artifacts.Where(a => !parameters.Contains(a.Key)).OrderBy(a => a.Key, StringComparer.Ordinal).ToList();
        html.Append("<section id=\"artifacts\"><h2>Artifacts</h2>");
        RefTable(html, artifacts, data.Previews, "The task has no artifacts.");
        html.Append("</section>");
    }

    private static void Parameters(StringBuilder html, CardData data)
    {
        if (data.Graph.Parameters.Count == 0)
        {
            return;
        }

        html.Append("<section id=\"parameters\"><h2>Parameters</h2>");
        RefTable(html, data.Run.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal).ToList(), data.Previews, "The run has no parameter values.");
        html.Append("</section>");
    }

    private static void RefTable(StringBuilder html, List<KeyValuePair<string, ArtifactRef>> refs, IReadOnlyDictionary<string, string> previews, string none)
    {
        if (refs.Count == 0)
        {
            html.Append("<p class=\"muted\">").Append(none).Append("</p>");
            return;
        }

        html.Append("<table><thead><tr><th>Name</th><th>Type</th><th>Size</th><th>Value</th></tr></thead><tbody>");
        foreach (var (name, reference) in refs)
        {
            html.Append("<tr data-artifact=\"").Append(Html.Encode(name)).Append("\"><td>").Append(Html.Encode(name)).Append("</td><td><code>").Append(Html.Encode(reference.Type))
                .Append("</code></td><td class=\"num\">").Append(reference.Size.ToString(CultureInfo.InvariantCulture)).Append(" B</td><td class=\"value\">")
                .Append(previews.TryGetValue(name, out var preview) ? Html.Encode(preview) : "<span class=\"muted\">not read by this task</span>").Append("</td></tr>");
        }

        html.Append("</tbody></table>");
    }

    private static void Inputs(StringBuilder html, CardData data)
    {
        if (!data.Graph.TryGetStep(data.Task.Step, out var node) || !node.IsJoin)
        {
            return;
        }

        html.Append("<section id=\"inputs\"><h2>Inputs</h2><ul>");
        foreach (var input in data.Task.Inputs)
        {
            html.Append("<li><code>").Append(Html.Encode(input)).Append("</code></li>");
        }

        html.Append("</ul></section>");
    }
}
