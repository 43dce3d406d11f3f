using Flow.Execution;
using Flow.Serialization;

namespace Flow;

/// <summary>
/// The inputs of a join step: one read-only view per incoming branch, with that branch's artifacts.
/// Enumerate or index it; for a static split, the generated extension methods (<c>inputs.A()</c>)
/// return the branch that came from step A.
/// </summary>
public sealed class JoinInputs<TFlow> : IReadOnlyList<TFlow>
    where TFlow : FlowSpec
{
    private readonly FlowDefinition _definition;
    private readonly IReadOnlyList<JoinInput> _inputs;
    // Views are kept while the step holds them: a join over many inputs that reads each once stays small.
    private readonly WeakReference<TFlow>?[] _views;
    private readonly RunContext _run;
    private readonly string _joinStep;

    internal JoinInputs(FlowDefinition definition, IReadOnlyList<JoinInput> inputs, RunContext run, string joinStep)
    {
        _definition = definition;
        _inputs = inputs;
        _views = new WeakReference<TFlow>?[inputs.Count];
        _run = run;
        _joinStep = joinStep;
    }

    /// <summary>The number of inputs.</summary>
    public int Count => _inputs.Count;

    /// <summary>The input at <paramref name="index"/>, in branch order (the order of the split's targets, or of the foreach elements).</summary>
    public TFlow this[int index] => View(index);

    /// <summary>The input that came from step <paramref name="step"/>; the generated branch accessors call this.</summary>
    public TFlow FromStep(string step)
    {
        for (var i = 0; i < _inputs.Count; i++)
        {
            if (string.Equals(_inputs[i].Step, step, StringComparison.Ordinal))
            {
                return View(i);
            }
        }

        throw new FlowException(
            $"Join {_joinStep} has no input from step {step}; its inputs come from {string.Join(", ", _inputs.Select(i => i.Step).Distinct())}.");
    }

    /// <inheritdoc />
    public IEnumerator<TFlow> GetEnumerator()
    {
        for (var i = 0; i < _inputs.Count; i++)
        {
            yield return View(i);
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    internal void MergeInto(TFlow target, IReadOnlyCollection<string> exclude)
    {
        var definition = _definition;
        var setByJoin = definition.Graph.TryGetStep(_joinStep, out var node) ? node.Writes : [];
        var fresh = definition.CreateInstance();
        var conflicts = new List<string>();
        List<IReadOnlyDictionary<string, Flow.Datastore.ArtifactRef>>? refs = null;
        foreach (var accessor in definition.Artifacts)
        {
            if (accessor.IsParameter || exclude.Contains(accessor.Name) || setByJoin.Contains(accessor.Name) || !accessor.HoldsSameValue(target, fresh))
            {
                continue;
            }

            string? agreed = null;
            var everywhere = _inputs.Count > 0;
            var differs = false;
            refs ??= _inputs.Select(i => i.Refs()).ToList();
            foreach (var inputRefs in refs)
            {
                if (!inputRefs.TryGetValue(accessor.Name, out var reference))
                {
                    everywhere = false;
                    break;
                }

                var hash = reference.Key;

                agreed ??= hash;
                differs |= !string.Equals(agreed, hash, StringComparison.Ordinal);
            }

            if (!everywhere || agreed is null)
            {
                continue;
            }

            if (differs)
            {
                conflicts.Add(accessor.Name);
                continue;
            }

            accessor.Restore(target, _inputs[0].Load()[accessor.Name], $"artifact {accessor.Name} of the inputs of {_joinStep}");
            target.State?.Assigned.Add(accessor.Name);
        }

        if (conflicts.Count > 0)
        {
            throw new FlowException(
                $"MergeArtifacts in {_joinStep}: the inputs disagree on {string.Join(", ", conflicts)}. " +
                "Set these artifacts in the join before merging, or pass their names to exclude.");
        }
    }

    private TFlow View(int index)
    {
        if ((uint)index >= (uint)_inputs.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Join {_joinStep} has {_inputs.Count} inputs.");
        }

        if (_views[index] is { } held && held.TryGetTarget(out var view))
        {
            return view;
        }

        var input = _inputs[index];
        var definition = _definition;
        view = (TFlow)definition.CreateInstance();
        view.State = new TaskState(new TaskInfo(_run.FlowName, _run.RunId, input.Step, input.TaskId, 0, _run.User), input.Index);
        definition.RestoreAll(view, input.Load(), $"input {input.Step}/{input.TaskId} of {_joinStep}");
        _views[index] = new WeakReference<TFlow>(view);
        return view;
    }
}
