using System.Text;

namespace Flow.Execution;

/// <summary>
/// Captures what a task writes to the console: a routing writer, installed once per process as
/// <see cref="Console.Out"/> and <see cref="Console.Error"/>, sends each task's writes to its own log
/// (and on to the real console) while other code writes straight through.
/// </summary>
internal static class TaskConsole
{
    private static readonly AsyncLocal<TaskLog?> s_current = new();
    private static readonly Lock s_gate = new();
    private static bool s_installed;
    private static TextWriter? s_stdout;
    private static TextWriter? s_stderr;
    private static Stream? s_rawStdout;
    private static Stream? s_rawStderr;

    public static void Install()
    {
        lock (s_gate)
        {
            if (s_installed)
            {
                return;
            }

            s_stdout = Console.Out;
            s_stderr = Console.Error;
            Console.SetOut(new RoutingWriter(s_stdout, error: false));
            Console.SetError(new RoutingWriter(s_stderr, error: true));
            s_installed = true;
        }
    }

    /// <summary>
    /// Flushes the console writers, then writes <paramref name="mark"/> and a line end straight to the process's
    /// stdout and stderr: not through a writer that a step, or the program before, may have put in their place.
    /// </summary>
    public static void MarkEnd(string mark)
    {
        Install();
        var bytes = Encoding.UTF8.GetBytes(mark + "\n");
        lock (s_gate)
        {
            s_rawStdout ??= Console.OpenStandardOutput();
            s_rawStderr ??= Console.OpenStandardError();
        }

        foreach (var (writer, raw) in new[] { (s_stdout!, s_rawStdout), (s_stderr!, s_rawStderr) })
        {
            try
            {
                writer.Flush();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // A writer a step closed: what it held is lost either way; the mark still goes out.
            }

            raw.Write(bytes);
            raw.Flush();
        }
    }

    /// <summary>Routes this async flow's console writes to <paramref name="log"/> until disposed.</summary>
    public static IDisposable Capture(TaskLog log)
    {
        Install();
        var previous = s_current.Value;
        s_current.Value = log;
        return new Restore(previous);
    }

    private sealed class Restore(TaskLog? previous) : IDisposable
    {
        public void Dispose() => s_current.Value = previous;
    }

    private sealed class RoutingWriter(TextWriter inner, bool error) : TextWriter
    {
        public override Encoding Encoding => inner.Encoding;

        public override void Write(char value)
        {
            if (s_current.Value is { } log)
            {
                log.Write(error, value.ToString(), inner);
            }
            else
            {
                inner.Write(value);
            }
        }

        public override void Write(string? value)
        {
            if (value is null)
            {
                return;
            }

            if (s_current.Value is { } log)
            {
                log.Write(error, value, inner);
            }
            else
            {
                inner.Write(value);
            }
        }

        public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

        public override void WriteLine(string? value) => Write((value ?? "") + "\n");

        public override void WriteLine() => Write("\n");

        public override void Flush() => inner.Flush();
    }
}

/// <summary>One task's captured stdout and stderr, echoed to the console with an optional <c>[step/task]</c> prefix.</summary>
internal sealed class TaskLog(string? echoPrefix)
{
    private const int Limit = 8 << 20;
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _error = new();
    private readonly Lock _gate = new();
    private bool _atLineStart = true;

    public string Stdout
    {
        get
        {
            lock (_gate)
            {
                return _out.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_gate)
            {
                return _error.ToString();
            }
        }
    }

    public void Write(bool error, string text, TextWriter echo)
    {
        lock (_gate)
        {
            var buffer = error ? _error : _out;
            if (buffer.Length < Limit)
            {
                buffer.Append(text.Length <= Limit - buffer.Length ? text : text[..(Limit - buffer.Length)] + "\n[log truncated]\n");
            }

            if (echoPrefix is null)
            {
                echo.Write(text);
                return;
            }

            var start = 0;
            while (start < text.Length)
            {
                var end = text.IndexOf('\n', start);
                var segment = end < 0 ? text[start..] : text[start..(end + 1)];
                echo.Write(_atLineStart ? echoPrefix + segment : segment);
                _atLineStart = end >= 0;
                start += segment.Length;
            }
        }
    }
}
