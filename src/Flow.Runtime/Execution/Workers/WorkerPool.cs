using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Flow.Datastore;
using Flow.Serialization;

namespace Flow.Execution.Workers;

/// <summary>
/// Reusable worker processes of the flow's own program. Each takes task requests one at a time over
/// a Unix socket, so a task costs no process start; a worker that crashes, is killed or runs past a
/// timeout fails only its task, and a fresh worker takes its place.
/// </summary>
/// <remarks>
/// Workers start on demand, at most <c>maxWorkers</c> of them: a task takes an idle worker if there is
/// one, else it waits for the first worker to become free, and a new worker starts only when more tasks
/// wait than workers are starting. A warm worker that frees up takes a waiting task before a cold one
/// that is still starting, so a flow that never runs two tasks at once needs one worker (a process start
/// costs CPU time the running tasks would use: BENCHMARKS.md, "Process start and JIT"). The pool can be
/// created, and its first worker started, before the run is set up (<see cref="Prestart"/>), so that start
/// overlaps the scheduler's own; <see cref="Attach"/> then says where tasks store their data and where
/// their output goes.
/// </remarks>
internal sealed class WorkerPool : ITaskLauncher
{
    private readonly WorkerCommand _command;
    private readonly string _socketPrefix;
    private readonly Stack<WorkerProcess> _idle = new();
    private readonly LinkedList<Waiter> _waiting = new();
    private readonly List<WorkerProcess> _all = new();
    private readonly List<Starting> _starting = new();
    private readonly TaskCompletionSource<(TextWriter Output, TextWriter Log)> _sinks = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private string _flow = "";
    private string? _datastoreRoot;
    private IMetadataStore? _metadata;
    private int _maxWorkers = 1;
    private int _started;
    private bool _disposed;

    // Waiting time (Stopwatch ticks) that tasks have spent without a free worker since a worker last started.
    private long _waited;

    // What a worker start took last time (from process start to connection): the waiting worth a new one.
    private long _startCost = Stopwatch.Frequency * 3 / 10;
    private bool _checkScheduled;
    private int _warmed;

    /// <summary>Creates a pool that starts workers with <paramref name="command"/> as tasks need them.</summary>
    public WorkerPool(WorkerCommand command)
    {
        _command = command;
        // The process id makes the path unique among running processes; the random part guards against a stale socket of
        // an earlier process with the same id. (Not a secret: no cryptographic generator, whose loading would delay the first worker.)
        _socketPrefix = Path.Combine(Path.GetTempPath(), $"flow-{Environment.ProcessId}-{Random.Shared.Next():x8}");
    }

    /// <summary>Creates a pool and starts its first worker at once, before anything else of the run is known.</summary>
    public static WorkerPool Prestart(WorkerCommand command)
    {
        // Started on this thread (no other can see the pool yet): the process is on its way before the thread pool has even started.
        var pool = new WorkerPool(command);
        pool.StartLocked(inline: true);
        return pool;
    }

    /// <summary>How many worker processes this pool has started so far (for tests).</summary>
    public int StartedCount => Volatile.Read(ref _started);

    /// <summary>Whether <see cref="Attach"/> was called: the pool belongs to a run.</summary>
    public bool Attached => _datastoreRoot is not null;

    /// <summary>Gives the pool its run: the flow, its datastore, where workers' output goes, and the most workers it may have.</summary>
    public void Attach(string flow, string datastoreRoot, IMetadataStore metadata, TextWriter output, TextWriter log, int maxWorkers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWorkers, 1);
        lock (_gate)
        {
            _flow = flow;
            _datastoreRoot = datastoreRoot;
            _metadata = metadata;
            _maxWorkers = maxWorkers;
            foreach (var worker in _all)
            {
                worker.Flow = flow;
            }
        }

