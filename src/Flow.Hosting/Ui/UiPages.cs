using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Flow.Datastore;
using Flow.Graph;
using Microsoft.AspNetCore.Http;

namespace Flow.Hosting;

/// <summary>The UI's pages, written as HTML with inline CSS and script; every value from the datastore is escaped.</summary>
internal static class UiPages
{
    private const int LogLimit = 1 << 20;

    private const string Style = """
        body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2329;background:#f6f7f9}
        header{background:#1d2329;color:#fff;padding:10px 20px}header a{color:#fff;text-decoration:none;font-weight:600}
        main{padding:16px 20px}h1{font-size:20px;margin:4px 0 12px}h2{font-size:16px;margin:22px 0 8px}
        table{border-collapse:collapse;background:#fff;width:100%}th,td{border-bottom:1px solid #e3e6ea;padding:5px 8px;text-align:left;vertical-align:top}
        th{background:#eef0f3;font-weight:600}a{color:#0b5cad}pre{background:#fff;border:1px solid #e3e6ea;padding:8px;overflow:auto;max-height:480px;white-space:pre-wrap}
        .status{display:inline-block;padding:1px 8px;border-radius:9px;font-size:12px;font-weight:600;color:#fff}
        .Succeeded,.done{background:#2e8540}.Failed,.failed{background:#c62828}.Running,.running{background:#1565c0}.pending{background:#8a949e}
        .tag{display:inline-block;background:#e8eaed;border-radius:4px;padding:0 5px;margin:0 3px 2px 0;font-size:12px}
        .graph{display:flex;flex-wrap:wrap;gap:8px;align-items:center}.node{background:#fff;border:2px solid #8a949e;border-radius:6px;padding:6px 10px;min-width:120px}
        .node.done{border-color:#2e8540;background:#fff}.node.failed{border-color:#c62828;background:#fff}.node.running{border-color:#1565c0;background:#fff}.node.pending{background:#fff}
        .node b{display:block}.node small{color:#555}.arrow{color:#8a949e}
        form.filters{display:flex;gap:8px;margin-bottom:10px}form.filters input,form.filters select{padding:3px 6px}
        .pager{margin:10px 0}.pager a,.pager span{margin-right:10px}code.cmd{background:#fff;border:1px solid #e3e6ea;padding:3px 6px;display:inline-block}
        .error{background:#fdecea;border:1px solid #f5c2c0;padding:8px}
        """;

    // ---- Runs -------------------------------------------------------------------------------------------------

