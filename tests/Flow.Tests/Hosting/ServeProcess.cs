using System.Net;
using System.Net.Sockets;
using Flow.Tests.Infrastructure;
using NUnit.Framework;

namespace Flow.Tests.Hosting;

/// <summary>A flow program's <c>serve</c> command, started on a free loopback port, with a client for it.</summary>
public sealed class ServeProcess : IDisposable
{
    private ServeProcess(TestProcess process, Uri address)
    {
        Process = process;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public TestProcess Process { get; }

    public HttpClient Http { get; }

    /// <summary>
    /// Starts <c>serve</c> with <paramref name="args"/>: <paramref name="start"/> is the program (a built dll, or
    /// <c>dotnet run</c> in a project) up to its command; waits until it answers <c>/healthz</c> (ready or not).
    /// </summary>
    public static async Task<ServeProcess> StartAsync(Func<string[], TestProcess> start, params string[] args)
    {
        var port = FreePort();
        var address = new Uri($"http://127.0.0.1:{port}");
        var process = start(["serve", "--urls", address.ToString().TrimEnd('/'), .. args]);
        var serve = new ServeProcess(process, address);
        var deadline = DateTime.UtcNow + TestProcess.Patience;
        while (true)
        {
            Assert.That(process.HasExited, Is.False, $"serve exited before it listened:\n{process.Output}\n{process.Error}");
            try
            {
                using var response = await serve.Http.GetAsync("/healthz");
                return serve;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"serve did not listen on {address}:\n{process.Output}\n{process.Error}");
            await Task.Delay(100);
        }
    }

    /// <summary>Waits until <c>/healthz</c> says a run is in service.</summary>
    public async Task WaitReadyAsync()
    {
        var deadline = DateTime.UtcNow + TestProcess.Patience;
        while (true)
        {
            using var response = await Http.GetAsync("/healthz");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"serve never had a run to serve: {await response.Content.ReadAsStringAsync()}\n{Process.Error}");
            await Task.Delay(100);
        }
    }

    /// <summary>Sends SIGTERM, as a process manager does, and waits for the exit.</summary>
    public ProcessResult Terminate()
    {
        using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
        }

        return Process.WaitForExit(TimeSpan.FromSeconds(60));
    }

    public void Dispose()
    {
        Http.Dispose();
        Process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
