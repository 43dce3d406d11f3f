using System.Text;
using Flow.Cards;
using Flow.Datastore;
using Flow.Graph;
using Flow.Serialization;

namespace Flow.Execution;

/// <summary>
/// Runs one attempt of one task against a datastore: reads its inputs, runs the step on a fresh flow
/// instance, and persists its artifacts, foreach elements, logs and record. The same code serves the
/// scheduler's workers, the in-process mode and the <c>step</c> command.
/// </summary>
internal sealed class TaskExecutor(FlowDefinition definition, FlowDatastore datastore)
{
    private readonly Dictionary<string, RunRecord> _runs = new(StringComparer.Ordinal);

    // A foreach parent's record lists every element: its children read it once per process, not once per task.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TaskRecord> _parents = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public FlowDefinition Definition => definition;

    public FlowDatastore Datastore => datastore;

    /// <summary>
    /// Runs one attempt and saves its record, unless <paramref name="fence"/> says the attempt was abandoned first
    /// (it ran past its timeout): then it saves nothing, and its step's cancellation token is cancelled.
    /// </summary>
    public async Task<TaskRecord> RunAsync(TaskRequest request, string? echoPrefix, CancellationToken cancellationToken, AttemptFence? fence = null)
    {
        var allocated = GC.GetTotalAllocatedBytes();
        var record = await RunTaskAsync(request, echoPrefix, cancellationToken, fence).ConfigureAwait(false);

        // Only now is nothing of the task referenced any more (its artifacts, its flow instance).
        ReleaseMemory(allocated);
        return record;
    }

    // The step and the task's reads and writes observe stepToken; a failure caused by it is still a failure of the
    // task (the fence then decides whether it is saved), while the run's own cancellation ends the task unrecorded.
    private async Task<TaskRecord> RunTaskAsync(TaskRequest request, string? echoPrefix, CancellationToken cancellationToken, AttemptFence? fence)
    {
        using var attempt = fence is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, fence.Token);
        var stepToken = attempt?.Token ?? cancellationToken;
        var graph = definition.Graph;
        var node = graph[Ids.Check(request.Step, "step name")];

        // A malformed request is its caller's mistake, not the task's: it fails before anything is recorded.
        foreach (var input in request.Inputs)
        {
            TaskPath(input);
        }

        var started = DateTimeOffset.UtcNow;
        var run = await RunAsync(request.RunId, cancellationToken).ConfigureAwait(false);
        var context = new RunContext(graph.Name, run.RunId, run.User);
        var cards = new TaskCards(request.Step, CardIds(node, request));
        var info = new TaskInfo(graph.Name, run.RunId, request.Step, request.TaskId, request.Attempt, run.User) { Iteration = request.Iteration, CancellationToken = stepToken, Card = cards.Default };
        var log = new TaskLog(echoPrefix);
        TaskRecord record;
        IReadOnlyDictionary<string, ArtifactRef> inheritedRefs = new Dictionary<string, ArtifactRef>();
        IReadOnlyDictionary<string, string> previews = new Dictionary<string, string>();
        try
        {
            var (inherited, refs, inputs, item, itemRef) = await LoadInputsAsync(request, node, run, stepToken).ConfigureAwait(false);
            inheritedRefs = refs;
            if (cards.Stored.Count > 0)
            {
                // Current.Card.Refresh(): the cards as they are now, with the task still running and its inputs' artifacts.
                void Store() => StoreCardsAsync(cards, new CardData(graph, run, request.Record(graph.Name, RunStatus.Running, started) with { Artifacts = refs }, Previews(inherited)), null, stepToken).GetAwaiter().GetResult();
                cards.Store = fence is null ? Store : () => fence.WriteUnlessAbandoned(Store);
            }

            var (artifacts, next, elements) = RunStep(request, node, context, info, log, inherited, refs, inputs, item);
            cards.Close();
            if (cards.Stored.Count > 0)
            {
                previews = Previews(inherited.Concat(artifacts).GroupBy(a => a.Key).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal));
            }

