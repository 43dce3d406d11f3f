using System.Globalization;
using System.Text;
using Flow.Datastore;
using Flow.Graph;

namespace Flow.Deploy.Argo;

/// <summary>One split a step stands inside of: a static split's branch is known from the graph; a foreach's (null) only when the run fans out.</summary>
internal sealed record SplitScope(StepNode Split, int? Branch);

/// <summary>
/// Where the tasks of a flow run by Argo stand, from the graph alone: the splits around each step, each task's
/// position (the same one the local scheduler gives), its id, and its inputs. On Argo a task knows its step, its
/// path (the branch taken at each enclosing split, outermost first) and its iteration; everything else follows.
/// </summary>
/// <remarks>
/// A task's id is a hash of its position (FNV-1a, 64 bits, cut to 53): positions are unique within a run, so ids
/// are too (short of a hash collision, about one in 180 million for a run of 10,000 tasks, which the task
/// refuses rather than replace another's record), a retry keeps its id, and a
/// task finds its parents' ids without asking Argo for them.
/// </remarks>
internal sealed class ArgoTaskPlan
{
    private readonly FlowGraph _graph;
    private readonly Dictionary<string, IReadOnlyList<SplitScope>> _scopes = new(StringComparer.Ordinal);

    public ArgoTaskPlan(FlowGraph graph)
    {
        _graph = graph;
        var pending = new Queue<StepNode>();
        _scopes[graph.Start.Name] = [];
        pending.Enqueue(graph.Start);
        while (pending.TryDequeue(out var step))
        {
            var scopes = _scopes[step.Name];
            foreach (var next in step.Onward.Distinct(StringComparer.Ordinal).Select(n => graph[n]))
            {
                IReadOnlyList<SplitScope> nextScopes = next.IsJoin && scopes.Count > 0 && step.Transition is not (TransitionKind.Split or TransitionKind.Foreach)
                    ? scopes.Take(scopes.Count - 1).ToList()
                    : step.Transition switch
                    {
                        TransitionKind.Split => [.. scopes, new SplitScope(step, step.Next.ToList().IndexOf(next.Name))],
                        TransitionKind.Foreach => [.. scopes, new SplitScope(step, null)],
                        _ => scopes,
                    };
                if (_scopes.TryAdd(next.Name, nextScopes))
                {
                    pending.Enqueue(next);
                }
            }
        }
    }

    /// <summary>The splits around <paramref name="step"/>, outermost first.</summary>
    public IReadOnlyList<SplitScope> Scopes(string step) => _scopes[step];

