using Flow.Execution;

namespace Flow;

/// <summary>
/// The base class of every flow. Derive a <c>partial</c> class from it, mark steps with
/// <see cref="StepAttribute"/>, and declare transitions with <see cref="Next"/>; public read-write
/// properties are the flow's artifacts.
/// </summary>
public abstract class FlowSpec
{
    internal TaskState? State { get; set; }

    /// <summary>For a task of a foreach child step (and the steps after it until the join): its index in the foreach.</summary>
    public int Index => State?.Index ?? 0;

    /// <summary>The task that runs this instance: run id, step, task id, attempt.</summary>
    protected TaskInfo Current => State?.Info ?? throw new InvalidOperationException("This flow instance is not running a task.");

    /// <summary>
    /// Declares where the flow goes after this step: one step (<c>Next(A)</c>), or several that all run
    /// in parallel (<c>Next(A, B)</c>). Call it exactly once on every path of every step but the end step.
    /// </summary>
    /// <param name="steps">Step method groups of this flow.</param>
    protected void Next(params Delegate[] steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var state = State ?? throw new InvalidOperationException("Next can only be called while a step runs.");
        if (state.NextCalled)
        {
            throw new FlowException($"Step {state.Info.Step} called Next more than once; call it exactly once on every path.");
        }

        if (steps.Length == 0)
        {
            throw new FlowException($"Step {state.Info.Step} called Next without a target.");
        }

        var names = new string[steps.Length];
        for (var i = 0; i < steps.Length; i++)
        {
            var step = steps[i] ?? throw new ArgumentNullException(nameof(steps));
            if (!ReferenceEquals(step.Target, this))
            {
                throw new FlowException($"Step {state.Info.Step} passed '{step.Method.Name}' to Next; pass a step method of this flow instance.");
            }

            names[i] = step.Method.Name;
        }

        state.NextCalled = true;
        state.Next = names;
    }

    /// <summary>
    /// In a join: sets every artifact that all inputs have with the same value and that the join has
    /// not set itself. An artifact whose values differ between inputs must be set in the join or excluded.
    /// </summary>
    /// <param name="inputs">The join's inputs.</param>
    /// <param name="exclude">Artifacts not to merge.</param>
    protected void MergeArtifacts<TFlow>(JoinInputs<TFlow> inputs, params string[] exclude)
        where TFlow : FlowSpec
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (this is not TFlow self)
        {
            throw new FlowException($"MergeArtifacts was given the inputs of {typeof(TFlow).Name}, but this flow is {GetType().Name}.");
        }

        inputs.MergeInto(self, exclude ?? []);
    }
}
