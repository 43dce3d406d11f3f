using System.Globalization;
using System.Text;
using Flow.Datastore;
using Flow.Execution;
using Flow.Graph;

namespace Flow.Slurm;

/// <summary>
/// Runs the tasks of the steps that go to Slurm as Slurm jobs, and every other task with the local launcher. The
/// scheduler stays where it is: it hands this launcher the tasks that are ready; those of one step that become
/// ready together (a foreach's children) are submitted as one job array, the others as single jobs. Each job runs
/// the flow's own program through the hidden <c>tasks</c> command, which runs its tasks from a file of task requests
/// as the <c>step</c> command runs one, and stores each task's logs and record in the datastore. A job array's task
/// runs several of the foreach's tasks one after another (about four array tasks for each that may run at once), so
/// that a wide foreach does not pay a process start per task; a step with a timeout runs one task per job;
/// the launcher follows the jobs with <c>squeue</c> (no accounting database needed) and then reads the record. A job
/// that Slurm ends before the task could record itself (time limit, memory, node failure, cancelled) becomes a failed
/// record that names Slurm's state and the job.
/// </summary>
internal sealed class SlurmLauncher : ITaskLauncher
{
    private static readonly TimeSpan SqueueOutageTolerated = TimeSpan.FromMinutes(5);
    private readonly ITaskLauncher _local;
    private readonly FlowDefinition _definition;
    private readonly FlowDatastore _datastore;
    private readonly DatastoreConfig _store;
    private readonly WorkerCommand _program;
    private readonly SlurmSettings _settings;
    private readonly TextWriter _log;
    private readonly TextWriter _output;
    private readonly int _parallel;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly List<Element> _waiting = new();
    // By task path: the tasks of one array task share its job id.
    private readonly Dictionary<string, Element> _active = new(StringComparer.Ordinal);
    private readonly List<Task> _submissions = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, string> _arraysShown = new(StringComparer.Ordinal);
    private Task? _poller;
    private string? _folder;
    private DateTimeOffset? _squeueFailingSince;
    private string _squeueError = "";


    /// <param name="local">Runs the tasks that stay on this machine.</param>
    /// <param name="definition">The flow.</param>
    /// <param name="datastore">The run's datastore, which the jobs must reach too.</param>
    /// <param name="store">Where that datastore is, as the jobs are told (an absolute folder, or S3).</param>
    /// <param name="program">How to start this flow's program on a node.</param>
    /// <param name="settings">The run's Slurm settings.</param>
    /// <param name="log">Where progress lines go, and the tasks' standard error.</param>
    /// <param name="output">Where the tasks' standard output goes, once each has ended.</param>
    /// <param name="parallel">How many tasks of one job array may run at once.</param>
    /// <param name="time">The clock for timeouts.</param>
    public SlurmLauncher(ITaskLauncher local, FlowDefinition definition, FlowDatastore datastore, DatastoreConfig store, WorkerCommand program, SlurmSettings settings, TextWriter log, TextWriter output, int parallel, TimeProvider time)
    {
        _local = local;
        _definition = definition;
        _datastore = datastore;
        _store = store;
        _program = program;
        _settings = settings;
        _log = log;
        _output = output;
        _parallel = Math.Max(1, parallel);
        _time = time;
    }

    /// <summary>Tasks on Slurm set their variables in their own job: only the local ones share a process.</summary>
    public bool SharesEnvironment => _local.SharesEnvironment;

    /// <summary>Whether a step's tasks go to Slurm: it has [Slurm], or the run says every step does.</summary>
    public bool RunsElsewhere(StepNode step) => _settings.AllSteps || step.Slurm is not null;

    public Task<TaskRecord> RunAsync(TaskRequest request, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var node = _definition.Graph[request.Step];
        if (!RunsElsewhere(node))
        {
            return _local.RunAsync(request, timeout, cancellationToken);
        }

        var element = new Element(request, node, timeout);
        element.Cancellation = cancellationToken.Register(static state => ((Element)state!).Done.TrySetCanceled(), element);
        lock (_gate)
        {
            _waiting.Add(element);
        }

        return element.Done.Task;
    }