    /// <summary>The position of a task: as <see cref="Execution.PendingTask.Position"/> writes it.</summary>
    public static string Position(string step, IReadOnlyList<int> path, int iteration)
    {
        var joined = string.Join('.', path.Select(p => p.ToString(CultureInfo.InvariantCulture)));
        return iteration == 0 ? $"{step}/{joined}" : $"{step}/{joined}#{iteration.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>The id of the task at <paramref name="position"/>: FNV-1a of its UTF-8 bytes, cut to 53 bits, never 0.</summary>
    public static long TaskId(string position)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(position))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        var id = (long)(hash & ((1UL << 53) - 1));
        return id == 0 ? 1 : id;
    }

    /// <summary>Reads a path as a task's command line gives it: branch indices joined by '.', any empty part (the root's '.') left out.</summary>
    public static IReadOnlyList<int> ParsePath(string text)
    {
        var path = new List<int>();
        foreach (var part in text.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var branch))
            {
                throw new FlowException($"'{text}' is not a task path: give branch indices joined by '.', such as 0.2 (or '.' for none).");
            }

            path.Add(branch);
        }

        return path;
    }

    /// <summary>The innermost foreach index of a task of <paramref name="step"/> at <paramref name="path"/> (0 outside any foreach).</summary>
    public int Index(string step, IReadOnlyList<int> path)
    {
        var scopes = Scopes(step);
        for (var i = Math.Min(scopes.Count, path.Count) - 1; i >= 0; i--)
        {
            if (scopes[i].Branch is null)
            {
                return path[i];
            }
        }

        return 0;
    }

    /// <summary>
    /// The inputs of the task of <paramref name="step"/> at <paramref name="path"/> and <paramref name="iteration"/>, found
    /// in the datastore: the previous iteration; or for a join every branch's last task, in branch order; or else the
    /// parent task that went on to this step. For a foreach child, also the element it runs.
    /// </summary>
    public async Task<(IReadOnlyList<string> Inputs, int? ForeachIndex)> InputsAsync(IMetadataStore metadata, string runId, StepNode step, IReadOnlyList<int> path, int iteration, CancellationToken cancellationToken)
    {
        if (path.Count != Scopes(step.Name).Count)
        {
            throw new FlowException($"Step {step.Name} stands inside {Scopes(step.Name).Count} splits, so its path needs as many branch indices; got '{string.Join('.', path)}'.");
        }

        if (iteration > 0)
        {
            return ([$"{runId}/{step.Name}/{TaskId(Position(step.Name, path, iteration - 1))}"], null);
        }

        if (step.Name == _graph.Start.Name)
        {
            return ([], null);
        }

        if (step.IsJoin)
        {
            var split = _graph.Steps.Single(s => string.Equals(s.MatchingJoin, step.Name, StringComparison.Ordinal));
            var count = split.Transition == TransitionKind.Split
                ? split.Next.Count
                : (await LastTaskAsync(metadata, runId, split, path, cancellationToken).ConfigureAwait(false)
                    ?? throw new FlowException($"Step {step.Name} joins foreach {split.Name}, whose task at {Position(split.Name, path, 0)} is not in run {runId}.")).ForeachElements?.Count ?? 0;
            var inputs = new List<string>(count);
            for (var branch = 0; branch < count; branch++)
            {
                inputs.Add(await ParentAsync(metadata, runId, step, [.. path, branch], cancellationToken).ConfigureAwait(false));
            }

            return (inputs, null);
        }

        var parent = await ParentAsync(metadata, runId, step, path, cancellationToken).ConfigureAwait(false);
        var foreachParent = _graph.Parents(step.Name).Any(p => p.Transition == TransitionKind.Foreach);
        return ([parent], foreachParent ? path[^1] : null);
    }

    // The one task among the step's parents at the path that went on to the step (its last iteration, for a loop).
    private async Task<string> ParentAsync(IMetadataStore metadata, string runId, StepNode step, IReadOnlyList<int> path, CancellationToken cancellationToken)
    {
        foreach (var parent in _graph.Parents(step.Name))
        {
            var at = !step.IsJoin && parent.Transition is TransitionKind.Split or TransitionKind.Foreach ? path.Take(path.Count - 1).ToList() : path;
            if (await LastTaskAsync(metadata, runId, parent, at, cancellationToken).ConfigureAwait(false) is { } record
                && record.Next.Contains(step.Name, StringComparer.Ordinal))
            {
                return record.Pathspec;
            }
        }

        throw new FlowException($"No task before {Position(step.Name, path, 0)} in run {runId} went on to step {step.Name}: its parent task is missing or chose another step.");
    }

    // A loop step's last iteration at the path; for any other step, its one task there.
    private async Task<TaskRecord?> LastTaskAsync(IMetadataStore metadata, string runId, StepNode step, IReadOnlyList<int> path, CancellationToken cancellationToken)
    {
        TaskRecord? last = null;
        for (var iteration = 0; ; iteration++)
        {
            var record = await metadata.GetTaskAsync(_graph.Name, runId, step.Name, TaskId(Position(step.Name, path, iteration)), cancellationToken).ConfigureAwait(false);
            if (record is null || !step.IsLoop)
            {
                return record ?? last;
            }

            last = record;
        }
    }
}
