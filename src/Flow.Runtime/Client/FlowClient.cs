using Flow.Datastore;
using Flow.Execution;
using Flow.Serialization;

namespace Flow.Client;

/// <summary>
/// Reads past runs: flow → runs → steps → tasks → artifacts. It sees the runs of its
/// <see cref="Namespace"/> (default <c>user:&lt;you&gt;</c>; null sees every run). Listing reads only the
/// small run and task records; artifact values are read when asked for.
/// </summary>
public sealed class FlowClient
{
    /// <summary>The prefixes of system tags; user tags cannot use them.</summary>
    public static readonly IReadOnlyList<string> SystemTagPrefixes = ["user:", "runtime:", "flow_version:", "production:"];

    /// <summary>A client over a datastore (default: the configured one, see <see cref="DatastoreConfig"/>), in the default namespace.</summary>
    public FlowClient(FlowDatastore? datastore = null)
    {
        Datastore = datastore ?? FlowDatastore.FromConfiguration();
        Namespace = DefaultNamespace;
    }

    /// <summary>The namespace of the current user: <c>user:</c> and <c>FLOW_USER</c>, else the OS user.</summary>
    public static string DefaultNamespace => "user:" + LocalScheduler.DefaultUser();

    /// <summary>The datastore read.</summary>
    public FlowDatastore Datastore { get; }

    /// <summary>
    /// The namespace: a tag every visible run has (<c>user:savin</c>, <c>production:token</c>, or any
    /// tag); null is the global namespace, which sees every run.
    /// </summary>
    public string? Namespace { get; set; }

    /// <summary>The runs of a flow, with artifacts typed by its generated definition.</summary>
    public FlowRuns<TFlow> Flow<TFlow>()
        where TFlow : FlowSpec, IFlowDefinitionProvider<TFlow> => new(this, TFlow.Definition);

    /// <summary>The runs of a flow by its name, for tools that do not know its type.</summary>
    public FlowRuns Flow(string name) => new(this, Ids.Check(name, "flow name"), null);

    internal bool InNamespace(RunRecord run) =>
        Namespace is null || run.SystemTags.Contains(Namespace, StringComparer.Ordinal) || run.Tags.Contains(Namespace, StringComparer.Ordinal);
}

/// <summary>The runs of one flow that the client's namespace sees.</summary>
public class FlowRuns
{
    internal FlowRuns(FlowClient client, string name, FlowDefinition? definition)
    {
        Client = client;
        Name = name;
        Definition = definition;
    }

    /// <summary>The flow's name.</summary>
    public string Name { get; }

    internal FlowClient Client { get; }

    internal FlowDefinition? Definition { get; }

    /// <summary>Every visible run, newest first. Reads only run records.</summary>
    public async Task<IReadOnlyList<Run>> ListAsync(CancellationToken cancellationToken = default)
    {
        var runs = await Client.Datastore.Metadata.ListRunsAsync(Name, cancellationToken).ConfigureAwait(false);
        return runs.Where(Client.InNamespace).OrderByDescending(r => r.StartedAt).ThenByDescending(r => r.RunId, StringComparer.Ordinal).Select(Wrap).ToList();
    }