    /// <summary>Submits what became ready since the last call: one job per task, one job array per step with several.</summary>
    public void Started()
    {
        List<Element> ready;
        lock (_gate)
        {
            if (_waiting.Count == 0)
            {
                return;
            }

            ready = [.. _waiting];
            _waiting.Clear();
            _poller ??= Task.Run(() => PollAsync(_stop.Token));
        }

        foreach (var group in ready.GroupBy(e => (e.Request.Step, e.Request.Attempt)))
        {
            var submission = SubmitAsync(group.ToList());
            lock (_gate)
            {
                _submissions.RemoveAll(t => t.IsCompleted);
                _submissions.Add(submission);
            }
        }
    }

    /// <summary>
    /// Ends the launcher with its run: every job still under way is cancelled at once (a run stopped by a signal has a
    /// few seconds left), then those whose submission was still on its way, and the run's job folder is removed.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        Task[] submissions;
        lock (_gate)
        {
            submissions = [.. _submissions];
            foreach (var waiting in _waiting)
            {
                waiting.Done.TrySetCanceled();
            }

            _waiting.Clear();
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        var cancelled = await CancelActiveAsync().ConfigureAwait(false);
        await Task.WhenAll(submissions).ConfigureAwait(false);
        cancelled.AddRange(await CancelActiveAsync().ConfigureAwait(false));
        if (cancelled.Count > 0)
        {
            _log.WriteLine($"Cancelled {cancelled.Count} Slurm job(s) of the run: {string.Join(", ", cancelled)}.");
        }

        if (_poller is { } poller)
        {
            await poller.ConfigureAwait(false);
        }

        if (_folder is not null)
        {
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _log.WriteLine($"warning: could not remove the Slurm job folder {_folder}: {e.Message}");
            }
        }

        _stop.Dispose();
        await _local.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Cancels the jobs of the tasks still under way; their ids.</summary>
    private async Task<List<string>> CancelActiveAsync()
    {
        List<Element> left;
        lock (_gate)
        {
            left = [.. _active.Values];
            _active.Clear();
        }

        var jobs = left.Select(e => e.JobId!).Distinct(StringComparer.Ordinal).ToList();
        if (jobs.Count > 0)
        {
            var cancelled = await SlurmCommands.RunAsync("scancel", jobs, CancellationToken.None).ConfigureAwait(false);
            if (cancelled.ExitCode != 0)
            {
                _log.WriteLine($"warning: scancel {string.Join(" ", jobs)} failed: {cancelled.Message}");
            }
        }

        foreach (var element in left)
        {
            element.Done.TrySetCanceled();
        }

        return jobs;
    }