        _sinks.TrySetResult((output, log));
    }

    /// <summary>Each worker runs one task at a time, in its own environment.</summary>
    public bool SharesEnvironment => false;

    public async Task<TaskRecord> RunAsync(TaskRequest request, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        if (_datastoreRoot is null)
        {
            throw new InvalidOperationException("The worker pool has no run yet: call Attach first.");
        }

        var worker = await AcquireAsync(cancellationToken).ConfigureAwait(false);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout is { } t)
        {
            limit.CancelAfter(t);
        }

        var sent = DateTimeOffset.UtcNow;
        try
        {
            // A worker learns its datastore with its first request: it may have started before the run knew it.
            if (!worker.Introduced)
            {
                await worker.Writer.WriteLineAsync(_datastoreRoot.AsMemory(), limit.Token).ConfigureAwait(false);
                worker.Introduced = true;
            }

            // When the attempt starts, as far as the pool knows: the record of an attempt the worker cannot end says so.
            sent = DateTimeOffset.UtcNow;
            await worker.Writer.WriteLineAsync(RecordJson.SerializeToString(request).AsMemory(), limit.Token).ConfigureAwait(false);
            await worker.Writer.FlushAsync(limit.Token).ConfigureAwait(false);
            if (Interlocked.Exchange(ref _warmed, 1) == 0)
            {
                // While the first task runs, the scheduler compiles what it does with task records next (not with
                // artifact values, which it rarely reads: the worker needs the machine's cores for its task).
                new Thread(() => WarmUp.Run(values: false)) { IsBackground = true, Name = "Flow scheduler warm-up" }.Start();
            }

            var line = await worker.Reader.ReadLineAsync(limit.Token).ConfigureAwait(false);
            if (line is null)
            {
                return await DiedAsync(worker, request, sent).ConfigureAwait(false);
            }

            var record = RecordJson.Deserialize<TaskRecord>(Encoding.UTF8.GetBytes(line), $"the reply of the worker running {request.Pathspec}");

            // The worker marked the end of the task's output in its stdout and stderr before it replied: once the
            // marks are read, every line of the task has reached the console, and the task may be reported done.
            await worker.OutputOfTaskAsync(++worker.TasksDone).ConfigureAwait(false);
            Release(worker);
            return record;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && timeout is { } limitTime)
        {
            await RetireAsync(worker).ConfigureAwait(false);
            return await RecordAsync(FailedRecords.TimedOut(worker.Flow, request, limitTime, stopped: true, sent)).ConfigureAwait(false);
        }
        catch (IOException)
        {
            return await DiedAsync(worker, request, sent).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<WorkerProcess> workers;
        List<Starting> starting;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            starting = [.. _starting];
            foreach (var waiter in _waiting)
            {
                waiter.TrySetException(new ObjectDisposedException(nameof(WorkerPool)));
            }

            _waiting.Clear();
        }

        // Output of a pool that never ran anything (the command failed before its run began) goes nowhere.
        _sinks.TrySetResult((TextWriter.Null, TextWriter.Null));

        // A worker still starting has no task: it is stopped rather than waited for.
        foreach (var start in starting)
        {
            start.Stop();
            try
            {
                await start.Task.ConfigureAwait(false);
            }
            catch (FlowException)
            {
            }
        }

        lock (_gate)
        {
            workers = [.. _all];
        }

        // A worker ends by itself when its socket closes. Its tasks' output is all through (see OutputOfTaskAsync), so
        // nothing waits for its exit, which would cost every run the tens of milliseconds a process takes to end: it
        // is reaped in the background, and killed if it has not ended within a few seconds (a step's thread left running).
        foreach (var worker in workers)
        {
            worker.Writer.Dispose();
            _ = ReapAsync(worker);
        }
    }

    private static async Task ReapAsync(WorkerProcess worker)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await worker.Process.WaitForExitAsync(patience.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            worker.Kill();
        }

        try
        {
            await worker.DrainAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // Output after the run's last task, with the run's writers closed: there is nowhere left for it.
        }
        finally
        {
            worker.Process.Dispose();
        }
    }

    /// <summary>An idle worker, else the first worker to become free (see <see cref="StartWhatWaitingNeedsLocked"/> for when a new one starts).</summary>
    private Task<WorkerProcess> AcquireAsync(CancellationToken cancellationToken)
    {
        Waiter waiter;
        LinkedListNode<Waiter> node;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_idle.TryPop(out var idle))
            {
                return Task.FromResult(idle);
            }

            waiter = new Waiter(Stopwatch.GetTimestamp());
            node = _waiting.AddLast(waiter);
            StartWhatWaitingNeedsLocked();
        }

        if (!cancellationToken.CanBeCanceled)
        {
            return waiter.Task;
        }

        return WaitAsync(waiter, node, cancellationToken);
    }

    private async Task<WorkerProcess> WaitAsync(Waiter waiter, LinkedListNode<Waiter> node, CancellationToken cancellationToken)
    {
        using (cancellationToken.Register(() =>
        {
            lock (_gate)
            {
                if (node.List is not null)
                {
                    _waiting.Remove(node);
                }
            }

            waiter.TrySetCanceled(cancellationToken);
        }))
        {
            return await waiter.Task.ConfigureAwait(false);
        }
    }

    /// <summary>Gives a free worker to the task that has waited longest, else makes it idle.</summary>
    private void Release(WorkerProcess worker)
    {
        lock (_gate)
        {
            while (_waiting.First is { } first)
            {
                _waiting.RemoveFirst();
                if (first.Value.TrySetResult(worker))
                {
                    _waited += Stopwatch.GetTimestamp() - first.Value.Since;
                    return;
                }
            }

            _idle.Push(worker);
        }
    }

    /// <summary>Forgets a worker that died or was stopped, and starts another if tasks wait for one.</summary>
    private void Remove(WorkerProcess worker)
    {
        lock (_gate)
        {
            _all.Remove(worker);
            if (!_disposed)
            {
                StartWhatWaitingNeedsLocked();
            }
        }
    }

    /// <summary>
    /// Starts a worker for tasks that wait for one, within the maximum, once they have waited in all about as
    /// long as a worker takes to start: a worker that frees up soon is worth more than a cold one (a start
    /// takes CPU time from the running tasks on a small machine), while tasks that keep waiting
    /// (long tasks, or many short ones) get the workers they could use. With no worker at all, one starts at once.
    /// </summary>
    private void StartWhatWaitingNeedsLocked()
    {
        if (_disposed)
        {
            return;
        }

        var now = Stopwatch.GetTimestamp();
        while (_waiting.Count > _starting.Count && _all.Count + _starting.Count < _maxWorkers)
        {
            var waited = _waited;
            foreach (var waiter in _waiting)
            {
                waited += now - waiter.Since;
            }

            if (_all.Count + _starting.Count > 0 && waited < _startCost)
            {
                // Waiting grows with every waiting task; look again when it may have reached the cost of a start.
                if (!_checkScheduled)
                {
                    _checkScheduled = true;
                    var due = TimeSpan.FromSeconds((double)(_startCost - waited) / Stopwatch.Frequency / _waiting.Count) + TimeSpan.FromMilliseconds(1);
                    _ = Task.Delay(due).ContinueWith(
                        static (_, state) =>
                        {
                            var pool = (WorkerPool)state!;
                            lock (pool._gate)
                            {
                                pool._checkScheduled = false;
                                pool.StartWhatWaitingNeedsLocked();
                            }
                        },
                        this,
                        CancellationToken.None,
                        TaskContinuationOptions.ExecuteSynchronously,
                        TaskScheduler.Default);
                }

                return;
            }

            StartLocked();
            _waited = 0;
            foreach (var waiter in _waiting)
            {
                waiter.Since = now;
            }
        }
    }

    private void StartLocked(bool inline = false)
    {
        // Each worker gets its own socket, so a connection is known to come from the process just started.
        var socketPath = $"{_socketPrefix}-{Interlocked.Increment(ref _started)}.sock";
        var start = new Starting(socketPath);
        _starting.Add(start);
        start.Task = StartAsync(start, inline);
        _ = start.Task.ContinueWith(static t => t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
    }

    private async Task<WorkerProcess> StartAsync(Starting start, bool inline)
    {
        WorkerProcess worker;
        try
        {
            worker = await (inline ? ConnectAsync(start) : Task.Run(() => ConnectAsync(start))).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            var failure = e as FlowException ?? new FlowException($"A worker process ({_command.FileName}) did not start: {e.Message}", e);
            lock (_gate)
            {
                _starting.Remove(start);

                // With no worker left to serve them, the waiting tasks learn why; otherwise the others serve them.
                if (_all.Count == 0 && _starting.Count == 0)
                {
                    foreach (var waiter in _waiting)
                    {
                        waiter.TrySetException(failure);
                    }

                    _waiting.Clear();
                }
            }

            throw failure;
        }

        lock (_gate)
        {
            _starting.Remove(start);
            _all.Add(worker);
            worker.Flow = _flow;
            // At most a second: on a machine so busy that starts take longer, tasks should not wait longer still.
            _startCost = Math.Min(start.Elapsed, Stopwatch.Frequency);
        }

        Release(worker);
        return worker;
    }

    private async Task<WorkerProcess> ConnectAsync(Starting start)
    {
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(start.SocketPath));
        listener.Listen(1);
        try
        {
            var info = new ProcessStartInfo(_command.FileName)
            {
                RedirectStandardInput = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in _command.Arguments)
            {
                info.ArgumentList.Add(argument);
            }

            info.ArgumentList.Add("worker");
            info.ArgumentList.Add("--socket");
            info.ArgumentList.Add(start.SocketPath);
            var process = start.Launch(info) ?? throw new FlowException($"Cannot start a worker: {_command.FileName}.");
            var accept = listener.AcceptAsync(start.Stopping).AsTask();
            var exited = process.WaitForExitAsync(start.Stopping);
            var first = await Task.WhenAny(accept, exited, Task.Delay(TimeSpan.FromMinutes(1), start.Stopping)).ConfigureAwait(false);
            if (first != accept || !accept.IsCompletedSuccessfully)
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }

                var error = start.Stopping.IsCancellationRequested ? "stopped while starting" : (await process.StandardError.ReadToEndAsync(CancellationToken.None).ConfigureAwait(false)).Trim();
                process.Dispose();
                throw new FlowException($"A worker process ({_command.FileName}) did not start: {error}");
            }

            var socket = await accept.ConfigureAwait(false);
            var stream = new NetworkStream(socket, ownsSocket: true);
            return new WorkerProcess(process, new StreamReader(stream, Encoding.UTF8), new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = false, NewLine = "\n" }, _sinks.Task);
        }
        finally
        {
            File.Delete(start.SocketPath);
        }
    }

    private async Task<TaskRecord> DiedAsync(WorkerProcess worker, TaskRequest request, DateTimeOffset started)
    {
        var code = await RetireAsync(worker).ConfigureAwait(false);
        var why = code switch
        {
            134 => "it aborted (exit code 134: a stack overflow or a fatal runtime error)",
            137 => "it was killed (exit code 137: SIGKILL, possibly out of memory)",
            _ => $"its process exited with code {code}",
        };
        return await RecordAsync(FailedRecords.Failed(worker.Flow, request, new FlowException($"Task {request.Pathspec} did not finish: {why}."), started)).ConfigureAwait(false);
    }

    /// <summary>Stops a worker that died or ran out of time, lets another start in its place, and returns its exit code.</summary>
    private async Task<int> RetireAsync(WorkerProcess worker)
    {
        worker.Kill();
        await worker.Process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        await worker.DrainAsync().ConfigureAwait(false);
        Remove(worker);
        var code = worker.Process.ExitCode;
        try
        {
            worker.Writer.Dispose();
        }
        catch (IOException)
        {
        }

        worker.Process.Dispose();
        return code;
    }

    // A worker that died or ran out of time could not record its task, so the pool records the failure in its place.
    private async Task<TaskRecord> RecordAsync(TaskRecord failed)
    {
        await _metadata!.PutTaskAsync(failed, CancellationToken.None).ConfigureAwait(false);

        // The cards the task stored while it ran say it is running; a datastore that fails here failed the record first.
        await Cards.EndedCards.MarkAsync(_metadata, failed, CancellationToken.None).ConfigureAwait(false);
        return failed;
    }

    /// <summary>A task waiting for a worker, and since when its waiting counts towards starting one.</summary>
    private sealed class Waiter(long since) : TaskCompletionSource<WorkerProcess>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public long Since { get; set; } = since;
    }

    /// <summary>A worker process on its way up: its socket, and a way to stop it if the pool closes first.</summary>
    private sealed class Starting(string socketPath)
    {
        private readonly long _begun = Stopwatch.GetTimestamp();
        private readonly CancellationTokenSource _stop = new();
        private readonly Lock _gate = new();
        private Process? _process;

        public string SocketPath { get; } = socketPath;

        public Task<WorkerProcess> Task { get; set; } = null!;

        public CancellationToken Stopping => _stop.Token;

        public long Elapsed => Stopwatch.GetTimestamp() - _begun;

        public Process? Launch(ProcessStartInfo info)
        {
            lock (_gate)
            {
                _stop.Token.ThrowIfCancellationRequested();
                _process = Process.Start(info);
                return _process;
            }
        }

        public void Stop()
        {
            lock (_gate)
            {
                _stop.Cancel();
                try
                {
                    _process?.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                }
            }
        }
    }
}
