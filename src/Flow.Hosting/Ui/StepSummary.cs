using Flow.Datastore;
using Flow.Graph;

namespace Flow.Hosting;

/// <summary>
/// One step of a run as the UI shows it: its state and task counts. Tasks are recorded when they finish, so a
/// running task is one that is due (a recorded task chose its step, or a foreach gave it an element) and not yet
/// recorded; that needs the flow's graph (to tell a join, which waits for all its inputs), which the UI has for the
/// program's own flows only: others show no running tasks.
/// </summary>
internal sealed record StepSummary(string Name, string State, int Done, int Running, int Failed, IReadOnlyList<string> Next)
{
    public static IReadOnlyList<StepSummary> Of(RunRecord run, IReadOnlyList<TaskRecord> tasks, FlowGraph? graph)
    {
        var recorded = new Dictionary<string, (int Done, int Failed, DateTimeOffset First, HashSet<string> Next)>(StringComparer.Ordinal);
        var due = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var t in tasks)
        {
            var r = recorded.TryGetValue(t.Step, out var x) ? x : (0, 0, t.StartedAt, new HashSet<string>(StringComparer.Ordinal));
            r = (r.Item1 + (t.Status == RunStatus.Succeeded ? 1 : 0), r.Item2 + (t.Status == RunStatus.Failed ? 1 : 0), t.StartedAt < r.Item3 ? t.StartedAt : r.Item3, r.Item4);
            r.Item4.UnionWith(t.Next);
            recorded[t.Step] = r;
            if (t.Status == RunStatus.Succeeded)
            {
                foreach (var next in t.Next)
                {
                    due[next] = due.GetValueOrDefault(next) + (t.ForeachElements is { } elements ? elements.Count : 1);
                }
            }
        }

        // The steps in the graph's order when it is known, else in the order they first started.
        var names = graph is not null
            ? graph.Steps.Select(s => s.Name).Concat(recorded.Keys.Where(k => !graph.TryGetStep(k, out _))).ToList()
            : recorded.OrderBy(r => r.Value.First).Select(r => r.Key).ToList();
        var running = new Dictionary<string, int>(StringComparer.Ordinal);
        if (run.Status == RunStatus.Running && graph is not null)
        {
            foreach (var name in names.Where(n => graph.TryGetStep(n, out var s) && !s.IsJoin))
            {
                var (done, failed) = recorded.TryGetValue(name, out var r) ? (r.Done, r.Failed) : (0, 0);
                running[name] = Math.Max(0, due.GetValueOrDefault(name) + (name == "Start" ? 1 : 0) - done - failed);
            }

            // A join runs once every task before it has finished.
            foreach (var name in names.Where(n => graph.TryGetStep(n, out var s) && s.IsJoin))
            {
                var count = recorded.TryGetValue(name, out var r) ? r.Done + r.Failed : 0;
                running[name] = count == 0 && due.ContainsKey(name) && running.Values.Sum() == 0 ? 1 : 0;
            }
        }

        var steps = new List<StepSummary>();
        foreach (var name in names)
        {
            var (done, failed) = recorded.TryGetValue(name, out var r) ? (r.Done, r.Failed) : (0, 0);
            var active = running.GetValueOrDefault(name);
            var state = failed > 0 ? "failed" : active > 0 ? "running" : done > 0 ? "done" : "pending";
            IReadOnlyList<string> next = graph is not null && graph.TryGetStep(name, out var node) ? node.Next : r.Next?.Order(StringComparer.Ordinal).ToList() ?? [];
            steps.Add(new StepSummary(name, state, done, active, failed, next));
        }

        return steps;
    }
}
