using Flow.Datastore;

namespace Flow.Execution;

/// <summary>The records of task attempts that did not end on their own: ran past their timeout, or failed outside the step.</summary>
internal static class FailedRecords
{
    public static TaskRecord TimedOut(string flow, TaskRequest request, TimeSpan limit, bool stopped, DateTimeOffset? started = null) => Failed(
        flow,
        request,
        new TimeoutException(stopped
            ? $"Step {request.Step} ran longer than its timeout of {limit.TotalSeconds:0} s and was stopped."
            : $"Step {request.Step} ran longer than its timeout of {limit.TotalSeconds:0} s and was given up; it ran in the scheduler's process, where a step that does not observe Current.CancellationToken cannot be stopped (run with --isolation Process to stop it)."),
        started);

    /// <summary>The failed record of an attempt; <paramref name="started"/>: when it started, where known (else now).</summary>
    public static TaskRecord Failed(string flow, TaskRequest request, Exception error, DateTimeOffset? started = null) =>
        request.Record(flow, RunStatus.Failed, started ?? DateTimeOffset.UtcNow) with { Error = StepError.From(error, request.Step) };
}