    public static async Task<IResult> RunsAsync(HttpContext context, UiData data)
    {
        var query = context.Request.Query;
        var ct = context.RequestAborted;
        var flowParam = query["flow"].ToString();
        string? flow = flowParam switch
        {
            "" => data.DefaultFlow,
            "*" => null,
            _ when Ids.IsValid(flowParam) => flowParam,
            _ => null,
        };
        if (flowParam.Length > 0 && flowParam != "*" && !Ids.IsValid(flowParam))
        {
            return Error(400, "Not a flow name", $"'{flowParam}' is not a flow name: flow names are letters, digits, '_', '-' and '.'.");
        }

        var status = query["status"].ToString();
        if (status.Length > 0 && !Enum.TryParse<RunStatus>(status, ignoreCase: false, out _))
        {
            return Error(400, "Not a status", $"'{status}' is not a run status: use Running, Succeeded or Failed.");
        }

        var page = 1;
        if (query["page"].ToString() is { Length: > 0 } pageText && (!int.TryParse(pageText, NumberStyles.None, CultureInfo.InvariantCulture, out page) || page < 1))
        {
            return Error(400, "Not a page", $"'{pageText}' is not a page number: pages are numbered from 1.");
        }

        var ns = query["namespace"].ToString();
        var tag = query["tag"].ToString();
        var flows = await data.FlowsAsync(ct).ConfigureAwait(false);
        var runs = await data.RunsAsync(flow, ct).ConfigureAwait(false);
        IEnumerable<RunRecord> shown = runs;
        if (ns.Length > 0)
        {
            shown = shown.Where(r => r.SystemTags.Contains(ns, StringComparer.Ordinal) || r.Tags.Contains(ns, StringComparer.Ordinal));
        }

        if (tag.Length > 0)
        {
            shown = shown.Where(r => r.Tags.Contains(tag, StringComparer.Ordinal) || r.SystemTags.Contains(tag, StringComparer.Ordinal));
        }

        if (status.Length > 0)
        {
            shown = shown.Where(r => r.Status.ToString() == status);
        }

        var matching = shown.ToList();
        var size = data.Options.PageSize;
        var pages = Math.Max(1, (matching.Count + size - 1) / size);
        var h = new StringBuilder();
        Begin(h, flow is null ? "Runs" : $"Runs of {flow}");
        h.Append("<h1>").Append(flow is null ? "Runs of every flow" : "Runs of " + E(flow)).Append("</h1>");
        h.Append("<form class=\"filters\" method=\"get\" action=\"/\">");
        h.Append("<select name=\"flow\"><option value=\"*\"").Append(flow is null ? " selected" : "").Append(">every flow</option>");
        foreach (var name in flows.Union(flow is null ? [] : [flow], StringComparer.Ordinal))
        {
            h.Append("<option value=\"").Append(E(name)).Append('"').Append(name == flow ? " selected" : "").Append('>').Append(E(name)).Append("</option>");
        }

        h.Append("</select>");
        h.Append("<input name=\"namespace\" placeholder=\"namespace (user:you)\" value=\"").Append(E(ns)).Append("\">");
        h.Append("<input name=\"tag\" placeholder=\"tag\" value=\"").Append(E(tag)).Append("\">");
        h.Append("<select name=\"status\"><option value=\"\">any status</option>");
        foreach (var s in new[] { "Running", "Succeeded", "Failed" })
        {
            h.Append("<option").Append(s == status ? " selected" : "").Append('>').Append(s).Append("</option>");
        }

        h.Append("</select><button>Filter</button></form>");
        h.Append("<p id=\"run-count\">").Append(matching.Count.ToString(CultureInfo.InvariantCulture)).Append(matching.Count == 1 ? " run" : " runs").Append("</p>");
        h.Append("<table id=\"runs\"><thead><tr><th>Run</th><th>Flow</th><th>Status</th><th>User</th><th>Tags</th><th>Started</th><th>Duration</th></tr></thead><tbody>");
        foreach (var run in matching.Skip((page - 1) * size).Take(size))
        {
            h.Append("<tr data-run=\"").Append(E(run.RunId)).Append("\"><td><a href=\"").Append(E(RunLink(run))).Append("\">").Append(E(run.RunId)).Append("</a></td>");
            h.Append("<td>").Append(E(run.Flow)).Append("</td><td>").Append(Badge(run.Status.ToString())).Append("</td><td>").Append(E(run.User)).Append("</td><td>");
            Tags(h, run.Tags);
            h.Append("</td><td>").Append(Time(run.StartedAt)).Append("</td><td>").Append(Duration(run.StartedAt, run.FinishedAt)).Append("</td></tr>");
        }

        h.Append("</tbody></table>");
        if (pages > 1)
        {
            h.Append("<div class=\"pager\">");
            string PageLink(int p) => "/?" + string.Join("&", new[] { ("flow", flowParam), ("namespace", ns), ("tag", tag), ("status", status), ("page", p.ToString(CultureInfo.InvariantCulture)) }
                .Where(x => x.Item2.Length > 0).Select(x => x.Item1 + "=" + Uri.EscapeDataString(x.Item2)));
            if (page > 1)
            {
                h.Append("<a rel=\"prev\" href=\"").Append(E(PageLink(page - 1))).Append("\">&larr; newer</a>");
            }

            h.Append("<span>page ").Append(page).Append(" of ").Append(pages).Append("</span>");
            if (page < pages)
            {
                h.Append("<a rel=\"next\" href=\"").Append(E(PageLink(page + 1))).Append("\">older &rarr;</a>");
            }

            h.Append("</div>");
        }

        return End(h);
    }

    // ---- Run --------------------------------------------------------------------------------------------------

