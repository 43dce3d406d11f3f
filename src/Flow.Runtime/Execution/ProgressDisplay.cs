using System.Text;

namespace Flow.Execution;

/// <summary>
/// A run's progress on the console. On a terminal it keeps one status line at the bottom (per step: tasks done
/// out of those known so far, running, failed; then the run's elapsed time) and prints task output above it;
/// when output is redirected it prints plain lines, one per finished task.
/// </summary>
internal sealed class ProgressDisplay
{
    private const int Done = 0;
    private const int Running = 1;
    private const int Failed = 2;
    private const int Known = 3;
    private static readonly TimeSpan RedrawEvery = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);
    private readonly Lock _gate = new();
    private readonly TextWriter _terminal;
    private readonly IReadOnlyList<string> _steps;
    private readonly IReadOnlyCollection<string> _loops;
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly ITimer? _ticker;
    private readonly Dictionary<string, int[]> _counts = new(StringComparer.Ordinal);
    private long _lastDraw;
    private bool _drawn;
    private bool _closed;

    /// <param name="terminal">Where the status line goes.</param>
    /// <param name="live">Whether to keep a status line (a terminal) rather than print nothing of it.</param>
    /// <param name="steps">The flow's steps, in the order the line shows them.</param>
    /// <param name="time">The clock of the elapsed time.</param>
    /// <param name="loops">The loop steps: the line counts their iterations, which have no total known ahead.</param>
    public ProgressDisplay(TextWriter terminal, bool live, IReadOnlyList<string> steps, TimeProvider time, IReadOnlyCollection<string>? loops = null)
    {
        _terminal = terminal;
        Live = live;
        _steps = steps;
        _loops = loops ?? [];
        _time = time;
        _started = time.GetTimestamp();
        _lastDraw = _started;
        if (live)
        {
            // The elapsed time moves on while long tasks run and nothing else happens.
            _ticker = time.CreateTimer(static state => ((ProgressDisplay)state!).Redraw(), this, Tick, Tick);
        }
    }

    /// <summary>Whether a status line is kept at the bottom of a terminal.</summary>
    public bool Live { get; }

    /// <summary>A writer whose lines go to <paramref name="target"/> without tearing the status line.</summary>
    public TextWriter Wrap(TextWriter target) => Live ? new LineWriter(this, target) : target;

    /// <summary>A task of <paramref name="step"/> is ready to run: the step's total grows.</summary>
    public void Queued(string step) => Count(step, Known, 1);

    /// <summary>A task of <paramref name="step"/> was cloned from the origin run: it counts as done.</summary>
    public void Cloned(string step) => Count(step, Done, 1);

    public void Started(string step) => Count(step, Running, 1);

    public void Finished(string step, bool succeeded)
    {
        Count(step, Running, -1);
        Count(step, succeeded ? Done : Failed, 1);
    }

    /// <summary>Clears the status line for good (the run is over).</summary>
    public void Close()
    {
        if (!Live)
        {
            return;
        }

        _ticker!.Dispose();
        lock (_gate)
        {
            _closed = true;
            Clear();
        }
    }

    /// <summary>The status line's text: <c>Start 1/1 done | Train 7 iterations, 1 running | Work 11/20 done, 2 running | 0:12</c>.</summary>
    internal string StatusText()
    {
        var text = new StringBuilder();
        lock (_gate)
        {
            foreach (var step in _steps)
            {
                if (!_counts.TryGetValue(step, out var c))
                {
                    continue;
                }

                if (_loops.Contains(step))
                {
                    text.Append(step).Append(' ').Append(c[Known]).Append(c[Known] == 1 ? " iteration" : " iterations");
                }
                else
                {
                    text.Append(step).Append(' ').Append(c[Done]).Append('/').Append(c[Known]).Append(" done");
                }

                if (c[Running] > 0)
                {
                    text.Append(", ").Append(c[Running]).Append(" running");
                }

                if (c[Failed] > 0)
                {
                    text.Append(", ").Append(c[Failed]).Append(" failed");
                }

                text.Append(" | ");
            }
        }

        var elapsed = _time.GetElapsedTime(_started);
        var minutes = (int)elapsed.TotalMinutes;
        return text.Append(minutes >= 60 ? $"{minutes / 60}:{minutes % 60:00}" : $"{minutes}").Append($":{elapsed.Seconds:00}").ToString();
    }

    private void Count(string step, int slot, int delta)
    {
        if (!Live)
        {
            return;
        }

        lock (_gate)
        {
            if (!_counts.TryGetValue(step, out var counts))
            {
                counts = new int[4];
                _counts[step] = counts;
            }

            counts[slot] += delta;
            if (_time.GetElapsedTime(_lastDraw) >= RedrawEvery)
            {
                Draw();
            }
        }
    }

    private void Redraw()
    {
        lock (_gate)
        {
            if (!_closed)
            {
                Draw();
            }
        }
    }

    private void WriteLine(TextWriter target, string line)
    {
        lock (_gate)
        {
            Clear();
            target.WriteLine(line);
            target.Flush();
            if (!_closed)
            {
                Draw();
            }
        }
    }

    private void Clear()
    {
        if (_drawn)
        {
            _terminal.Write("\r\u001b[K");
            _drawn = false;
        }
    }

    private void Draw()
    {
        var text = StatusText();
        var width = Console.IsErrorRedirected ? 120 : Math.Max(20, Console.WindowWidth - 1);
        var line = text.Length > width ? "..." + text[(text.Length - width + 3)..] : text;
        _terminal.Write("\r\u001b[K" + line);
        _terminal.Flush();
        _drawn = true;
        _lastDraw = _time.GetTimestamp();
    }

    private sealed class LineWriter(ProgressDisplay display, TextWriter target) : TextWriter
    {
        private readonly StringBuilder _pending = new();

        public override Encoding Encoding => target.Encoding;

        public override void Write(char value)
        {
            lock (_pending)
            {
                if (value == '\n')
                {
                    display.WriteLine(target, _pending.ToString());
                    _pending.Clear();
                }
                else if (value != '\r')
                {
                    _pending.Append(value);
                }
            }
        }

        public override void Write(string? value)
        {
            foreach (var c in value ?? "")
            {
                Write(c);
            }
        }

        public override void WriteLine(string? value)
        {
            Write(value);
            Write('\n');
        }
    }
}