    private async Task SubmitAsync(List<Element> elements)
    {
        var first = elements[0];
        var step = first.Request.Step;
        try
        {
            var folder = Folder(first.Request.RunId);
            var name = $"{step}-{first.Request.TaskId}-{first.Request.Attempt}";
            var tasksFile = Path.Combine(folder, name + ".tasks");
            var script = Path.Combine(folder, name + ".sh");

            // A task with a timeout has a job of its own, so that it can be stopped alone.
            // At most 1,000 array tasks: Slurm's default MaxArraySize is 1,001.
            var perJob = first.Timeout is null ? Math.Max(1, (int)Math.Ceiling(elements.Count / Math.Min(4.0 * _parallel, 1000))) : 1;
            var jobs = (elements.Count + perJob - 1) / perJob;
            await File.WriteAllLinesAsync(tasksFile, elements.Select(e => RecordJson.SerializeToString(e.Request)), CancellationToken.None).ConfigureAwait(false);
            await File.WriteAllTextAsync(script, Script(first.Request, tasksFile, perJob), CancellationToken.None).ConfigureAwait(false);
            var array = jobs > 1;
            var output = Path.Combine(folder, array ? name + "-%a.out" : name + ".out");
            var arguments = SbatchArguments(first.Node, first.Timeout, $"flow-{_definition.Graph.Name}-{first.Request.RunId}-{step}", output);
            if (array)
            {
                arguments.Add($"--array=0-{jobs - 1}%{_parallel}");
            }

            arguments.Add(script);
            var submitted = await SlurmCommands.RunAsync("sbatch", arguments, CancellationToken.None).ConfigureAwait(false);
            if (submitted.ExitCode != 0)
            {
                var error = new FlowException($"Slurm refused the job for step {step}: {submitted.Message} (sbatch {string.Join(" ", arguments.SkipLast(1))})");
                foreach (var element in elements)
                {
                    await FailAsync(element, error).ConfigureAwait(false);
                }

                return;
            }

            var jobId = submitted.Output.Trim().Split(';')[0];
            lock (_gate)
            {
                for (var i = 0; i < elements.Count; i++)
                {
                    var element = elements[i];
                    var index = (i / perJob).ToString(CultureInfo.InvariantCulture);
                    element.JobId = array ? $"{jobId}_{index}" : jobId;
                    element.OutputFile = array ? output.Replace("%a", index, StringComparison.Ordinal) : output;

                    // Even a task whose run was cancelled meanwhile: its job exists now, and the end of the run cancels it.
                    _active[element.Request.Pathspec] = element;
                }
            }

            _log.WriteLine(array
                ? $"[{step}] {elements.Count} tasks submitted to Slurm as job array {jobId}: {jobs} array tasks of up to {perJob}, at most {_parallel} at once"
                : elements.Count == 1
                    ? $"[{step}/{first.Request.TaskId}] submitted to Slurm as job {jobId}"
                    : $"[{step}] {elements.Count} tasks submitted to Slurm as job {jobId}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var error = e as FlowException ?? new FlowException($"Cannot submit step {step} to Slurm: {e.Message}", e);
            foreach (var element in elements)
            {
                await FailAsync(element, error).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The sbatch options of a step's jobs: its request, its time limit, where it goes, and Flow's own.</summary>
    private List<string> SbatchArguments(StepNode node, TimeSpan? timeout, string jobName, string output)
    {
        // --no-requeue: a job that Slurm ends (a node failing, preemption) is a failed task, retried as a new attempt by
        // [Retry], never also run again by Slurm beside it.
        List<string> arguments = ["--parsable", "--no-requeue", $"--job-name={jobName}", $"--output={output}", .. Request(node, timeout, _settings)];
        return arguments;
    }

    /// <summary>
    /// What a step asks Slurm for, as sbatch options: <c>[Resources]</c> as <c>--cpus-per-task</c>, <c>--mem</c> (MB) and
    /// <c>--gres=gpu:N</c>; <paramref name="timeout"/> as <c>--time</c> in minutes, rounded up, plus one; the partition,
    /// account, QOS and constraint of its <c>[Slurm]</c>, else of <paramref name="settings"/>; then the further arguments.
    /// </summary>
    public static List<string> Request(StepNode node, TimeSpan? timeout, SlurmSettings settings)
    {
        var arguments = new List<string>();
        if (node.Resources is { } r)
        {
            arguments.Add($"--cpus-per-task={r.Cpu.ToString(CultureInfo.InvariantCulture)}");
            arguments.Add($"--mem={r.MemoryMb.ToString(CultureInfo.InvariantCulture)}");
            if (r.Gpu > 0)
            {
                arguments.Add($"--gres=gpu:{r.Gpu.ToString(CultureInfo.InvariantCulture)}");
            }
        }

        if (timeout is { } limit)
        {
            // Slurm counts whole minutes; the runtime stops the task at its own limit, Slurm a minute after at the latest.
            arguments.Add($"--time={((int)Math.Ceiling(limit.TotalMinutes) + 1).ToString(CultureInfo.InvariantCulture)}");
        }

        var step = node.Slurm;
        foreach (var (option, value) in new[]
        {
            ("--partition", step?.Partition ?? settings.Partition),
            ("--account", step?.Account ?? settings.Account),
            ("--qos", step?.Qos ?? settings.Qos),
            ("--constraint", step?.Constraint ?? settings.Constraint),
        })
        {
            if (value is not null)
            {
                arguments.Add($"{option}={value}");
            }
        }

        arguments.AddRange(settings.Arguments);
        arguments.AddRange(step?.Arguments ?? []);
        return arguments;
    }

    /// <summary>The job script: the step's variables, then the program's <c>tasks</c> command for this array task's lines.</summary>
    private string Script(TaskRequest request, string tasksFile, int perJob)
    {
        var script = new StringBuilder("#!/bin/bash\n");
        script.Append("# Flow ").Append(_definition.Graph.Name).Append(", run ").Append(request.RunId).Append(", step ").Append(request.Step).Append('\n');
        foreach (var (name, value) in request.Environment)
        {
            script.Append("export ").Append(name).Append('=').Append(SlurmCommands.Quote(value)).Append('\n');
        }

        var count = perJob.ToString(CultureInfo.InvariantCulture);
        script.Append("exec ").Append(SlurmCommands.CommandLine(_program, ["tasks", "--file", tasksFile, "--count", count,
                "--datastore", _store.Kind == DatastoreKind.S3 ? "s3" : "local", "--datastore-root", _store.Root]))
            .Append(" --first $(( ${SLURM_ARRAY_TASK_ID:-0} * ").Append(count).Append(" ))\n");
        return script.ToString();
    }

    private string Folder(string runId)
    {
        lock (_gate)
        {
            if (_folder is null)
            {
                _folder = Path.Combine(FolderRoot(_store, _settings), $"{_definition.Graph.Name}-{runId}");
                Directory.CreateDirectory(_folder);
            }

            return _folder;
        }
    }

    /// <summary>The folder for job scripts and Slurm's output: the settings', else <c>.slurm</c> under a local datastore, else <c>.flow-slurm</c> here.</summary>
    public static string FolderRoot(DatastoreConfig store, SlurmSettings settings) =>
        Path.GetFullPath(settings.Folder
            ?? (store.Kind == DatastoreKind.Local ? Path.Combine(store.Root, ".slurm") : Path.Combine(Directory.GetCurrentDirectory(), ".flow-slurm")));

    private async Task PollAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_settings.PollInterval, _time, stop).ConfigureAwait(false);
                await PollOnceAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One failed round is not the end: the next one asks again (squeue failing for long fails the tasks).
                _log.WriteLine($"warning: following the Slurm jobs failed: {e.Message}");
            }
        }
    }

