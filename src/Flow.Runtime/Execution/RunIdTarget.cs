using Flow.Datastore;

namespace Flow.Execution;

/// <summary>
/// Where <c>--run-id-file</c> writes the new run's id. It is checked before the run exists (a file that cannot be
/// written is bad input, and the check neither truncates the file nor leaves a new one), and written once the run
/// exists:
/// <list type="bullet">
/// <item>a plain file (or the plain file a link points to) is replaced whole, a temporary file renamed over it, so that a
/// script reading it sees the earlier id or the new one, never an empty or half-written file;</item>
/// <item>the program's own standard output or error (<c>/dev/stdout</c>, <c>/dev/fd/1</c>, ...) gets a line, as the
/// program's other output does (opening the path again would start at another offset, or truncate a redirected log);</item>
/// <item>what is not a plain file (a named pipe, a device) is written through the stream the check opened, so that a
/// reader of a pipe gets the id and not an end of file first.</item>
/// </list>
/// </summary>
internal sealed class RunIdTarget : IAsyncDisposable
{
    private readonly string? _plain;
    private readonly TextWriter? _console;
    private FileStream? _stream;

    private RunIdTarget(string? plain, TextWriter? console, FileStream? stream) => (_plain, _console, _stream) = (plain, console, stream);

    public static RunIdTarget Open(string path)
    {
        switch (path)
        {
            case "/dev/stdout" or "/dev/fd/1" or "/proc/self/fd/1":
                return new RunIdTarget(null, Console.Out, null);
            case "/dev/stderr" or "/dev/fd/2" or "/proc/self/fd/2":
                return new RunIdTarget(null, Console.Error, null);
        }

        try
        {
            var existed = File.Exists(path);
            var probe = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            if (!probe.CanSeek)
            {
                return new RunIdTarget(null, null, probe);
            }

            probe.Dispose();
            if (!existed)
            {
                File.Delete(path);
                return new RunIdTarget(Path.GetFullPath(path), null, null);
            }

            // A link stays a link: the file it points to is the one replaced.
            return new RunIdTarget(File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path), null, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FlowException($"Cannot write the run id to {Path.GetFullPath(path)}: {e.Message} Give --run-id-file a file in a folder that exists and can be written.", e);
        }
    }

    public async Task WriteAsync(string runId, CancellationToken cancellationToken)
    {
        var line = runId + "\n";
        if (_plain is not null)
        {
            await LocalFiles.WriteAtomicAsync(_plain, System.Text.Encoding.UTF8.GetBytes(line), cancellationToken).ConfigureAwait(false);
        }
        else if (_console is not null)
        {
            await _console.WriteAsync(line.AsMemory(), cancellationToken).ConfigureAwait(false);
            await _console.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        else if (_stream is not null)
        {
            await _stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(line), cancellationToken).ConfigureAwait(false);
            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stream is not null)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
            _stream = null;
        }
    }
}