    public static async Task<IResult> RunAsync(HttpContext context, UiData data, string runId)
    {
        var (run, problem) = await FindAsync(context, data, runId).ConfigureAwait(false);
        if (run is null)
        {
            return problem!;
        }

        var ct = context.RequestAborted;
        var tasks = await data.TasksAsync(run, ct).ConfigureAwait(false);
        var graph = data.GraphOf(run.Flow);
        var steps = StepSummary.Of(run, tasks, graph);
        var flowQuery = "?flow=" + Uri.EscapeDataString(run.Flow);
        var h = new StringBuilder();
        Begin(h, $"Run {run.RunId}");
        h.Append("<h1>").Append(E(run.Flow)).Append(" / <span id=\"run-id\">").Append(E(run.RunId)).Append("</span> <span id=\"run-status\" class=\"status ")
            .Append(run.Status).Append("\">").Append(run.Status).Append("</span></h1>");
        h.Append("<table class=\"facts\"><tr><th>User</th><td>").Append(E(run.User)).Append("</td><th>Started</th><td>").Append(Time(run.StartedAt))
            .Append("</td><th>Duration</th><td id=\"run-duration\">").Append(Duration(run.StartedAt, run.FinishedAt)).Append("</td></tr><tr><th>Tags</th><td colspan=\"5\">");
        Tags(h, run.Tags);
        foreach (var tag in run.SystemTags)
        {
            h.Append("<span class=\"tag\" title=\"system tag\">").Append(E(tag)).Append("</span>");
        }

        h.Append("</td></tr>");
        if (run.OriginRunId is { } origin)
        {
            h.Append("<tr><th>Resumed</th><td colspan=\"5\">from <a href=\"/runs/").Append(E(origin)).Append(E(flowQuery)).Append("\">").Append(E(origin))
                .Append("</a> at ").Append(E(string.Join(", ", run.ResumedSteps))).Append("</td></tr>");
        }

        h.Append("</table>");

        h.Append("<h2>Graph</h2><div class=\"graph\" id=\"graph\">");
        var first = true;
        foreach (var step in steps)
        {
            if (!first)
            {
                h.Append("<span class=\"arrow\">&rarr;</span>");
            }

            first = false;
            h.Append("<div class=\"node ").Append(step.State).Append("\" id=\"step-").Append(E(step.Name)).Append("\" data-state=\"").Append(step.State).Append("\"><b>")
                .Append(E(step.Name)).Append("</b><span class=\"status ").Append(step.State).Append(" state\">").Append(step.State).Append("</span><br><small><span class=\"done-count\">")
                .Append(step.Done).Append("</span> done, <span class=\"running-count\">").Append(step.Running).Append("</span> running, <span class=\"failed-count\">")
                .Append(step.Failed).Append("</span> failed</small>");
            if (step.Next.Count > 0)
            {
                h.Append("<br><small>next: ").Append(E(string.Join(", ", step.Next))).Append("</small>");
            }

            h.Append("</div>");
        }

        h.Append("</div>");

        // Tasks still running that store cards as they go (a progress bar): links to watch them.
        if (run.Status == RunStatus.Running)
        {
            var recorded = tasks.Select(t => (t.Step, t.TaskId)).ToHashSet();
            var live = (await data.Datastore.Metadata.ListCardsAsync(run.Flow, run.RunId, ct).ConfigureAwait(false))
                .Where(c => !recorded.Contains((c.Step, c.TaskId)))
                .Select(c => (c.Step, c.TaskId)).Distinct().OrderBy(t => t.Step, StringComparer.Ordinal).ThenBy(t => t.TaskId).Take(50).ToList();
            if (live.Count > 0)
            {
                h.Append("<h2>Running tasks with cards</h2><p id=\"live-cards\">");
                foreach (var (liveStep, liveTask) in live)
                {
                    h.Append("<a href=\"/runs/").Append(E(run.RunId)).Append('/').Append(E(liveStep)).Append('/').Append(liveTask).Append("\">")
                        .Append(E(liveStep)).Append('/').Append(liveTask).Append("</a> ");
                }

                h.Append("</p>");
            }
        }

        if (run.Status == RunStatus.Failed || tasks.Any(t => t.Status == RunStatus.Failed))
        {
            h.Append("<h2>Failures</h2><div id=\"failures\">");
            foreach (var task in tasks.Where(t => t.Status == RunStatus.Failed).OrderBy(t => t.StartedAt).Take(20))
            {
                h.Append("<div class=\"error\"><a href=\"").Append(E(TaskLink(task))).Append("\">").Append(E(task.Pathspec)).Append("</a>: ");
                if (task.Error is { } error)
                {
                    h.Append("<b>").Append(E(error.Type)).Append("</b>: ").Append(E(error.Message));
                    if (error.StackTrace is { Length: > 0 } stack)
                    {
                        h.Append("<pre>").Append(E(stack)).Append("</pre>");
                    }
                }
                else
                {
                    h.Append("failed without an error record");
                }

                h.Append("</div>");
            }

            if (run.Status == RunStatus.Failed)
            {
                var command = $"dotnet run -- resume --origin-run-id {run.RunId}";
                h.Append("<p>Resume it from the failed step: <code class=\"cmd\" id=\"resume-command\">").Append(E(command)).Append("</code>");
                if (data.Options.Flows.Count > 1)
                {
                    h.Append(" (in this program of several flows: <code class=\"cmd\">").Append(E($"dotnet run -- {run.Flow} resume --origin-run-id {run.RunId}")).Append("</code>)");
                }

                h.Append("</p>");
            }

            h.Append("</div>");
        }

        if (run.Parameters.Count > 0)
        {
            h.Append("<h2>Parameters</h2><table id=\"parameters\"><tr><th>Name</th><th>Type</th><th>Value</th></tr>");
            foreach (var (name, reference) in run.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                h.Append("<tr><td>").Append(E(name)).Append("</td><td>").Append(E(reference.Type)).Append("</td><td>").Append(E(Value(reference))).Append("</td></tr>");
            }

            h.Append("</table>");
        }

        Timeline(h, run, tasks, steps, data.Options.TasksPerPage);
        TaskTable(h, context, tasks, steps, data.Options.TasksPerPage);

        if (run.Status == RunStatus.Running)
        {
            // The page polls its run's progress every 2 s, updates the status and the steps' counts in place, and
            // reloads once when the run has ended (for its timeline, failures and tasks).
            h.Append("<p><small id=\"live\">Updating every 2 s while the run is going.</small></p><script>");
            h.Append("const statusUrl=").Append(JsonSerializer.Serialize("/runs/" + run.RunId + "/status.json" + flowQuery)).Append(';');
            h.Append("""
                let known=null;
                async function poll(){
                  try{
                    const r=await fetch(statusUrl,{cache:'no-store'});
                    if(r.ok){
                      const s=await r.json();
                      const badge=document.getElementById('run-status');
                      badge.textContent=s.status;badge.className='status '+s.status;
                      document.getElementById('run-duration').textContent=s.duration;
                      for(const step of s.steps){
                        let node=document.getElementById('step-'+step.name);
                        if(!node)continue;
                        node.className='node '+step.state;node.dataset.state=step.state;
                        const st=node.querySelector('.state');st.textContent=step.state;st.className='status '+step.state+' state';
                        node.querySelector('.done-count').textContent=step.done;
                        node.querySelector('.running-count').textContent=step.running;
                        node.querySelector('.failed-count').textContent=step.failed;
                      }
                      if(s.status!=='Running'){location.reload();return;}
                    }
                  }catch(e){}
                  setTimeout(poll,2000);
                }
                setTimeout(poll,2000);
                """);
            h.Append("</script>");
        }

        return End(h);
    }