    private async Task PollOnceAsync(CancellationToken stop)
    {
        List<Element> active;
        lock (_gate)
        {
            active = [.. _active.Values];
        }

        if (active.Count == 0)
        {
            return;
        }

        var jobs = active.Select(e => e.JobId!.Split('_')[0]).Distinct(StringComparer.Ordinal).ToList();
        var states = await QueueAsync(jobs, stop).ConfigureAwait(false);
        if (states is null)
        {
            // squeue is not answering (a controller restarting): the records still tell which tasks ended. Only after
            // a long outage are the tasks given up, and their jobs cancelled, so that none runs on unwatched.
            _squeueFailingSince ??= _time.GetUtcNow();
            if (_time.GetUtcNow() - _squeueFailingSince > SqueueOutageTolerated)
            {
                await SlurmCommands.RunAsync("scancel", jobs, CancellationToken.None).ConfigureAwait(false);
                foreach (var element in active)
                {
                    await FailAsync(element, new FlowException($"Cannot follow Slurm job {element.JobId}: squeue has failed for {SqueueOutageTolerated.TotalMinutes:0} minutes ({_squeueError}); the job was cancelled.")).ConfigureAwait(false);
                }

                return;
            }

            await ForEachAsync(active, async element =>
            {
                if (await FinishedRecordAsync(element).ConfigureAwait(false) is { Record: { } record })
                {
                    await EchoAsync(record).ConfigureAwait(false);
                    Complete(element, record);
                }
            }, stop).ConfigureAwait(false);
            return;
        }

        _squeueFailingSince = null;
        var now = _time.GetUtcNow();
        ReportArrays(active, states);
        var ended = new List<(Element Element, string State, string Reason)>();
        foreach (var element in active)
        {
            if (!states.TryGetValue(element.JobId!, out var seen))
            {
                // Gone from the controller, or never an array element of its own yet (a pending array shows as one line).
                if (!states.Keys.Any(k => k.StartsWith(element.JobId!.Split('_')[0] + "_[", StringComparison.Ordinal)))
                {
                    ended.Add((element, "gone from Slurm's queue", ""));
                }

                continue;
            }

            Report(element, seen.State, seen.Reason);
            if (seen.State == "RUNNING")
            {
                element.RunningSince ??= now;
                if (element.Timeout is { } limit && now - element.RunningSince > limit)
                {
                    await SlurmCommands.RunAsync("scancel", [element.JobId!], CancellationToken.None).ConfigureAwait(false);
                    var timedOut = FailedRecords.TimedOut(_definition.Graph.Name, element.Request, limit, stopped: true) with { StartedAt = element.RunningSince.Value, FinishedAt = now };
                    await StoreAsync(timedOut).ConfigureAwait(false);
                    Complete(element, timedOut);
                }
            }
            else if (seen.State == "PENDING" && SlurmCommands.NeverStarts(seen.Reason))
            {
                await SlurmCommands.RunAsync("scancel", [element.JobId!], CancellationToken.None).ConfigureAwait(false);
                await FailAsync(element, new FlowException($"Slurm job {element.JobId} of step {element.Request.Step} can never start: {seen.Reason}. Lower the step's [Resources], or send it to a partition whose nodes can run it.")).ConfigureAwait(false);
            }
            else if (SlurmCommands.IsFinished(seen.State))
            {
                ended.Add((element, seen.State, seen.Reason));
            }
        }

        // The records of many finished tasks (a whole array) are read a few at a time, not one after another.
        await ForEachAsync(ended, e => EndedAsync(e.Element, e.State, e.Reason), stop).ConfigureAwait(false);
    }

