using Flow.Client;
using Microsoft.Extensions.Primitives;

namespace Flow.Hosting;

/// <summary>
/// A run in service: its instance of the service (holding its artifacts), the header that names it, and how many
/// requests use it. Once a newer run replaces it, the instance is disposed (if it is disposable) when its last request
/// ends.
/// </summary>
internal sealed class ServedRun(WebServiceSpec service, Run run)
{
    /// <summary>The response header that names the run that answered.</summary>
    public const string Header = "Flow-Run";

    private int _users;
    private int _retired;
    private int _disposed;

    public WebServiceSpec Service { get; } = service;

    public Run Run { get; } = run;

    /// <summary><c>FLOW/RUN</c>, made once for every response.</summary>
    public StringValues HeaderValue { get; } = new($"{run.FlowName}/{run.Id}");

    /// <summary>Counts a request in; false when the run was retired meanwhile (the caller takes the newer one).</summary>
    public bool TryAcquire()
    {
        Interlocked.Increment(ref _users);
        if (Volatile.Read(ref _retired) == 0)
        {
            return true;
        }

        Release();
        return false;
    }

    /// <summary>Counts a request out; the last one out of a retired run disposes its instance.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _users) == 0 && Volatile.Read(ref _retired) == 1)
        {
            DisposeService();
        }
    }

    /// <summary>Takes the run out of service: its instance is disposed now, or when the last request using it ends.</summary>
    public void Retire()
    {
        Volatile.Write(ref _retired, 1);
        if (Volatile.Read(ref _users) == 0)
        {
            DisposeService();
        }
    }

    private void DisposeService()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        switch (Service)
        {
            case IAsyncDisposable asynchronous:
                // Off the request's thread: a slow dispose must not hold up the last response.
                _ = Task.Run(async () => await asynchronous.DisposeAsync().ConfigureAwait(false));
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }
}
