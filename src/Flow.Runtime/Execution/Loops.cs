using Flow.Datastore;
using Flow.Graph;

namespace Flow.Execution;

/// <summary>
/// What follows a task of a loop step (a conditional step that goes back to itself, <see cref="StepNode.IsLoop"/>):
/// the one place a scheduler decides whether a loop goes round again, what the next iteration starts from, and when a
/// loop has run too long. Each iteration is a task of its own, whose only input is the previous iteration; it keeps the
/// foreach index path (so a loop inside a foreach loops for each element on its own) and the open splits, and so the
/// step after the loop, and any join, sees the last iteration as it would a single task.
/// </summary>
internal static class Loops
{
    /// <summary>Whether the finished task <paramref name="record"/> chose to run its step again.</summary>
    public static bool Repeats(StepNode node, TaskRecord record) =>
        node.IsLoop && record.Next.Count == 1 && string.Equals(record.Next[0], node.Name, StringComparison.Ordinal);

    /// <summary>
    /// The next iteration after <paramref name="record"/>, the task of <paramref name="pending"/>; or, when the loop has
    /// already run <paramref name="maxIterations"/> times, null and the error that fails the run.
    /// </summary>
    public static PendingTask? NextIteration(PendingTask pending, TaskRecord record, int maxIterations, out StepError? error)
    {
        var ran = pending.Iteration + 1;
        if (ran >= maxIterations)
        {
            error = StepError.From(
                new FlowException(
                    $"Step {record.Step} ran {ran} iterations, as many as --max-loop-iterations allows ({maxIterations}), and chose to go round again. " +
                    $"Check the condition that ends the loop, or raise the limit and resume."),
                record.Step);
            return null;
        }

        error = null;

        // The item of a foreach child that loops comes from the previous iteration's record (see TaskRecord.Item).
        return pending with { Inputs = [record.Pathspec], Branches = [], ForeachIndex = null, Iteration = ran };
    }

    /// <summary>Where a task goes when its failure is caught by [Catch]: a loop leaves by its one way out.</summary>
    public static IReadOnlyList<string> AfterCatch(StepNode node) => node.IsLoop ? [node.Onward.First()] : node.Next;
}
