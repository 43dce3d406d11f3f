using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Flow.Datastore;

namespace Flow.Execution;

/// <summary>
/// Reusable worker processes of the flow's own program. Each takes task requests one at a time over
/// a Unix socket, so a task costs no process start; a worker that crashes, is killed or runs past a
/// timeout fails only its task, and a fresh worker takes its place.
/// </summary>
internal sealed class WorkerPool : ITaskLauncher
{
    private readonly string _flow;
    private readonly WorkerCommand _command;
    private readonly string _datastoreRoot;
    private readonly IMetadataStore _metadata;
    private readonly TextWriter _output;
    private readonly TextWriter _log;
    private readonly string _socketPrefix;
    private readonly Stack<Worker> _idle = new();
    private readonly Queue<Task<Worker>> _starting = new();
    private readonly List<Worker> _all = new();
    private readonly Lock _gate = new();
    private int _started;

    /// <summary>Creates the pool and starts <paramref name="prestart"/> workers at once, so the first tasks need not wait for a process start.</summary>
    public WorkerPool(string flow, WorkerCommand command, string datastoreRoot, IMetadataStore metadata, TextWriter output, TextWriter log, int prestart)
    {
        _output = output;
        _flow = flow;
        _command = command;
        _datastoreRoot = datastoreRoot;
        _metadata = metadata;
        _log = log;
        _socketPrefix = Path.Combine(Path.GetTempPath(), $"flow-{Environment.ProcessId}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))}");
        for (var i = 0; i < prestart; i++)
        {
            var starting = StartAsync(CancellationToken.None);
            _ = starting.ContinueWith(static t => t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
            _starting.Enqueue(starting);
        }
    }

    public async Task<TaskRecord> RunAsync(TaskRequest request, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        Worker? worker;
        Task<Worker>? starting = null;
        lock (_gate)
        {
            if (!_idle.TryPop(out worker))
            {
                _starting.TryDequeue(out starting);
            }
        }

        worker ??= await (starting ?? StartAsync(cancellationToken)).ConfigureAwait(false);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout is { } t)
        {
            limit.CancelAfter(t);
        }

        try
        {
            await worker.Writer.WriteLineAsync(RecordJson.SerializeToString(request).AsMemory(), limit.Token).ConfigureAwait(false);
            await worker.Writer.FlushAsync(limit.Token).ConfigureAwait(false);
            var line = await worker.Reader.ReadLineAsync(limit.Token).ConfigureAwait(false);
            if (line is null)
            {
                return await DiedAsync(worker, request).ConfigureAwait(false);
            }

            var record = RecordJson.Deserialize<TaskRecord>(Encoding.UTF8.GetBytes(line), $"the reply of the worker running {request.Pathspec}");
            lock (_gate)
            {
                _idle.Push(worker);
            }

            return record;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && timeout is { } limitTime)
        {
            worker.Kill();
            await worker.Process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            return await RecordAsync(InProcessLauncher.TimedOut(worker.Flow, request, limitTime)).ConfigureAwait(false);
        }
        catch (IOException)
        {
            return await DiedAsync(worker, request).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<Worker> workers;
        List<Task<Worker>> starting;
        lock (_gate)
        {
            starting = [.. _starting];
        }

        foreach (var task in starting)
        {
            try
            {
                await task.ConfigureAwait(false);
            }
            catch (FlowException)
            {
            }
        }

        lock (_gate)
        {
            workers = [.. _all];
        }

        foreach (var worker in workers)
        {
            worker.Writer.Dispose();
        }

        foreach (var worker in workers)
        {
            if (!worker.Process.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                worker.Kill();
            }

            await worker.DrainAsync().ConfigureAwait(false);
            worker.Process.Dispose();
        }
    }

    private async Task<TaskRecord> DiedAsync(Worker worker, TaskRequest request)
    {
        worker.Kill();
        await worker.Process.WaitForExitAsync().ConfigureAwait(false);
        await worker.DrainAsync().ConfigureAwait(false);
        var code = worker.Process.ExitCode;
        var why = code switch
        {
            134 => "it aborted (exit code 134: a stack overflow or a fatal runtime error)",
            137 => "it was killed (exit code 137: SIGKILL, possibly out of memory)",
            _ => $"its process exited with code {code}",
        };
        return await RecordAsync(InProcessLauncher.Failed(worker.Flow, request, new FlowException($"Task {request.Pathspec} did not finish: {why}."))).ConfigureAwait(false);
    }

    // A worker that died or ran out of time could not record its task, so the pool records the failure in its place.
    private async Task<TaskRecord> RecordAsync(TaskRecord failed)
    {
        await _metadata.PutTaskAsync(failed, CancellationToken.None).ConfigureAwait(false);
        return failed;
    }

    private async Task<Worker> StartAsync(CancellationToken cancellationToken)
    {
        // Each worker gets its own socket, so a connection is known to come from the process just started.
        var socketPath = $"{_socketPrefix}-{Interlocked.Increment(ref _started)}.sock";
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        listener.Listen(1);
        try
        {
            return await StartAsync(listener, socketPath, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(socketPath);
        }
    }

    private async Task<Worker> StartAsync(Socket listener, string socketPath, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(_command.FileName)
        {
            RedirectStandardInput = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in _command.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add("worker");
        start.ArgumentList.Add("--socket");
        start.ArgumentList.Add(socketPath);
        start.ArgumentList.Add("--datastore-root");
        start.ArgumentList.Add(_datastoreRoot);
        var process = Process.Start(start) ?? throw new FlowException($"Cannot start a worker: {_command.FileName}.");
        var accept = listener.AcceptAsync(cancellationToken).AsTask();
        var exited = process.WaitForExitAsync(cancellationToken);
        var first = await Task.WhenAny(accept, exited, Task.Delay(TimeSpan.FromMinutes(1), cancellationToken)).ConfigureAwait(false);
        if (first != accept)
        {
            var error = process.HasExited ? await process.StandardError.ReadToEndAsync(cancellationToken).ConfigureAwait(false) : "";
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            throw new FlowException($"A worker process ({_command.FileName}) did not start: {error.Trim()}");
        }

        var socket = await accept.ConfigureAwait(false);
        var stream = new NetworkStream(socket, ownsSocket: true);
        var worker = new Worker(process, new StreamReader(stream, Encoding.UTF8), new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = false }, _output, _log) { Flow = _flow };
        lock (_gate)
        {
            _all.Add(worker);
        }

        return worker;
    }

    private sealed class Worker
    {
        private readonly Task _stdout;
        private readonly Task _stderr;

        public Worker(Process process, StreamReader reader, StreamWriter writer, TextWriter output, TextWriter log)
        {
            Process = process;
            Reader = reader;
            Writer = writer;
            _stdout = PumpAsync(process.StandardOutput, output);
            _stderr = PumpAsync(process.StandardError, log);
        }

        public Process Process { get; }

        public StreamReader Reader { get; }

        public StreamWriter Writer { get; }

        public string Flow { get; set; } = "";

        public void Kill()
        {
            try
            {
                Process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
        }

        public Task DrainAsync() => Task.WhenAll(_stdout, _stderr);

        // The worker prefixes each task's lines with [step/task] itself, so lines stay with their task.
        private static async Task PumpAsync(StreamReader source, TextWriter target)
        {
            while (await source.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                lock (target)
                {
                    target.WriteLine(line);
                }
            }
        }
    }
}

/// <summary>The worker side: reads task requests from the scheduler's socket, runs each, replies with its record.</summary>
internal static class WorkerLoop
{
    public static async Task<int> RunAsync(FlowDefinition definition, string socketPath, FlowDatastore datastore, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false));
        var executor = new TaskExecutor(definition, datastore);
        TaskConsole.Install();
        using var watch = new SchedulerWatch(socket);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            var request = RecordJson.Deserialize<TaskRequest>(Encoding.UTF8.GetBytes(line), "a task request");
            watch.Busy = true;
            TaskRecord record;
            try
            {
                record = await executor.RunAsync(request, $"[{request.Step}/{request.TaskId}] ", cancellationToken).ConfigureAwait(false);
            }
            catch (FlowException e)
            {
                // The datastore failed (an S3 outage): the scheduler learns what failed, and the worker lives on.
                record = InProcessLauncher.Failed(definition.Graph.Name, request, e);
            }

            watch.Busy = false;
            await writer.WriteLineAsync(RecordJson.SerializeToString(record).AsMemory(), cancellationToken).ConfigureAwait(false);
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>
    /// Ends the worker when its scheduler goes away (killed, even with SIGKILL) while a task runs: the
    /// scheduler's end of the socket closes, and a task stuck in a loop must not outlive its run.
    /// An idle worker needs no watch: its read of the next request ends.
    /// </summary>
    private sealed class SchedulerWatch : IDisposable
    {
        private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);
        private readonly Socket _socket;
        private volatile bool _busy;
        private volatile bool _stopped;

        public SchedulerWatch(Socket socket)
        {
            _socket = socket;
            new Thread(Watch) { IsBackground = true, Name = "Flow scheduler watch" }.Start();
        }

        public bool Busy
        {
            get => _busy;
            set => _busy = value;
        }

        public void Dispose() => _stopped = true;

        private void Watch()
        {
            while (!_stopped)
            {
                Thread.Sleep(Interval);
                if (_busy && SchedulerGone())
                {
                    Process.GetCurrentProcess().Kill();
                }
            }
        }

        // While a task runs the scheduler sends nothing, so a readable socket with no bytes is a closed one.
        private bool SchedulerGone()
        {
            try
            {
                return _socket.Poll(0, SelectMode.SelectRead) && _socket.Available == 0;
            }
            catch (SocketException)
            {
                return true;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }
    }
}