    public static async Task<IResult> StatusAsync(HttpContext context, UiData data, string runId)
    {
        var (run, problem) = await FindAsync(context, data, runId).ConfigureAwait(false);
        if (run is null)
        {
            return problem!;
        }

        var tasks = await data.TasksAsync(run, context.RequestAborted).ConfigureAwait(false);
        var steps = StepSummary.Of(run, tasks, data.GraphOf(run.Flow));
        return Results.Json(new
        {
            flow = run.Flow,
            run = run.RunId,
            status = run.Status.ToString(),
            duration = Duration(run.StartedAt, run.FinishedAt),
            tasks = tasks.Count,
            steps = steps.Select(s => new { name = s.Name, state = s.State, done = s.Done, running = s.Running, failed = s.Failed }),
        });
    }

    // ---- Task -------------------------------------------------------------------------------------------------

    public static async Task<IResult> TaskAsync(HttpContext context, UiData data, string runId, string step, string taskText)
    {
        if (!Ids.IsValid(step))
        {
            return Error(400, "Not a step name", $"'{step}' is not a step name: step names are letters, digits, '_', '-' and '.'.");
        }

        if (!long.TryParse(taskText, NumberStyles.None, CultureInfo.InvariantCulture, out var taskId))
        {
            return Error(400, "Not a task id", $"'{taskText}' is not a task id: task ids are numbers.");
        }

        var (run, problem) = await FindAsync(context, data, runId).ConfigureAwait(false);
        if (run is null)
        {
            return problem!;
        }

        var ct = context.RequestAborted;
        var task = await data.Datastore.Metadata.GetTaskAsync(run.Flow, run.RunId, step, taskId, ct).ConfigureAwait(false);
        if (task is null)
        {
            // A task still running has no record yet; if it stores cards as it goes (a progress bar), show those, live.
            var live = run.Status == RunStatus.Running ? await CardsOfAsync(data, run.Flow, run.RunId, step, taskId, int.MaxValue, ct).ConfigureAwait(false) : [];
            if (live.Count > 0)
            {
                var running = new StringBuilder();
                Begin(running, $"Task {run.RunId}/{step}/{taskId}");
                running.Append("<h1><a href=\"").Append(E(RunLink(run))).Append("\">").Append(E(run.Flow)).Append(" / ").Append(E(run.RunId)).Append("</a> / ")
                    .Append(E(step)).Append(" / ").Append(taskId).Append(" <span id=\"task-status\" class=\"status Running\">Running</span></h1>")
                    .Append("<p>The task is running: its record, logs and artifacts come when it finishes. Its cards as it last stored them:</p>");
                AppendCards(running, run.RunId, step, taskId, live, refresh: true);
                return End(running);
            }

            return Error(404, "No such task", $"Run {run.Flow}/{run.RunId} has no recorded task {step}/{taskId}" + (run.Status == RunStatus.Running ? " (a task is recorded when it finishes; this run is still going)." : "."), RunLink(run));
        }

        var h = new StringBuilder();
        Begin(h, $"Task {task.Pathspec}");
        h.Append("<h1><a href=\"").Append(E(RunLink(run))).Append("\">").Append(E(run.Flow)).Append(" / ").Append(E(run.RunId)).Append("</a> / ")
            .Append(E(task.Step)).Append(" / ").Append(task.TaskId).Append(" <span id=\"task-status\" class=\"status ").Append(task.Status).Append("\">").Append(task.Status).Append("</span></h1>");
        h.Append("<table class=\"facts\"><tr><th>Started</th><td>").Append(Time(task.StartedAt)).Append("</td><th>Duration</th><td>").Append(Duration(task.StartedAt, task.FinishedAt))
            .Append("</td><th>Attempts</th><td id=\"attempts\">").Append(task.Attempt + 1).Append("</td></tr><tr><th>Position</th><td>").Append(E(task.Position))
            .Append("</td><th>Inputs</th><td colspan=\"3\">");
        foreach (var input in task.Inputs)
        {
            h.Append(InputLink(input, run.Flow)).Append(' ');
        }

        h.Append("</td></tr>");
        if (task.ClonedFrom is { } cloned)
        {
            h.Append("<tr><th>Cloned from</th><td colspan=\"5\">").Append(InputLink(cloned, run.Flow)).Append("</td></tr>");
        }

        h.Append("</table>");
        if (task.Error is { } error)
        {
            h.Append("<h2>Error</h2><div class=\"error\" id=\"task-error\"><b>").Append(E(error.Type)).Append("</b>: ").Append(E(error.Message));
            if (error.StackTrace is { Length: > 0 } stack)
            {
                h.Append("<pre>").Append(E(stack)).Append("</pre>");
            }

            h.Append("</div>");
        }

        h.Append("<h2>Artifacts</h2><table id=\"artifacts\"><tr><th>Name</th><th>Type</th><th>Size</th><th>Value</th></tr>");
        foreach (var (name, reference) in task.Artifacts.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            h.Append("<tr><td>").Append(E(name)).Append("</td><td>").Append(E(reference.Type)).Append("</td><td>").Append(Size(reference.Size)).Append("</td><td>")
                .Append(E(Value(reference))).Append("</td></tr>");
        }

        h.Append("</table>");

        // One section per attempt, the last first: each attempt's output is kept apart.
        for (var attempt = task.Attempt; attempt >= 0; attempt--)
        {
            h.Append("<h2>Attempt ").Append(attempt + 1).Append(attempt == task.Attempt ? " (last)" : "").Append("</h2>");
            foreach (var stream in new[] { "stdout", "stderr" })
            {
                var bytes = await data.Datastore.Metadata.GetLogAsync(run.Flow, run.RunId, task.Step, task.TaskId, attempt, stream, ct).ConfigureAwait(false);
                h.Append("<h3>").Append(stream).Append("</h3><pre id=\"").Append(stream).Append('-').Append(attempt).Append("\">");
                if (bytes is null || bytes.Length == 0)
                {
                    h.Append("<i>(empty)</i>");
                }
                else if (bytes.Length > LogLimit)
                {
                    h.Append("<i>(the last ").Append(Size(LogLimit)).Append(" of ").Append(Size(bytes.Length)).Append(")</i>\n").Append(E(Encoding.UTF8.GetString(bytes, bytes.Length - LogLimit, LogLimit)));
                }
                else
                {
                    h.Append(E(Encoding.UTF8.GetString(bytes)));
                }

                h.Append("</pre>");
            }
        }

        // The task's cards (a task that resume cloned has the original's).
        var source = task.ClonedFrom?.Split('/') is [var sourceRun, var sourceStep, var sourceTask] && long.TryParse(sourceTask, NumberStyles.None, CultureInfo.InvariantCulture, out var sourceId)
            ? (sourceRun, sourceStep, sourceId)
            : (task.RunId, task.Step, task.TaskId);
        var cards = await CardsOfAsync(data, run.Flow, source.Item1, source.Item2, source.Item3, task.Attempt, ct).ConfigureAwait(false);
        AppendCards(h, source.Item1, source.Item2, source.Item3, cards, refresh: false);
        return End(h);
    }

