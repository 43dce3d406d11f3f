using System.Diagnostics;

namespace Flow.Execution.Workers;

/// <summary>The scheduler's end of one worker process: the process, its socket, and its output, copied to the run's console task by task.</summary>
internal sealed class WorkerProcess
{
    private readonly Marks _stdoutMarks = new();
    private readonly Marks _stderrMarks = new();
    private readonly Task _stdout;
    private readonly Task _stderr;

    public WorkerProcess(Process process, StreamReader reader, StreamWriter writer, Task<(TextWriter Output, TextWriter Log)> sinks)
    {
        Process = process;
        Reader = reader;
        Writer = writer;
        _stdout = PumpAsync(process.StandardOutput, sinks, _stdoutMarks, error: false);
        _stderr = PumpAsync(process.StandardError, sinks, _stderrMarks, error: true);
    }

    /// <summary>How many tasks the worker has replied to: the worker numbers its end marks the same way.</summary>
    public long TasksDone { get; set; }

    public Process Process { get; }

    public StreamReader Reader { get; }

    public StreamWriter Writer { get; }

    public string Flow { get; set; } = "";

    /// <summary>Whether the worker was told its datastore (with its first request).</summary>
    public bool Introduced { get; set; }

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

    /// <summary>
    /// Waits until the end marks of the worker's <paramref name="task"/>-th task have been read from both of its
    /// streams. A worker that died or closed its streams has no more output to wait for; a mark that does not
    /// come within a second (the machine is swamped) is given up on, at worst leaving a late line after the
    /// task's summary. Marks are numbered, so a late one never stands in for the next task's.
    /// </summary>
    public async Task OutputOfTaskAsync(long task)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            await Task.WhenAll(_stdoutMarks.WaitForAsync(task, patience.Token), _stderrMarks.WaitForAsync(task, patience.Token)).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    // The worker prefixes each task's lines with [step/task] itself, so lines stay with their task.
    // A worker started before its run knew where output goes keeps its lines in the pipe until then.
    // End marks (see WorkerProtocol.TaskEnd) are noted, not written; the text before one on its line is.
    private static async Task PumpAsync(StreamReader source, Task<(TextWriter Output, TextWriter Log)> sinks, Marks marks, bool error)
    {
        try
        {
            TextWriter? target = null;
            for (var line = await source.ReadLineAsync().ConfigureAwait(false); line is not null; line = await source.ReadLineAsync().ConfigureAwait(false))
            {
                var at = line.LastIndexOf(WorkerProtocol.TaskEnd, StringComparison.Ordinal);
                long number = 0;
                var marked = at >= 0 && long.TryParse(line.AsSpan(at + WorkerProtocol.TaskEnd.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out number);
                var text = marked ? line[..at] : line;
                if (!marked || text.Length > 0)
                {
                    if (target is null)
                    {
                        var (output, log) = await sinks.ConfigureAwait(false);
                        target = error ? log : output;
                    }

                    lock (target)
                    {
                        if (marked)
                        {
                            target.Write(text);
                        }
                        else
                        {
                            target.WriteLine(text);
                        }
                    }
                }

                if (marked)
                {
                    marks.Seen(number);
                }
            }
        }
        finally
        {
            // Nothing more comes: whoever waits for a mark stops waiting.
            marks.Seen(long.MaxValue);
        }
    }

    /// <summary>The highest end mark read from one stream, and a signal for those waiting for one.</summary>
    private sealed class Marks
    {
        private readonly SemaphoreSlim _signal = new(0);
        private long _seen;

        public void Seen(long number)
        {
            Interlocked.Exchange(ref _seen, Math.Max(Volatile.Read(ref _seen), number));
            _signal.Release();
        }

        public async Task WaitForAsync(long number, CancellationToken cancellationToken)
        {
            while (Volatile.Read(ref _seen) < number)
            {
                await _signal.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