    /// <summary>The newest visible run, or null.</summary>
    public async Task<Run?> LatestAsync(CancellationToken cancellationToken = default) =>
        (await ListAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault();

    /// <summary>The newest visible run that succeeded, or null.</summary>
    public async Task<Run?> LatestSuccessfulAsync(CancellationToken cancellationToken = default) =>
        (await ListAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(r => r.Succeeded);

    /// <summary>The visible runs with a tag, newest first.</summary>
    public async Task<IReadOnlyList<Run>> TaggedAsync(string tag, CancellationToken cancellationToken = default) =>
        (await ListAsync(cancellationToken).ConfigureAwait(false)).Where(r => r.Tags.Contains(tag) || r.SystemTags.Contains(tag)).ToList();

    /// <summary>A run by id; a run outside the namespace, or none, is a <see cref="FlowException"/>.</summary>
    public async Task<Run> GetAsync(string runId, CancellationToken cancellationToken = default)
    {
        var record = await Client.Datastore.Metadata.GetRunAsync(Name, Ids.Check(runId, "run id"), cancellationToken).ConfigureAwait(false)
            ?? throw new FlowException($"Flow {Name} has no run '{runId}' in the datastore at {Client.Datastore.Description}.");
        if (!Client.InNamespace(record))
        {
            throw new FlowException(
                $"Run {Name}/{runId} is not in namespace '{Client.Namespace}' (its tags: {string.Join(", ", record.SystemTags.Concat(record.Tags))}); switch namespace, or use the global one.");
        }

        return Wrap(record);
    }

    internal virtual Run Wrap(RunRecord record) => new(this, record);
}

/// <summary>The runs of one flow, typed.</summary>
public sealed class FlowRuns<TFlow> : FlowRuns
    where TFlow : FlowSpec, IFlowDefinitionProvider<TFlow>
{
    internal FlowRuns(FlowClient client, FlowDefinition definition)
        : base(client, definition.Graph.Name, definition)
    {
    }

    /// <summary>The newest visible run, typed, or null.</summary>
    public new async Task<Run<TFlow>?> LatestAsync(CancellationToken cancellationToken = default) =>
        (Run<TFlow>?)await base.LatestAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>The newest visible successful run, typed, or null.</summary>
    public new async Task<Run<TFlow>?> LatestSuccessfulAsync(CancellationToken cancellationToken = default) =>
        (Run<TFlow>?)await base.LatestSuccessfulAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>A run by id, typed.</summary>
    public new async Task<Run<TFlow>> GetAsync(string runId, CancellationToken cancellationToken = default) =>
        (Run<TFlow>)await base.GetAsync(runId, cancellationToken).ConfigureAwait(false);

    internal override Run Wrap(RunRecord record) => new Run<TFlow>(this, record);
}

/// <summary>One run: who, when, how it went, its tags, steps and tasks.</summary>
public class Run
{
    private RunRecord _record;
    private IReadOnlyList<TaskRecord>? _tasks;

    internal Run(FlowRuns flow, RunRecord record)
    {
        Flow = flow;
        _record = record;
    }

    /// <summary>The run's id.</summary>
    public string Id => _record.RunId;

    /// <summary>The flow's name.</summary>
    public string FlowName => _record.Flow;

    /// <summary>Who ran it.</summary>
    public string User => _record.User;

    /// <summary>How it ended (or that it has not).</summary>
    public RunStatus Status => _record.Status;

    /// <summary>Whether it succeeded.</summary>
    public bool Succeeded => _record.Status == RunStatus.Succeeded;

    /// <summary>User tags.</summary>
    public IReadOnlyList<string> Tags => _record.Tags;

    /// <summary>System tags: user, runtime, flow version.</summary>
    public IReadOnlyList<string> SystemTags => _record.SystemTags;

    /// <summary>When it started.</summary>
    public DateTimeOffset StartedAt => _record.StartedAt;

    /// <summary>When it finished, if it did.</summary>
    public DateTimeOffset? FinishedAt => _record.FinishedAt;

    /// <summary>How long it took, if it finished.</summary>
    public TimeSpan? Duration => _record.FinishedAt - _record.StartedAt;

    /// <summary>For a resumed run: the run it resumed.</summary>
    public string? OriginRunId => _record.OriginRunId;

    /// <summary>The path of the first failed task, if any.</summary>
    public string? FailedTask => _record.FailedTask;

    internal FlowRuns Flow { get; }

    /// <summary>Every task of the run, in task id order.</summary>
    public async Task<IReadOnlyList<TaskView>> TasksAsync(CancellationToken cancellationToken = default) =>
        (await RecordsAsync(cancellationToken).ConfigureAwait(false)).Select(t => Flow.Definition is null ? new TaskView(this, t) : WrapTask(t)).ToList();

    /// <summary>
    /// The tasks of one step in the graph's order: by their foreach indices (element 2 before element 10), then a loop's
    /// iterations in the order they ran. Task ids need not follow it (a deployed run's are not sequential).
    /// </summary>
    public async Task<IReadOnlyList<TaskView>> StepAsync(string step, CancellationToken cancellationToken = default)
    {
        Ids.Check(step, "step name");
        if (Flow.Definition is { } definition && !definition.Graph.TryGetStep(step, out _))
        {
            throw new FlowException($"Flow {FlowName} has no step '{step}'. Its steps are: {string.Join(", ", definition.Graph.Steps.Select(s => s.Name))}.");
        }

        return (await TasksAsync(cancellationToken).ConfigureAwait(false)).Where(t => t.Step == step)
            .OrderBy(t => t.Record.Position, PositionOrder.Instance).ThenBy(t => t.Id).ToList();
    }

    /// <summary>One task by step and id.</summary>
    public async Task<TaskView> TaskAsync(string step, long taskId, CancellationToken cancellationToken = default) =>
        (await StepAsync(step, cancellationToken).ConfigureAwait(false)).FirstOrDefault(t => t.Id == taskId)
        ?? throw new FlowException($"Run {FlowName}/{Id} has no task {step}/{taskId}.");

    /// <summary>The end step's task, or null while the run has not reached it.</summary>
    public async Task<TaskView?> EndTaskAsync(CancellationToken cancellationToken = default) =>
        (await TasksAsync(cancellationToken).ConfigureAwait(false)).LastOrDefault(t => t.Step == "End" && t.Status == RunStatus.Succeeded);

    /// <summary>An artifact of the end step by name (for tools; typed code uses <c>DataAsync</c>).</summary>
    public async Task<T> ArtifactAsync<T>(string name, CancellationToken cancellationToken = default)
    {
        var end = await EndTaskAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new FlowException($"Run {FlowName}/{Id} has no finished end step, so it has no final artifacts.");
        return await end.ArtifactAsync<T>(name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Adds user tags.</summary>
    public Task AddTagsAsync(IEnumerable<string> tags, CancellationToken cancellationToken = default) =>
        UpdateTagsAsync(current => current.Concat(CheckUserTags(tags)).Distinct(StringComparer.Ordinal), cancellationToken);

    /// <summary>Removes user tags; system tags cannot be removed.</summary>
    public Task RemoveTagsAsync(IEnumerable<string> tags, CancellationToken cancellationToken = default)
    {
        var remove = CheckUserTags(tags).ToHashSet(StringComparer.Ordinal);
        return UpdateTagsAsync(current => current.Where(t => !remove.Contains(t)), cancellationToken);
    }

    /// <summary>Replaces one user tag with another.</summary>
    public Task ReplaceTagAsync(string old, string replacement, CancellationToken cancellationToken = default)
    {
        CheckUserTags([old, replacement]);
        return UpdateTagsAsync(
            current => current.Contains(old, StringComparer.Ordinal)
                ? current.Select(t => t == old ? replacement : t).Distinct(StringComparer.Ordinal)
                : throw new FlowException($"Run {FlowName}/{Id} has no tag '{old}'; its tags are: {string.Join(", ", current)}."),
            cancellationToken);
    }

    internal virtual TaskView WrapTask(TaskRecord record) => new(this, record);

    internal async Task<IReadOnlyList<TaskRecord>> RecordsAsync(CancellationToken cancellationToken)
    {
        _tasks ??= (await Flow.Client.Datastore.Metadata.ListTasksAsync(FlowName, Id, cancellationToken).ConfigureAwait(false))
            .OrderBy(t => t.TaskId).ToList();
        return _tasks;
    }

    private static IEnumerable<string> CheckUserTags(IEnumerable<string> tags)
    {
        var list = tags.ToList();
        foreach (var tag in list)
        {
            if (string.IsNullOrWhiteSpace(tag) || tag.Length > 256 || tag.Any(char.IsControl))
            {
                throw new FlowException($"'{tag}' is not a valid tag: use 1 to 256 printable characters.");
            }

            if (FlowClient.SystemTagPrefixes.FirstOrDefault(p => tag.StartsWith(p, StringComparison.Ordinal)) is { } prefix)
            {
                throw new FlowException($"Tags starting with '{prefix}' are system tags; they are set by Flow and cannot be added or removed.");
            }
        }

        return list;
    }

    private async Task UpdateTagsAsync(Func<IReadOnlyList<string>, IEnumerable<string>> change, CancellationToken cancellationToken)
    {
        var metadata = Flow.Client.Datastore.Metadata;
        var current = await metadata.GetRunAsync(FlowName, Id, cancellationToken).ConfigureAwait(false)
            ?? throw new FlowException($"Run {FlowName}/{Id} is no longer in the datastore.");
        _record = current with { Tags = change(current.Tags).ToList() };
        await metadata.UpdateRunAsync(_record, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>One run of a flow whose type is known: its final artifacts are typed.</summary>
public sealed class Run<TFlow> : Run
    where TFlow : FlowSpec, IFlowDefinitionProvider<TFlow>
{
    internal Run(FlowRuns flow, RunRecord record)
        : base(flow, record)
    {
    }

    /// <summary>The end step's artifacts as a flow instance: <c>(await run.DataAsync()).X</c> is typed.</summary>
    public async Task<TFlow> DataAsync(CancellationToken cancellationToken = default)
    {
        var end = await EndTaskAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new FlowException($"Run {FlowName}/{Id} has no finished end step, so it has no final artifacts.");
        return await ((TaskView<TFlow>)end).DataAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The tasks of one step, typed.</summary>
    public new async Task<IReadOnlyList<TaskView<TFlow>>> StepAsync(string step, CancellationToken cancellationToken = default) =>
        (await base.StepAsync(step, cancellationToken).ConfigureAwait(false)).Cast<TaskView<TFlow>>().ToList();

    internal override TaskView WrapTask(TaskRecord record) => new TaskView<TFlow>(this, record);
}

/// <summary>One task: its status, timings, logs and artifacts (read when asked for).</summary>
public class TaskView
{
    internal TaskView(Run run, TaskRecord record)
    {
        Run = run;
        Record = record;
    }

    /// <summary>The run it belongs to.</summary>
    public Run Run { get; }

    /// <summary>Its path: <c>RUN/STEP/TASK</c>.</summary>
    public string Pathspec => Record.Pathspec;

    /// <summary>The step.</summary>
    public string Step => Record.Step;

    /// <summary>The task id.</summary>
    public long Id => Record.TaskId;

    /// <summary>How it ended.</summary>
    public RunStatus Status => Record.Status;

    /// <summary>Its last attempt (0 for the first).</summary>
    public int Attempt => Record.Attempt;

    /// <summary>
    /// For a task of a loop step: which pass through the loop it is (0 for the first). A step's tasks come in task id
    /// order, so a loop's iterations are in order; inside a foreach, <see cref="Inputs"/> chains each element's.
    /// </summary>
    public int Iteration => Record.Iteration;

    /// <summary>The tasks it started from (<c>RUN/STEP/TASK</c>): for a loop's iteration, the previous iteration.</summary>
    public IReadOnlyList<string> Inputs => Record.Inputs;

    /// <summary>When it started.</summary>
    public DateTimeOffset StartedAt => Record.StartedAt;

    /// <summary>When it finished.</summary>
    public DateTimeOffset FinishedAt => Record.FinishedAt;

    /// <summary>The error of a failed or caught task.</summary>
    public StepError? Error => Record.Error;

    /// <summary>For a task cloned by resume or from the cache of a <see cref="CacheAttribute"/> step: the original.</summary>
    public string? ClonedFrom => Record.ClonedFrom;

    /// <summary>For a task of a <see cref="CacheAttribute"/> step: its cache key (see docs/cache.md).</summary>
    public string? CacheKey => Record.CacheKey;

    /// <summary>Its artifacts: name, type and size, without reading their values.</summary>
    public IReadOnlyDictionary<string, ArtifactRef> Artifacts => Record.Artifacts;

    internal TaskRecord Record { get; }

    /// <summary>An artifact by name, read and checked against its hash.</summary>
    public async Task<T> ArtifactAsync<T>(string name, CancellationToken cancellationToken = default)
    {
        var value = await ValueAsync(name, cancellationToken).ConfigureAwait(false);
        return FlowSerializer.Deserialize<T>(value, $"artifact {name} of task {Pathspec}");
    }

    /// <summary>What the task wrote to standard output (its last attempt).</summary>
    public Task<string> StdoutAsync(CancellationToken cancellationToken = default) => LogAsync("stdout", cancellationToken);

    /// <summary>What the task wrote to standard error (its last attempt).</summary>
    public Task<string> StderrAsync(CancellationToken cancellationToken = default) => LogAsync("stderr", cancellationToken);

    /// <summary>The task's cards, every attempt's (see docs/cards.md): id, attempt and size, by attempt then id.</summary>
    public Task<IReadOnlyList<Flow.Cards.CardInfo>> CardsAsync(CancellationToken cancellationToken = default) =>
        CardsAsync(run => Run.Flow.Client.Datastore.Metadata.ListCardsAsync(Run.FlowName, run, cancellationToken));

    /// <summary>The task's cards, from a run's listing of cards that <paramref name="listRun"/> gives (a caller listing many tasks lists each run once).</summary>
    internal async Task<IReadOnlyList<Flow.Cards.CardInfo>> CardsAsync(Func<string, Task<IReadOnlyList<Flow.Cards.CardInfo>>> listRun)
    {
        var (run, step, id) = Source();
        var cards = await listRun(run).ConfigureAwait(false);
        return cards.Where(c => c.Step == step && c.TaskId == id && c.Attempt <= Record.Attempt)
            .OrderBy(c => c.Attempt).ThenBy(c => c.Id == "default" ? 0 : 1).ThenBy(c => c.Id, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// The HTML of one of the task's cards (default: the default card), from the latest attempt that stored it; a
    /// <see cref="FlowException"/> names the task's cards when it has no card <paramref name="id"/>.
    /// </summary>
    public async Task<string> CardAsync(string id = "default", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (!DatastoreLayout.IsCardId(id))
        {
            throw new FlowException($"'{id}' is not a card id; an id is 1 to 100 letters, digits, '_' and '-'.");
        }

        var cards = await CardsAsync(cancellationToken).ConfigureAwait(false);
        var card = cards.Where(c => c.Id == id).OrderByDescending(c => c.Attempt).FirstOrDefault()
            ?? throw new FlowException(cards.Count == 0
                ? $"Task {Pathspec} has no cards; give its step [Card], or run with --with card."
                : $"Task {Pathspec} has no card '{id}'. Its cards are: {string.Join(", ", cards.Select(c => c.Id).Distinct())}.");
        var (run, step, task) = Source();
        var bytes = await Run.Flow.Client.Datastore.Metadata.GetCardAsync(Run.FlowName, run, step, task, card.Attempt, id, cancellationToken).ConfigureAwait(false)
            ?? throw new FlowException($"Card '{id}' of task {Pathspec} (attempt {card.Attempt}) was listed but cannot be read any more.");
        return System.Text.Encoding.UTF8.GetString(bytes);
    }

    // A task that resume cloned ran as the original: its logs and cards are the original's.
    private (string Run, string Step, long Task) Source() =>
        Record.ClonedFrom?.Split('/') is [var run, var step, var id] ? (run, step, long.Parse(id, System.Globalization.CultureInfo.InvariantCulture)) : (Record.RunId, Record.Step, Record.TaskId);

    internal async Task<ArtifactValue> ValueAsync(string name, CancellationToken cancellationToken)
    {
        if (!Record.Artifacts.TryGetValue(name, out var reference))
        {
            throw new FlowException($"Task {Pathspec} has no artifact '{name}'. Its artifacts are: {string.Join(", ", Record.Artifacts.Keys.Order(StringComparer.Ordinal))}.");
        }

        return await Run.Flow.Client.Datastore.GetAsync(reference, $"artifact {name} of task {Run.FlowName}/{Pathspec}", cancellationToken).ConfigureAwait(false);
    }

    private async Task<string> LogAsync(string stream, CancellationToken cancellationToken)
    {
        var source = Record.ClonedFrom?.Split('/') is [var run, var step, var id] ? (run, step, long.Parse(id, System.Globalization.CultureInfo.InvariantCulture)) : (Record.RunId, Record.Step, Record.TaskId);
        var bytes = await Run.Flow.Client.Datastore.Metadata.GetLogAsync(Run.FlowName, source.Item1, source.Item2, source.Item3, Record.Attempt, stream, cancellationToken).ConfigureAwait(false);
        return bytes is null ? "" : System.Text.Encoding.UTF8.GetString(bytes);
    }
}

/// <summary>A task of a flow whose type is known: its artifacts as a typed instance.</summary>
public sealed class TaskView<TFlow> : TaskView
    where TFlow : FlowSpec, IFlowDefinitionProvider<TFlow>
{
    internal TaskView(Run run, TaskRecord record)
        : base(run, record)
    {
    }

    /// <summary>The task's artifacts as a flow instance (artifacts it did not have keep their initial values).</summary>
    public async Task<TFlow> DataAsync(CancellationToken cancellationToken = default)
    {
        var definition = TFlow.Definition;
        var values = await Run.Flow.Client.Datastore.GetAllAsync(Record.Artifacts, $"task {Run.FlowName}/{Pathspec}", cancellationToken).ConfigureAwait(false);
        var flow = definition.Create();
        definition.RestoreAll(flow, values, $"task {Pathspec}");
        return flow;
    }
}

/// <summary>
/// Orders task positions (<c>STEP/PATH#ITERATION</c>, PATH the branch indices joined by '.') by their indices as numbers,
/// then by iteration; a position of another form sorts after those, as text.
/// </summary>
internal sealed class PositionOrder : IComparer<string>
{
    public static readonly PositionOrder Instance = new();

    public int Compare(string? x, string? y)
    {
        var a = Parse(x);
        var b = Parse(y);
        if (a is null || b is null)
        {
            return a is null && b is null ? string.CompareOrdinal(x, y) : a is null ? 1 : -1;
        }

        for (var i = 0; i < Math.Min(a.Count, b.Count); i++)
        {
            if (a[i] != b[i])
            {
                return a[i].CompareTo(b[i]);
            }
        }

        return a.Count.CompareTo(b.Count);
    }

    // The branch indices, then the iteration (0 when none); null when the position is not of that form.
    private static List<long>? Parse(string? position)
    {
        var slash = position?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (position is null || slash < 0)
        {
            return null;
        }

        var rest = position[(slash + 1)..];
        var hash = rest.IndexOf('#', StringComparison.Ordinal);
        var path = hash < 0 ? rest : rest[..hash];
        var numbers = new List<long>();
        foreach (var part in path.Length == 0 || path == "." ? [] : path.Split('.'))
        {
            if (!long.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index))
            {
                return null;
            }

            numbers.Add(index);
        }

        var iteration = 0L;
        if (hash >= 0 && !long.TryParse(rest[(hash + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out iteration))
        {
            return null;
        }

        numbers.Add(iteration);
        return numbers;
    }
}