    /// <summary>
    /// One card of a task, as it was stored: its own self-contained HTML, under a policy that lets it load nothing (its
    /// images are data: URIs). <c>?attempt=N</c> picks an attempt; by default the latest that stored it.
    /// </summary>
    public static async Task<IResult> CardAsync(HttpContext context, UiData data, string runId, string step, string taskText, string id)
    {
        if (!Ids.IsValid(step) || !long.TryParse(taskText, NumberStyles.None, CultureInfo.InvariantCulture, out var taskId) || !DatastoreLayout.IsCardId(id))
        {
            return Error(400, "Not a card", $"'{step}/{taskText}' with card '{id}' does not name a card: a step name, a task number and a card id (letters, digits, '_' and '-').");
        }

        var (run, problem) = await FindAsync(context, data, runId).ConfigureAwait(false);
        if (run is null)
        {
            return problem!;
        }

        var ct = context.RequestAborted;
        var cards = await CardsOfAsync(data, run.Flow, run.RunId, step, taskId, int.MaxValue, ct).ConfigureAwait(false);
        var attemptText = context.Request.Query["attempt"].ToString();
        int? attempt = attemptText.Length == 0 ? null : int.TryParse(attemptText, NumberStyles.None, CultureInfo.InvariantCulture, out var a) ? a : -1;
        var card = cards.Where(c => c.Id == id && (attempt is null || c.Attempt == attempt)).OrderByDescending(c => c.Attempt).FirstOrDefault();
        var bytes = card is null ? null : await data.Datastore.Metadata.GetCardAsync(run.Flow, run.RunId, step, taskId, card.Attempt, id, ct).ConfigureAwait(false);
        if (bytes is null)
        {
            return Error(404, "No such card", $"Task {run.RunId}/{step}/{taskId} has no card '{id}'{(attempt is null ? "" : $" of attempt {attemptText}")}; its cards: {(cards.Count == 0 ? "none" : string.Join(", ", cards.Select(c => $"{c.Id} (attempt {c.Attempt})")))}.", RunLink(run));
        }

        context.Response.Headers.ContentSecurityPolicy = CardPolicy;
        return Results.Bytes(bytes, "text/html; charset=utf-8");
    }

