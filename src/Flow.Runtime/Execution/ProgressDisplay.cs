using System.Text;

namespace Flow.Execution;

/// <summary>
/// A run's progress on the console. On a terminal it keeps one status line at the bottom (per step:
/// done, running, failed) and prints task output above it; when output is redirected it prints plain
/// lines, one per finished task.
/// </summary>
internal sealed class ProgressDisplay
{
    private readonly Lock _gate = new();
    private readonly TextWriter _terminal;
    private readonly IReadOnlyList<string> _steps;
    private readonly Dictionary<string, int[]> _counts = new(StringComparer.Ordinal);
    private long _lastDraw;
    private bool _drawn;

    public ProgressDisplay(TextWriter terminal, bool live, IReadOnlyList<string> steps)
    {
        _terminal = terminal;
        Live = live;
        _steps = steps;
    }

    /// <summary>Whether a status line is kept at the bottom of a terminal.</summary>
    public bool Live { get; }

    /// <summary>A writer whose lines go to <paramref name="target"/> without tearing the status line.</summary>
    public TextWriter Wrap(TextWriter target) => Live ? new LineWriter(this, target) : target;

    public void Started(string step) => Count(step, 1, 1);

    public void Finished(string step, bool succeeded)
    {
        Count(step, 1, -1);
        Count(step, succeeded ? 0 : 2, 1);
    }

    /// <summary>Clears the status line for good (the run is over).</summary>
    public void Close()
    {
        if (!Live)
        {
            return;
        }

        lock (_gate)
        {
            Clear();
        }
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
                counts = new int[3];
                _counts[step] = counts;
            }

            counts[slot] += delta;
            var now = Environment.TickCount64;
            if (now - _lastDraw >= 100)
            {
                Draw();
                _lastDraw = now;
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
            Draw();
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
        var text = new StringBuilder();
        foreach (var step in _steps)
        {
            if (!_counts.TryGetValue(step, out var c))
            {
                continue;
            }

            text.Append(text.Length == 0 ? "" : " | ").Append(step).Append(' ').Append(c[0]).Append(" done");
            if (c[1] > 0)
            {
                text.Append(", ").Append(c[1]).Append(" running");
            }

            if (c[2] > 0)
            {
                text.Append(", ").Append(c[2]).Append(" failed");
            }
        }

        var width = Console.IsErrorRedirected ? 120 : Math.Max(20, Console.WindowWidth - 1);
        var line = text.Length > width ? "..." + text.ToString(text.Length - width + 3, width - 3) : text.ToString();
        _terminal.Write("\r\u001b[K" + line);
        _terminal.Flush();
        _drawn = true;
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