            var stored = new Dictionary<string, ArtifactRef>(StringComparer.Ordinal);
            foreach (var (name, value) in artifacts)
            {
                stored[name] = refs.TryGetValue(name, out var same) && same.Key == value.Hash
                    ? same
                    : await datastore.PutAsync(value, TypeOf(name), stepToken).ConfigureAwait(false);
            }

            // What the step cannot touch goes on as it was stored, without being read.
            foreach (var (name, reference) in refs)
            {
                if (!Uses(node, name))
                {
                    stored.TryAdd(name, reference);
                }
            }

            List<ArtifactRef>? elementRefs = null;
            if (elements is not null)
            {
                elementRefs = new List<ArtifactRef>(elements.Count);
                foreach (var element in elements)
                {
                    elementRefs.Add(await datastore.PutAsync(element, node.ForeachElementType ?? "", stepToken).ConfigureAwait(false));
                }
            }

            // A loop's next iteration starts from this task, not from the foreach step: it takes the item from here.
            record = request.Record(definition.Graph.Name, RunStatus.Succeeded, started) with { Artifacts = stored, Next = next, ForeachElements = elementRefs, Item = node.IsLoop ? itemRef : null };
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var cause = e is System.Reflection.TargetInvocationException { InnerException: { } inner } ? inner : e;
            record = request.Record(definition.Graph.Name, RunStatus.Failed, started) with { Artifacts = inheritedRefs, Error = StepError.From(cause, request.Step) };
        }

        cards.Close();
        if (fence?.TryCommit() == false)
        {
            return record;
        }

        if (cards.Stored.Count > 0)
        {
            await StoreCardsAsync(cards, new CardData(graph, run, record, previews), log, cancellationToken).ConfigureAwait(false);
        }

        return await StoreAsync(request, record, log, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The ids of the cards a task stores: its step's <c>[Card]</c>s, and the default card with <c>--with card</c>.</summary>
    internal static IReadOnlyList<string> CardIds(StepNode node, TaskRequest request) =>
        request.WithCard && !node.Cards.Contains(TaskCards.DefaultId, StringComparer.Ordinal) ? [TaskCards.DefaultId, .. node.Cards] : node.Cards;

    /// <summary>The largest serialized artifact a card shows a short value of.</summary>
    private const long CardPreviewLimit = 1 << 20;

    // Short values of the artifacts the task has in hand, for its cards (one that cannot be read is left out).
    private Dictionary<string, string> Previews(IReadOnlyDictionary<string, ArtifactValue> values)
    {
        var previews = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var accessor in definition.Artifacts)
        {
            if (values.TryGetValue(accessor.Name, out var value))
            {
                // A large value is not read again (nor fetched, when it is still in the blob store) for one short line.
                if (value.Length > CardPreviewLimit)
                {
                    previews[accessor.Name] = $"({value.Length} bytes, not shown)";
                    continue;
                }

                try
                {
                    previews[accessor.Name] = Format.Preview(accessor.ReadBoxed(value, $"artifact {accessor.Name}"));
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // The card says the value was not read; the task is not the worse for it.
                }
            }
        }

        return previews;
    }

    /// <summary>
    /// Renders and stores each of the task's cards. Never fails the task: a component that fails, a card that cannot be
    /// rendered or stored is noted on the card (where it can be) and, at the task's end (with its <paramref name="log"/>), in
    /// one line each on the task's stderr.
    /// </summary>
    private async Task StoreCardsAsync(TaskCards cards, CardData data, TaskLog? log, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        foreach (var card in cards.Stored)
        {
            try
            {
                var html = CardPage.Render(data, card, problems);
                await datastore.Metadata.PutCardAsync(data.Task.Flow, data.Task.RunId, data.Task.Step, data.Task.TaskId, data.Task.Attempt, card.Id, Encoding.UTF8.GetBytes(html), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                problems.Add($"card '{card.Id}' could not be stored: {e.GetType().FullName}: {e.Message}");
            }
        }

        // What a refresh (no log) ran into, the final store runs into again and reports, once.
        if (problems.Count == 0 || log is null)
        {
            return;
        }

        using (TaskConsole.Capture(log))
        {
            foreach (var problem in problems)
            {
                Console.Error.WriteLine($"warning: task {data.Task.Pathspec}: {problem}".ReplaceLineEndings(" "));
            }
        }
    }

    /// <summary>
    /// Stores the attempt's logs and record. When the datastore fails, the attempt fails: its failed record, naming the
    /// datastore's error, is stored in its place if it can be; if even that cannot, a <see cref="TaskNotStoredException"/> says so.
    /// </summary>
    private async Task<TaskRecord> StoreAsync(TaskRequest request, TaskRecord record, TaskLog log, CancellationToken cancellationToken)
    {
        try
        {
            await SaveLogsAsync(request, log, cancellationToken).ConfigureAwait(false);
            await datastore.Metadata.PutTaskAsync(record, cancellationToken).ConfigureAwait(false);
            return record;
        }
        catch (Exception e) when (IsStoreFailure(e))
        {
            var error = new FlowException($"Task {record.Pathspec} ran and {(record.Status == RunStatus.Succeeded ? "succeeded" : "failed")}, but the datastore at {datastore.Description} could not store its logs and record: {e.Message}", e);
            var failed = record with { Status = RunStatus.Failed, Error = StepError.From(error, request.Step), Next = [], ForeachElements = null, FinishedAt = DateTimeOffset.UtcNow };
            try
            {
                await datastore.Metadata.PutTaskAsync(failed, cancellationToken).ConfigureAwait(false);
                return failed;
            }
            catch (Exception again) when (IsStoreFailure(again))
            {
                throw new TaskNotStoredException(failed, $"{error.Message} Its failure could not be stored either: {again.Message}", again);
            }
        }
    }

    /// <summary>An error of the datastore under a task: the S3 datastore's are <see cref="FlowException"/>s, the local one's I/O errors.</summary>
    internal static bool IsStoreFailure(Exception e) => e is FlowException or IOException or UnauthorizedAccessException;

    // A task that allocated a lot (large artifacts) leaves its garbage behind: it is collected now, and the
    // memory given back, so that the next task in this process does not start on top of it.
    private static void ReleaseMemory(long allocatedBefore)
    {
        if (GC.GetTotalAllocatedBytes() - allocatedBefore >= 64L << 20)
        {
            System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
    }

    private (Dictionary<string, ArtifactValue> Artifacts, IReadOnlyList<string> Next, IReadOnlyList<ArtifactValue>? Elements) RunStep(
        TaskRequest request,
        StepNode node,
        RunContext context,
        TaskInfo info,
        TaskLog log,
        IReadOnlyDictionary<string, ArtifactValue> inherited,
        IReadOnlyDictionary<string, ArtifactRef> refs,
        IReadOnlyList<JoinInput>? inputs,
        ArtifactValue? item)
    {
        var flow = definition.CreateInstance();
        var state = new TaskState(info, request.Index);
        flow.State = state;
        // Only what the step uses was loaded (see LoadInputsAsync): that is what is set on the instance.
        var restored = definition.RestoreAll(flow, inherited, $"task {info.Pathspec}");
        using (EnvironmentScope.Set(request.Environment))
        using (TaskConsole.Capture(log))
        using (Script.ForTask(info.CancellationToken))
        {
            definition.RunStep(flow, request.Step, new StepInvocation(definition, context, request.Step, inputs, item));
        }

        var next = CheckTransition(node, state);
        var elements = node.Transition == TransitionKind.Foreach ? definition.SplitForeach(flow, request.Step) : null;
        state.Assigned.UnionWith(node.Writes);
        return (definition.Capture(flow, inherited, restored, state.Assigned, name => refs.ContainsKey(name) && !Uses(node, name)), next, elements);
    }

    // The references a task of the step reads (see Uses).
    private static IReadOnlyDictionary<string, ArtifactRef> UsedBy(StepNode node, IReadOnlyDictionary<string, ArtifactRef> refs) =>
        node.Uses is null ? refs : refs.Where(r => Uses(node, r.Key)).ToDictionary(r => r.Key, r => r.Value, StringComparer.Ordinal);

    /// <summary>Whether a task of <paramref name="node"/> may touch the artifact: its body names it, or it is the step's foreach artifact.</summary>
    private static bool Uses(StepNode node, string artifact) =>
        node.Uses is not { } uses || uses.Contains(artifact) || string.Equals(artifact, node.ForeachArtifact, StringComparison.Ordinal);

    private async Task<(IReadOnlyDictionary<string, ArtifactValue> Inherited, IReadOnlyDictionary<string, ArtifactRef> Refs, IReadOnlyList<JoinInput>? Inputs, ArtifactValue? Item, ArtifactRef? ItemRef)> LoadInputsAsync(
        TaskRequest request, StepNode node, RunRecord run, CancellationToken cancellationToken)
    {
        var graph = definition.Graph;
        if (node.IsJoin || request.Inputs.Count == 0)
        {
            var parameters = await datastore.GetAllAsync(
                UsedBy(node, run.Parameters),
                $"run {run.RunId}",
                cancellationToken).ConfigureAwait(false);
            if (!node.IsJoin)
            {
                return (parameters, run.Parameters, null, null, null);
            }

            var inputs = new List<JoinInput>(request.Inputs.Count);
            for (var i = 0; i < request.Inputs.Count; i++)
            {
                // An input's record is read when the step uses that input, not kept: a join over many inputs would
                // otherwise hold every input's record. Unless the scheduler has seen them succeed, each is checked first.
                var pathspec = request.Inputs[i];
                var (_, step, taskId) = TaskPath(pathspec);
                if (!request.InputsChecked)
                {
                    await ParentAsync(pathspec, cancellationToken).ConfigureAwait(false);
                }

                inputs.Add(new JoinInput(
                    step,
                    taskId,
                    i < request.InputBranches.Count ? request.InputBranches[i] : i,
                    () => ParentAsync(pathspec, CancellationToken.None).GetAwaiter().GetResult().Artifacts,
                    () =>
                    {
                        var input = ParentAsync(pathspec, CancellationToken.None).GetAwaiter().GetResult();
                        return datastore.GetAllAsync(input.Artifacts, Owner(input), CancellationToken.None).GetAwaiter().GetResult();
                    }));
            }

            return (parameters, run.Parameters, inputs, null, null);
        }

        var source = await ParentAsync(request.Inputs[0], cancellationToken).ConfigureAwait(false);
        var inheritedRefs = new Dictionary<string, ArtifactRef>(source.Artifacts, StringComparer.Ordinal);
        ArtifactValue? item = null;
        ArtifactRef? itemRef = null;
        if (request.ForeachIndex is { } index)
        {
            var parentNode = graph[source.Step];
            var elements = source.ForeachElements ?? throw new FlowException($"Task {source.Pathspec} has no foreach elements; it is not a foreach step.");
            if (index < 0 || index >= elements.Count)
            {
                throw new FlowException($"Task {source.Pathspec} has {elements.Count} foreach elements; there is no element {index}.");
            }

            // A foreach child reads only its own element, never the whole collection.
            if (parentNode.ForeachArtifact is { } collection)
            {
                inheritedRefs.Remove(collection);
            }

            itemRef = elements[index];
            item = await datastore.GetAsync(itemRef, $"foreach element {index} of {Owner(source)}", cancellationToken).ConfigureAwait(false);
        }
        else if (source.Item is { } kept && string.Equals(source.Step, request.Step, StringComparison.Ordinal))
        {
            // The next iteration of a loop that takes a foreach item: the previous iteration kept it.
            itemRef = kept;
            item = await datastore.GetAsync(kept, $"the foreach item of {Owner(source)}", cancellationToken).ConfigureAwait(false);
        }

        // Only the artifacts the step can touch are read; the others go on by reference (see RunTaskAsync).
        var inherited = await datastore.GetAllAsync(UsedBy(node, inheritedRefs), Owner(source), cancellationToken).ConfigureAwait(false);
        return (inherited, inheritedRefs, null, item, itemRef);
    }

    // A clone's data was written by the task it was cloned from: errors name both.
    private static string Owner(TaskRecord task) =>
        task.ClonedFrom is { } origin ? $"{task.Pathspec} (cloned from {origin})" : task.Pathspec;

    private static (string RunId, string Step, long TaskId) TaskPath(string pathspec)
    {
        var parts = pathspec.Split('/');
        if (parts.Length != 3 || !Ids.IsValid(parts[0]) || !Ids.IsValid(parts[1])
            || !long.TryParse(parts[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var taskId))
        {
            throw new FlowException($"'{pathspec}' is not a task path; write RUN/STEP/TASK, as in 1700000000000-ab12/Start/1.");
        }

        return (parts[0], parts[1], taskId);
    }

    private async Task<TaskRecord> ParentAsync(string pathspec, CancellationToken cancellationToken)
    {
        if (_parents.TryGetValue(pathspec, out var known))
        {
            return known;
        }

        var (runId, step, taskId) = TaskPath(pathspec);
        var record = await datastore.Metadata.GetTaskAsync(definition.Graph.Name, runId, step, taskId, cancellationToken).ConfigureAwait(false)
            ?? throw new FlowException($"Task {pathspec} is not in the datastore at {datastore.Description}.");
        if (record.Status != RunStatus.Succeeded)
        {
            throw new FlowException($"Task {pathspec} did not succeed, so its artifacts cannot be used.");
        }

        if (record.ForeachElements is not null)
        {
            _parents.TryAdd(pathspec, record);
        }

        return record;
    }

    private async Task<RunRecord> RunAsync(string runId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_runs.TryGetValue(runId, out var known))
            {
                return known;
            }
        }

        RunRecord? found;
        try
        {
            found = await datastore.Metadata.GetRunAsync(definition.Graph.Name, Ids.Check(runId, "run id"), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FlowException($"Cannot read run {definition.Graph.Name}/{runId} from the datastore at {datastore.Description}: {e.Message}", e);
        }

        var run = found ?? throw new FlowException($"Run {definition.Graph.Name}/{runId} is not in the datastore at {datastore.Description}.");
        lock (_gate)
        {
            _runs[runId] = run;
        }

        return run;
    }

    private async Task SaveLogsAsync(TaskRequest request, TaskLog log, CancellationToken cancellationToken)
    {
        foreach (var (stream, text) in new[] { ("stdout", log.Stdout), ("stderr", log.Stderr) })
        {
            if (text.Length > 0)
            {
                await datastore.Metadata.PutLogAsync(definition.Graph.Name, request.RunId, request.Step, request.TaskId, request.Attempt, stream, Encoding.UTF8.GetBytes(text), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private string TypeOf(string artifact) =>
        definition.Graph.Artifacts.FirstOrDefault(a => a.Name == artifact)?.Type ?? "";

    private static IReadOnlyList<string> CheckTransition(StepNode node, TaskState state)
    {
        if (node.Transition == TransitionKind.None)
        {
            return state.NextCalled
                ? throw new FlowException($"Step {node.Name} is the end step and must not call Next.")
                : [];
        }

        if (!state.NextCalled)
        {
            throw new FlowException($"Step {node.Name} finished without calling Next; it must call Next({string.Join(", ", node.Next)}).");
        }

        var valid = node.Transition == TransitionKind.Conditional
            ? state.Next.Count == 1 && node.Next.Contains(state.Next[0], StringComparer.Ordinal)
            : state.Next.SequenceEqual(node.Next, StringComparer.Ordinal);
        return valid
            ? state.Next
            : throw new FlowException(
                $"Step {node.Name} called Next({string.Join(", ", state.Next)}), but its compiled graph says Next({string.Join(", ", node.Next)}); rebuild the flow.");
    }
}
