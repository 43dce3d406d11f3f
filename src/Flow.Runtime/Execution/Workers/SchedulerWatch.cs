using System.Diagnostics;
using System.Net.Sockets;

namespace Flow.Execution.Workers;

/// <summary>
/// Ends the worker when its scheduler goes away (killed, even with SIGKILL) while a task runs: the
/// scheduler's end of the socket closes, and a task stuck in a loop must not outlive its run.
/// An idle worker needs no watch: its read of the next request ends.
/// </summary>
internal sealed class SchedulerWatch : IDisposable
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
                // With what its task started (a script's interpreter): nothing of the task outlives its run.
                Process.GetCurrentProcess().Kill(entireProcessTree: true);
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
