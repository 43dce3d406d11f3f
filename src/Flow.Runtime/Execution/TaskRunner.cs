using System.Diagnostics;
using Flow.Graph;
using Flow.Serialization;

namespace Flow.Execution;

/// <summary>Everything one task needs: its step, its inputs and where it sits in the open splits.</summary>
internal sealed record TaskSpec(
    string Step,
    long TaskId,
    IReadOnlyDictionary<string, ArtifactValue> Inherited,
    IReadOnlyList<JoinInput>? Inputs,
    ArtifactValue? Item,
    int Index,
    SplitFrame? Frame);

/// <summary>One open split a task is inside of; frames chain outwards to the outermost split.</summary>
internal sealed record SplitFrame(string SplitStep, long SplitTaskId, int Count, int Branch, int ParentIndex, SplitFrame? Outer);

/// <summary>How a task ended.</summary>
internal sealed record TaskOutcome(
    bool Succeeded,
    IReadOnlyDictionary<string, ArtifactValue> Artifacts,
    IReadOnlyList<string> Next,
    IReadOnlyList<ArtifactValue>? Elements,
    StepError? Error,
    int Attempts,
    TimeSpan Duration);

/// <summary>Runs one task in this process: a fresh flow instance, its inputs restored, the step invoked, its artifacts captured.</summary>
internal static class TaskRunner
{
    public static async Task<TaskOutcome> RunAsync(FlowDefinition definition, RunContext run, TaskSpec spec, CancellationToken cancellationToken)
    {
        var node = definition.Graph[spec.Step];
        var attempts = 1 + (node.Retry?.Times ?? 0);
        var clock = Stopwatch.StartNew();
        StepError? error = null;
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (attempt > 0 && node.Retry is { DelaySeconds: > 0 } retry)
            {
                await Task.Delay(TimeSpan.FromSeconds(retry.DelaySeconds), cancellationToken).ConfigureAwait(false);
            }

            var info = new TaskInfo(run.FlowName, run.RunId, spec.Step, spec.TaskId, attempt, run.User);
            try
            {
                var (artifacts, next, elements) = RunOnce(definition, run, spec, node, info);
                return new TaskOutcome(true, artifacts, next, elements, null, attempt + 1, clock.Elapsed);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                error = StepError.From(e is System.Reflection.TargetInvocationException { InnerException: { } inner } ? inner : e, spec.Step);
            }
        }

        if (node.Catch is { } caught)
        {
            var artifacts = new Dictionary<string, ArtifactValue>(spec.Inherited, StringComparer.Ordinal);
            if (caught.Artifact is { } name)
            {
                artifacts[name] = FlowSerializer.Serialize(error);
            }

            return new TaskOutcome(true, artifacts, node.Next, null, error, attempts, clock.Elapsed);
        }

        return new TaskOutcome(false, spec.Inherited, [], null, error, attempts, clock.Elapsed);
    }

    private static (Dictionary<string, ArtifactValue>, IReadOnlyList<string>, IReadOnlyList<ArtifactValue>?) RunOnce(
        FlowDefinition definition, RunContext run, TaskSpec spec, StepNode node, TaskInfo info)
    {
        var flow = definition.CreateInstance();
        var state = new TaskState(info, spec.Index);
        flow.State = state;
        definition.RestoreAll(flow, spec.Inherited, $"task {info.Pathspec}");
        definition.RunStep(flow, spec.Step, new StepInvocation(definition, run, spec.Step, spec.Inputs, spec.Item));

        var next = CheckTransition(node, state);
        var elements = node.Transition == TransitionKind.Foreach ? definition.SplitForeach(flow, spec.Step) : null;
        state.Assigned.UnionWith(node.Writes);
        var artifacts = definition.Capture(flow, spec.Inherited, state.Assigned);
        return (artifacts, next, elements);
    }

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
