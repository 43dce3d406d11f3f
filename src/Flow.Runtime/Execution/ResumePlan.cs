using Flow.Datastore;
using Flow.Graph;

namespace Flow.Execution;

/// <summary>
/// Which tasks a resumed run takes over from its origin run. A task is cloned when the origin run's task at the same
/// place in the graph (its step and foreach index path) succeeded, every input of the
/// task was itself cloned, and its step is not one to run again (the step <c>resume STEP</c> names, and every step
/// after it). Everything else runs: the tasks that failed or never ran, and whatever follows them. A scheduler asks
/// for every task it is about to start, and reports each clone it makes.
/// </summary>
internal sealed class ResumePlan
{
    private readonly Dictionary<string, TaskRecord> _origin;
    private readonly HashSet<string> _rerun;
    private readonly string _start;
    private readonly HashSet<string> _cloned = new(StringComparer.Ordinal);

    /// <summary>A plan over <paramref name="originTasks"/>; <paramref name="steps"/> run again with everything after them.</summary>
    public ResumePlan(FlowGraph graph, IEnumerable<TaskRecord> originTasks, IEnumerable<string> steps)
    {
        _origin = originTasks
            .GroupBy(t => t.Position, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.MaxBy(t => t.TaskId)!, StringComparer.Ordinal);
        _rerun = Descendants(graph, steps);
        _start = graph.Start.Name;
    }

    /// <summary>The origin task to clone for the task at <paramref name="position"/>, or null when the task must run.</summary>
    public TaskRecord? CloneFor(string step, string position, IReadOnlyList<string> inputs)
    {
        if (_rerun.Contains(step) || !_origin.TryGetValue(position, out var origin))
        {
            return null;
        }

        // Only the start step has no inputs to go by (the join of an empty foreach has none either, and runs).
        var inputsCloned = inputs.Count > 0 ? inputs.All(_cloned.Contains) : step == _start;
        return origin.Status == RunStatus.Succeeded && origin.Step == step && inputsCloned ? origin : null;
    }

    /// <summary>Notes that the task <paramref name="pathspec"/> of the new run is a clone, so that what follows it may be cloned too.</summary>
    public void Cloned(string pathspec) => _cloned.Add(pathspec);

    private static HashSet<string> Descendants(FlowGraph graph, IEnumerable<string> steps)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(steps);
        while (pending.Count > 0)
        {
            var name = pending.Pop();
            if (result.Add(name))
            {
                foreach (var next in graph[name].Next)
                {
                    pending.Push(next);
                }
            }
        }

        return result;
    }
}