    /// <summary>What a card may do when served: inline style and images, no script, nothing from anywhere, in a sandbox even when opened alone.</summary>
    public const string CardPolicy = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

    // The cards of one task up to an attempt, the latest attempt of each id, default first.
    private static async Task<List<Flow.Cards.CardInfo>> CardsOfAsync(UiData data, string flow, string runId, string step, long taskId, int lastAttempt, CancellationToken ct) =>
        (await data.Datastore.Metadata.ListCardsAsync(flow, runId, ct).ConfigureAwait(false))
            .Where(c => c.Step == step && c.TaskId == taskId && c.Attempt <= lastAttempt)
            .GroupBy(c => c.Id)
            .Select(g => g.MaxBy(c => c.Attempt)!)
            .OrderBy(c => c.Id == "default" ? 0 : 1).ThenBy(c => c.Id, StringComparer.Ordinal)
            .ToList();

    // Each card in a frame of its own (sandboxed: a card cannot reach the UI), with a link to open it alone. A running
    // task's frames are reloaded every two seconds, so that a progress bar moves.
    private static void AppendCards(StringBuilder h, string runId, string step, long taskId, IReadOnlyList<Flow.Cards.CardInfo> cards, bool refresh)
    {
        h.Append("<h2>Cards</h2><section id=\"cards\">");
        if (cards.Count == 0)
        {
            h.Append("<p>No cards: give the step [Card], or run with --with card.</p>");
        }

        foreach (var card in cards)
        {
            var link = $"/runs/{runId}/{step}/{taskId}/cards/{card.Id}?attempt={card.Attempt}";
            h.Append("<h3>").Append(E(card.Id)).Append(" <small>(attempt ").Append(card.Attempt + 1).Append(", ").Append(Size(card.Size)).Append(", <a href=\"").Append(E(link)).Append("\">open</a>)</small></h3>")
                .Append("<iframe class=\"card\" sandbox=\"\" title=\"card ").Append(E(card.Id)).Append("\" src=\"").Append(E(link)).Append("\" style=\"width:100%;height:640px;border:1px solid #ccc\"></iframe>");
        }

        h.Append("</section>");
        if (refresh)
        {
            h.Append("<script>setInterval(function(){document.querySelectorAll('iframe.card').forEach(function(f){f.src=f.src;});},2000);setTimeout(function(){location.reload();},10000);</script>");
        }
    }

    // ---- Parts ------------------------------------------------------------------------------------------------

    private static async Task<(RunRecord? Run, IResult? Problem)> FindAsync(HttpContext context, UiData data, string runId)
    {
        if (!Ids.IsValid(runId))
        {
            return (null, Error(400, "Not a run id", $"'{runId}' is not a run id: run ids are letters, digits, '_', '-' and '.', not starting with '.'."));
        }

        var flowText = context.Request.Query["flow"].ToString();
        if (flowText.Length > 0 && !Ids.IsValid(flowText))
        {
            return (null, Error(400, "Not a flow name", $"'{flowText}' is not a flow name: flow names are letters, digits, '_', '-' and '.'."));
        }

        var run = await data.FindRunAsync(runId, flowText.Length > 0 ? flowText : null, context.RequestAborted).ConfigureAwait(false);
        return run is null
            ? (null, Error(404, "No such run", flowText.Length > 0 ? $"Flow {flowText} has no run {runId} in this datastore ({data.Datastore.Description})." : $"No flow has a run {runId} in this datastore ({data.Datastore.Description})."))
            : (run, null);
    }