    private static Task ForEachAsync<T>(IEnumerable<T> items, Func<T, Task> body, CancellationToken stop) =>
        Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = stop }, (item, _) => new ValueTask(body(item)));

    /// <summary>
    /// squeue's state and reason of every task of <paramref name="jobs"/> it still knows, by id; null when squeue fails.
    /// A job the controller has forgotten makes squeue refuse a whole list: then each job is asked about alone, and
    /// the forgotten ones are left out (their tasks are then over).
    /// </summary>
    private async Task<Dictionary<string, (string State, string Reason)>?> QueueAsync(List<string> jobs, CancellationToken stop)
    {
        var states = new Dictionary<string, (string State, string Reason)>(StringComparer.Ordinal);
        var queue = await SlurmCommands.RunAsync("squeue", ["-h", "-r", "-t", "all", "-o", "%i|%T|%r", "-j", string.Join(",", jobs)], stop).ConfigureAwait(false);
        if (queue.ExitCode != 0 && queue.Message.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase) && jobs.Count > 1)
        {
            foreach (var job in jobs)
            {
                if (await QueueAsync([job], stop).ConfigureAwait(false) is not { } one)
                {
                    return null;
                }

                foreach (var (id, seen) in one)
                {
                    states[id] = seen;
                }
            }

            return states;
        }

        if (queue.ExitCode != 0 && !queue.Message.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase))
        {
            _squeueError = queue.Message;
            return null;
        }

        foreach (var line in queue.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split('|');
            if (parts.Length >= 3)
            {
                states[parts[0]] = (parts[1], parts[2]);
            }
        }

        return states;
    }

    /// <summary>Logs a job's state when it changes: pending (with Slurm's reason) and running; the scheduler logs the end.</summary>
    private void Report(Element element, string state, string reason)
    {
        var shown = Shown(state, reason);
        if (element.Shown == shown || SlurmCommands.IsFinished(state) || element.JobId!.Contains('_', StringComparison.Ordinal))
        {
            return;
        }

        element.Shown = shown;
        _log.WriteLine($"[{element.Request.Step}/{element.Request.TaskId}] Slurm job {element.JobId}: {shown}");
    }

    private static string Shown(string state, string reason) =>
        state == "PENDING" && reason is { Length: > 0 } and not "None" ? $"{state} ({reason})" : state;

    /// <summary>Logs each job array's tasks still under way, by state, when the counts change: one line per array, not per task.</summary>
    private void ReportArrays(List<Element> active, Dictionary<string, (string State, string Reason)> states)
    {
        foreach (var array in active.Where(e => e.JobId!.Contains('_', StringComparison.Ordinal)).GroupBy(e => e.JobId!.Split('_')[0]))
        {
            var counts = array
                .Select(e => e.JobId!).Distinct(StringComparer.Ordinal)
                .Select(id => states.TryGetValue(id, out var seen) && !SlurmCommands.IsFinished(seen.State) ? Shown(seen.State, seen.Reason) : null)
                .Where(s => s is not null)
                .GroupBy(s => s!)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => $"{g.Count()} {g.Key}");
            var line = string.Join(", ", counts);
            if (line.Length > 0 && (!_arraysShown.TryGetValue(array.Key, out var before) || before != line))
            {
                _arraysShown[array.Key] = line;
                _log.WriteLine($"[{array.First().Request.Step}] Slurm job array {array.Key}: {line}");
            }
        }
    }

    /// <summary>A job that ended: the task's own record if it stored one for this attempt, else a failure naming Slurm's state.</summary>
    private async Task EndedAsync(Element element, string state, string reason)
    {
        var (record, unreadable) = await FinishedRecordAsync(element).ConfigureAwait(false);
        if (record is not null)
        {
            await EchoAsync(record).ConfigureAwait(false);
            Complete(element, record);
            return;
        }

        if (unreadable)
        {
            // The datastore did not answer: the task may well have recorded itself. The next round asks again.
            return;
        }

        var why = reason is { Length: > 0 } and not "None" ? $" ({reason})" : "";
        var output = element.OutputFile is { } file ? SlurmCommands.Tail(file) : "";
        var store = _store.Kind == DatastoreKind.Local
            ? $" The task's record is not in the datastore at {_store.Root}: if the job could not reach it, the datastore must be on a file system the nodes share."
            : "";
        await FailAsync(element, new FlowException(
            $"Slurm job {element.JobId} of step {element.Request.Step} ended {state}{why} before the task recorded how it went.{store}{(output.Length > 0 ? $" Its output: {output}" : "")}")).ConfigureAwait(false);
    }

    /// <summary>Prints what a task on Slurm wrote, as a local task's output is printed: each line after <c>[STEP/TASK]</c>.</summary>
    private async Task EchoAsync(TaskRecord record)
    {
        foreach (var (stream, writer) in new[] { ("stdout", _output), ("stderr", _log) })
        {
            try
            {
                if (await _datastore.Metadata.GetLogAsync(record.Flow, record.RunId, record.Step, record.TaskId, record.Attempt, stream, CancellationToken.None).ConfigureAwait(false) is { Length: > 0 } bytes)
                {
                    foreach (var line in Encoding.UTF8.GetString(bytes).TrimEnd('\n').Split('\n'))
                    {
                        writer.WriteLine($"[{record.Step}/{record.TaskId}] {line.TrimEnd('\r')}");
                    }
                }
            }
            catch (Exception e) when (TaskExecutor.IsStoreFailure(e))
            {
                _log.WriteLine($"warning: the {stream} of task {record.Pathspec} could not be read: {e.Message}");
            }
        }
    }

    /// <summary>
    /// The task's record for this attempt once it has ended; or, when the datastore could not be read, that it is
    /// unknown (never a reason to record a failure over a record that may be there).
    /// </summary>
    private async Task<(TaskRecord? Record, bool Unreadable)> FinishedRecordAsync(Element element)
    {
        var request = element.Request;
        try
        {
            var record = await _datastore.Metadata.GetTaskAsync(_definition.Graph.Name, request.RunId, request.Step, request.TaskId, CancellationToken.None).ConfigureAwait(false);
            return (record is { Status: not RunStatus.Running } && record.Attempt == request.Attempt ? record : null, false);
        }
        catch (Exception e) when (TaskExecutor.IsStoreFailure(e))
        {
            _log.WriteLine($"warning: the record of task {request.Pathspec} could not be read ({e.Message}); asking again.");
            return (null, true);
        }
    }

    private async Task FailAsync(Element element, FlowException error)
    {
        var failed = FailedRecords.Failed(_definition.Graph.Name, element.Request, error, element.RunningSince);
        await StoreAsync(failed).ConfigureAwait(false);
        Complete(element, failed);
    }

    // The record of a failure the task could not store itself, stored here so that the datastore tells the same story.
    private async Task StoreAsync(TaskRecord record)
    {
        try
        {
            await _datastore.Metadata.PutTaskAsync(record, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (TaskExecutor.IsStoreFailure(e))
        {
            _log.WriteLine($"warning: the failure of task {record.Pathspec} could not be stored: {e.Message}");
            return;
        }

        if (!await Cards.EndedCards.MarkAsync(_datastore.Metadata, record, CancellationToken.None).ConfigureAwait(false))
        {
            _log.WriteLine($"warning: the cards of task {record.Pathspec} still say it is running: the datastore failed to update them.");
        }
    }

    private void Complete(Element element, TaskRecord record)
    {
        lock (_gate)
        {
            _active.Remove(element.Request.Pathspec);
        }

        element.Cancellation.Dispose();
        element.Done.TrySetResult(record);
    }

    /// <summary>One task on its way through Slurm.</summary>
    private sealed class Element(TaskRequest request, StepNode node, TimeSpan? timeout)
    {
        public TaskRequest Request { get; } = request;

        public StepNode Node { get; } = node;

        public TimeSpan? Timeout { get; } = timeout;

        public TaskCompletionSource<TaskRecord> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenRegistration Cancellation { get; set; }

        /// <summary>The Slurm id: <c>JOB</c>, or <c>JOB_INDEX</c> in an array.</summary>
        public string? JobId { get; set; }

        public string? OutputFile { get; set; }

        public DateTimeOffset? RunningSince { get; set; }

        /// <summary>The state last logged.</summary>
        public string? Shown { get; set; }
    }
}
