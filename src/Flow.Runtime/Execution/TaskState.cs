using Flow.Serialization;

namespace Flow.Execution;

/// <summary>Who and where a task is: what a step sees as <c>Current</c>.</summary>
/// <param name="FlowName">The flow's name.</param>
/// <param name="RunId">The run's id.</param>
/// <param name="Step">The step's name.</param>
/// <param name="TaskId">The task's id, unique within the run.</param>
/// <param name="Attempt">The attempt, 0 for the first try and one more for each retry.</param>
/// <param name="User">The user who started the run.</param>
public sealed record TaskInfo(string FlowName, string RunId, string Step, long TaskId, int Attempt, string User)
{
    /// <summary>The task's path: <c>RUN/STEP/TASK</c>.</summary>
    public string Pathspec => $"{RunId}/{Step}/{TaskId}";

    /// <summary>
    /// For a loop step (a step that goes back to itself): which pass through the loop this task is, 0 for the first
    /// and one more for each repetition. Always 0 for other steps.
    /// </summary>
    public int Iteration { get; init; }

    /// <summary>
    /// Cancelled when the task should stop: its <c>[Timeout]</c> passed while it ran in the scheduler's own process
    /// (<see cref="TaskIsolation.InProcess"/>), or the run was cancelled. A step that runs long should pass it on or
    /// check it: in process nothing else can stop it. A worker process past its timeout is killed instead.
    /// </summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>
    /// The task's default card: append components to it (<c>Current.Card.Append(...)</c>), reach its other cards by id
    /// (<c>Current.Card["id"]</c>). On a step without cards, appending does nothing.
    /// </summary>
    public Flow.Cards.Card Card { get; init; } = new Flow.Cards.TaskCards("", []).Default;
}

/// <summary>The mutable state of the task that a flow instance runs: set by the runtime, read through <see cref="FlowSpec"/>.</summary>
internal sealed class TaskState(TaskInfo info, int index)
{
    public TaskInfo Info { get; } = info;

    public int Index { get; } = index;

    public bool NextCalled { get; set; }

    public IReadOnlyList<string> Next { get; set; } = [];

    /// <summary>Artifacts set by the runtime on the step's behalf (merged in a join, caught errors).</summary>
    public HashSet<string> Assigned { get; } = new(StringComparer.Ordinal);
}

/// <summary>One branch arriving at a join: its artifacts' hashes, and a loader for their values (read only when the join looks).</summary>
/// <summary>One input of a join: where it comes from, and how to read its artifact references and values when they are used.</summary>
internal sealed record JoinInput(string Step, long TaskId, int Index, Func<IReadOnlyDictionary<string, Flow.Datastore.ArtifactRef>> Refs, Func<IReadOnlyDictionary<string, ArtifactValue>> Load);

/// <summary>What every task of a run shares.</summary>
internal sealed record RunContext(string FlowName, string RunId, string User);

/// <summary>
/// The arguments of one step invocation: a join's inputs or a foreach child's item. The generated
/// code asks it for what the step's signature takes.
/// </summary>
public sealed class StepInvocation
{
    private readonly FlowDefinition _definition;
    private readonly RunContext _run;
    private readonly string _step;
    private readonly IReadOnlyList<JoinInput>? _inputs;
    private readonly ArtifactValue? _item;

    internal StepInvocation(FlowDefinition definition, RunContext run, string step, IReadOnlyList<JoinInput>? inputs, ArtifactValue? item)
    {
        _definition = definition;
        _run = run;
        _step = step;
        _inputs = inputs;
        _item = item;
    }

    /// <summary>The join inputs of this invocation.</summary>
    public JoinInputs<TFlow> Inputs<TFlow>()
        where TFlow : FlowSpec =>
        _inputs is null
            ? throw new FlowException($"Step {_step} was started without join inputs.")
            : new JoinInputs<TFlow>(_definition, _inputs, _run, _step);

    /// <summary>The foreach element of this invocation.</summary>
    public T Item<T>() =>
        _item is null
            ? throw new FlowException($"Step {_step} was started without its foreach item.")
            : FlowSerializer.Deserialize<T>(_item, $"the foreach item of step {_step}");
}