    private static void Timeline(StringBuilder h, RunRecord run, IReadOnlyList<TaskRecord> tasks, IReadOnlyList<StepSummary> steps, int perStep)
    {
        h.Append("<h2>Timeline</h2>");
        if (tasks.Count == 0)
        {
            h.Append("<p id=\"timeline\">No task has finished yet.</p>");
            return;
        }

        var start = run.StartedAt;
        foreach (var t in tasks)
        {
            if (t.StartedAt < start)
            {
                start = t.StartedAt;
            }
        }

        // A run that is going is drawn up to now.
        var end = run.FinishedAt ?? (run.Status == RunStatus.Running ? DateTimeOffset.UtcNow : tasks.Max(t => t.FinishedAt));
        foreach (var t in tasks)
        {
            if (t.FinishedAt > end)
            {
                end = t.FinishedAt;
            }
        }

        var span = Math.Max((end - start).TotalMilliseconds, 1);
        const int Label = 150, Width = 900, Row = 8, Gap = 2, Header = 16;
        var byStep = tasks.GroupBy(t => t.Step, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.OrderBy(t => t.StartedAt).ThenBy(t => t.TaskId).ToList(), StringComparer.Ordinal);
        var rows = new StringBuilder();
        var y = 0;
        foreach (var step in steps)
        {
            if (!byStep.TryGetValue(step.Name, out var list))
            {
                continue;
            }

            rows.Append("<text x=\"0\" y=\"").Append(y + 12).Append("\" font-size=\"12\" font-weight=\"600\">").Append(E(step.Name)).Append("</text>");
            if (list.Count > perStep)
            {
                rows.Append("<text x=\"").Append(Label + Width).Append("\" y=\"").Append(y + 12).Append("\" font-size=\"11\" text-anchor=\"end\" fill=\"#555\">the first ")
                    .Append(perStep).Append(" of ").Append(list.Count).Append(" tasks</text>");
            }

            y += Header;
            foreach (var t in list.Take(perStep))
            {
                var x = Label + ((t.StartedAt - start).TotalMilliseconds / span * Width);
                var w = Math.Max((t.FinishedAt - t.StartedAt).TotalMilliseconds / span * Width, 1.5);
                var colour = t.Status switch { RunStatus.Succeeded => "#2e8540", RunStatus.Failed => "#c62828", _ => "#1565c0" };
                rows.Append("<a href=\"").Append(E(TaskLink(t))).Append("\"><rect class=\"bar\" x=\"").Append(F(x)).Append("\" y=\"").Append(y).Append("\" width=\"").Append(F(w))
                    .Append("\" height=\"").Append(Row).Append("\" fill=\"").Append(colour).Append("\"><title>").Append(E(t.Pathspec)).Append(' ').Append(t.Status).Append(", ")
                    .Append(Duration(t.StartedAt, t.FinishedAt)).Append("</title></rect></a>");
                y += Row + Gap;
            }

            y += 4;
        }

        h.Append("<svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").Append(Label + Width + 10).Append("\" height=\"").Append(y + 18).Append("\" style=\"background:#fff;border:1px solid #e3e6ea\">");
        h.Append(rows);
        h.Append("<text x=\"").Append(Label).Append("\" y=\"").Append(y + 14).Append("\" font-size=\"11\" fill=\"#555\">0 s</text><text x=\"").Append(Label + Width).Append("\" y=\"")
            .Append(y + 14).Append("\" font-size=\"11\" fill=\"#555\" text-anchor=\"end\">").Append(Duration(start, end)).Append("</text></svg>");
    }

    private static void TaskTable(StringBuilder h, HttpContext context, IReadOnlyList<TaskRecord> tasks, IReadOnlyList<StepSummary> steps, int size)
    {
        h.Append("<h2>Tasks</h2>");
        var order = steps.Select((s, i) => (s.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
        var sorted = tasks.OrderBy(t => order.GetValueOrDefault(t.Step, int.MaxValue)).ThenBy(t => t.TaskId).ToList();
        var pages = Math.Max(1, (sorted.Count + size - 1) / size);
        var page = int.TryParse(context.Request.Query["tasks"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p >= 1 ? Math.Min(p, pages) : 1;
        h.Append("<table id=\"tasks\"><tr><th>Task</th><th>Status</th><th>Attempts</th><th>Started</th><th>Duration</th></tr>");
        foreach (var t in sorted.Skip((page - 1) * size).Take(size))
        {
            h.Append("<tr><td><a href=\"").Append(E(TaskLink(t))).Append("\">").Append(E(t.Step)).Append('/').Append(t.TaskId).Append("</a></td><td>").Append(Badge(t.Status.ToString()))
                .Append("</td><td>").Append(t.Attempt + 1).Append("</td><td>").Append(Time(t.StartedAt)).Append("</td><td>").Append(Duration(t.StartedAt, t.FinishedAt)).Append("</td></tr>");
        }

        h.Append("</table>");
        if (pages > 1)
        {
            var flow = context.Request.Query["flow"].ToString();
            string Link(int n) => "?" + (flow.Length > 0 ? "flow=" + Uri.EscapeDataString(flow) + "&" : "") + "tasks=" + n.ToString(CultureInfo.InvariantCulture);
            h.Append("<div class=\"pager\">");
            if (page > 1)
            {
                h.Append("<a href=\"").Append(E(Link(page - 1))).Append("\">&larr; previous</a>");
            }

            h.Append("<span>tasks page ").Append(page).Append(" of ").Append(pages).Append(" (").Append(sorted.Count).Append(" tasks)</span>");
            if (page < pages)
            {
                h.Append("<a href=\"").Append(E(Link(page + 1))).Append("\">next &rarr;</a>");
            }

            h.Append("</div>");
        }
    }

    private static string RunLink(RunRecord run) => "/runs/" + run.RunId;

    private static string TaskLink(TaskRecord task) => $"/runs/{task.RunId}/{task.Step}/{task.TaskId}";

    // An input or origin given as RUN/STEP/TASK, linked when it is one.
    private static string InputLink(string pathspec, string flow)
    {
        var parts = pathspec.Split('/');
        return parts.Length == 3 && Ids.IsValid(parts[0]) && Ids.IsValid(parts[1]) && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out _)
            ? $"<a href=\"{E($"/runs/{parts[0]}/{parts[1]}/{parts[2]}?flow={Uri.EscapeDataString(flow)}")}\">{E(pathspec)}</a>"
            : E(pathspec);
    }

    /// <summary>A small value as JSON (from its MessagePack bytes in the record); a large one is only named by its size.</summary>
    internal static string Value(ArtifactRef reference)
    {
        if (reference.Inline is not { } inline)
        {
            return $"(stored as a blob of {Size(reference.Size)})";
        }

        try
        {
            var json = MessagePack.MessagePackSerializer.ConvertToJson(inline);
            return json.Length > 300 ? json[..297] + "..." : json;
        }
        catch (MessagePack.MessagePackSerializationException)
        {
            return $"({Size(inline.Length)} that are not MessagePack)";
        }
    }

    private static void Tags(StringBuilder h, IEnumerable<string> tags)
    {
        foreach (var tag in tags)
        {
            h.Append("<span class=\"tag\">").Append(E(tag)).Append("</span>");
        }
    }

    private static string Badge(string status) => $"<span class=\"status {status}\">{status}</span>";

    private static IResult Error(int code, string title, string message, string? back = null)
    {
        var h = new StringBuilder();
        Begin(h, title);
        h.Append("<h1>").Append(E(title)).Append("</h1><p class=\"error\" id=\"problem\">").Append(E(message)).Append("</p><p><a href=\"").Append(E(back ?? "/")).Append("\">")
            .Append(back is null ? "All runs" : "Back to the run").Append("</a></p>");
        return End(h, code);
    }

    private static void Begin(StringBuilder h, string title) =>
        h.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(E(title)).Append(" · Flow</title><style>").Append(Style)
            .Append("</style></head><body><header><a href=\"/\">Flow</a></header><main>");

    private static IResult End(StringBuilder h, int code = 200)
    {
        h.Append("</main></body></html>");
        return Results.Content(h.ToString(), "text/html; charset=utf-8", Encoding.UTF8, code);
    }

    internal static string E(string text) => WebUtility.HtmlEncode(text);

    private static string F(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "Z";

    internal static string Duration(DateTimeOffset start, DateTimeOffset? end)
    {
        var d = (end ?? DateTimeOffset.UtcNow) - start;
        var text = d.TotalSeconds < 60 ? d.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s"
            : d.TotalHours < 1 ? $"{(int)d.TotalMinutes} min {d.Seconds:00} s"
            : $"{(int)d.TotalHours} h {d.Minutes:00} min";
        return end is null ? text + " so far" : text;
    }

    private static string Size(long bytes) =>
        bytes < 1024 ? $"{bytes} B" : bytes < 1 << 20 ? (bytes / 1024.0).ToString("0.#", CultureInfo.InvariantCulture) + " KiB" : (bytes / 1048576.0).ToString("0.#", CultureInfo.InvariantCulture) + " MiB";
}
