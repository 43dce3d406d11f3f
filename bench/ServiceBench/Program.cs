using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

// Measures the samples' web services as users run them: the sample's program runs its flow once into a fresh datastore,
// then serves it ('serve' on a free loopback port); this process sends a fixed number of requests, a fixed number at a
// time, over keep-alive connections, and prints requests per second and the latency percentiles as a Markdown table.
// Usage: ServiceBench --samples DIR [--configuration Release] [--scale X] [--only NAME,...]
var options = Options.Parse(args);
var cases = new[]
{
    new Case("show_data", "BranchFlow", [], "GET", "/show_data", null, 200_000, 32, Logging: false, Expected: "{\"result\":3}"),
    new Case("show_data, request log on", "BranchFlow", [], "GET", "/show_data", null, 50_000, 32, Logging: true, Expected: "{\"result\":3}"),
    new Case("schedule", "LaunchDates", [], "GET", "/schedule", null, 20_000, 32, Logging: false, Expected: null),
    new Case("what_if", "LaunchDates", [], "POST", "/what_if", "{\"market\":\"NA\",\"pin\":{\"T07\":12},\"capacity\":1}", 400, 4, Logging: false, Expected: null),
};

Console.Error.WriteLine($"Load generator and services share this machine's {Environment.ProcessorCount} cores.");
Console.WriteLine("| endpoint | requests | at once | requests/s | p50 ms | p99 ms | failed |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
var failed = false;
foreach (var c in cases.Where(c => options.Only is null || options.Only.Contains(c.Name.Split(',')[0])))
{
    var requests = Math.Max(c.Concurrency, (int)(c.Requests * options.Scale));
    var result = await c.RunAsync(options, requests);
    failed |= result.Failed > 0;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {c.Flow} {c.Method} {c.Path} ({c.Name}) | {requests:N0} | {c.Concurrency} | {result.PerSecond:N0} | {result.P50:0.00} | {result.P99:0.00} | {result.Failed} |"));
}

return failed ? 1 : 0;

internal sealed record Options(string Samples, string Configuration, double Scale, HashSet<string>? Only)
{
    public static Options Parse(string[] args)
    {
        string? samples = null;
        var configuration = "Release";
        var scale = 1.0;
        HashSet<string>? only = null;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--samples": samples = Value(); break;
                case "--configuration": configuration = Value(); break;
                case "--scale": scale = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--only": only = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(); break;
                default: throw new ArgumentException($"Unknown option {args[i]}; see the usage at the top of Program.cs.");
            }
        }

        return new Options(Path.GetFullPath(samples ?? throw new ArgumentException("--samples DIR (the repository's samples folder) is required.")), configuration, scale, only);
    }
}

internal sealed record Result(double PerSecond, double P50, double P99, int Failed);

internal sealed record Case(string Name, string Flow, string[] RunArgs, string Method, string Path, string? Body, int Requests, int Concurrency, bool Logging, string? Expected)
{
    public async Task<Result> RunAsync(Options options, int requests)
    {
        var program = System.IO.Path.Combine(options.Samples, Flow, "bin", options.Configuration, "net10.0", Flow + ".dll");
        if (!File.Exists(program))
        {
            throw new FileNotFoundException($"{program} is missing: build the sample first (dotnet build samples/{Flow} -c {options.Configuration}).");
        }

        var work = Directory.CreateTempSubdirectory("flow-service-bench-").FullName;
        try
        {
            Console.Error.WriteLine($"{Flow}: run into {work}/.flow ...");
            using (var run = Start(program, work, ["run", .. RunArgs], redirect: true))
            {
                var output = run.StandardOutput.ReadToEndAsync();
                var errors = run.StandardError.ReadToEndAsync();
                await run.WaitForExitAsync();
                if (run.ExitCode != 0)
                {
                    throw new InvalidOperationException($"{Flow} run failed ({run.ExitCode}): {await output}{await errors}");
                }
            }

            var port = FreePort();
            string[] serve = ["serve", "--urls", $"http://127.0.0.1:{port}", "--refresh", "3600"];
            if (!Logging)
            {
                serve = [.. serve, "--Logging:LogLevel:Flow.Hosting.Requests=Warning"];
            }

            // The request log goes where a service's log goes: a pipe that something reads (here, a reader that drops it).
            using var server = Start(program, work, serve, redirect: true);
            var drainOut = server.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
            var drainErr = server.StandardError.BaseStream.CopyToAsync(Stream.Null);
            try
            {
                using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = Concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan, UseProxy = false };
                using var http = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
                await WaitReadyAsync(http, server);
                await LoadAsync(http, Math.Max(Concurrency * 20, requests / 20)); // warm-up: connections, JIT, tiered compilation
                var started = Stopwatch.GetTimestamp();
                var (latencies, failed) = await LoadAsync(http, requests);
                var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                Array.Sort(latencies);
                double Percentile(double p) => latencies[Math.Min(latencies.Length - 1, (int)(p * latencies.Length))] * 1000.0 / Stopwatch.Frequency;
                return new Result(requests / seconds, Percentile(0.50), Percentile(0.99), failed);
            }
            finally
            {
                // SIGTERM: the service shuts down gracefully, as under a process manager.
                using (var kill = Process.Start("kill", ["-TERM", server.Id.ToString(CultureInfo.InvariantCulture)]))
                {
                    await kill.WaitForExitAsync();
                }

                if (!server.WaitForExit(15_000))
                {
                    server.Kill(entireProcessTree: true);
                }

                await Task.WhenAll(drainOut, drainErr);
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private async Task<(long[] Latencies, int Failed)> LoadAsync(HttpClient http, int requests)
    {
        var latencies = new long[requests];
        var next = -1;
        var failed = 0;
        var body = Body is null ? null : Encoding.UTF8.GetBytes(Body);
        var workers = Enumerable.Range(0, Concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests)
            {
                var started = Stopwatch.GetTimestamp();
                using var request = new HttpRequestMessage(new HttpMethod(Method), Path);
                if (body is not null)
                {
                    request.Content = new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } };
                }

                try
                {
                    using var response = await http.SendAsync(request);
                    var text = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode != HttpStatusCode.OK || (Expected is not null && text != Expected))
                    {
                        if (Interlocked.Increment(ref failed) == 1)
                        {
                            Console.Error.WriteLine($"{Method} {Path}: {(int)response.StatusCode} {text}");
                        }
                    }
                }
                catch (HttpRequestException e)
                {
                    if (Interlocked.Increment(ref failed) == 1)
                    {
                        Console.Error.WriteLine($"{Method} {Path}: {e.Message}");
                    }
                }

                latencies[i] = Stopwatch.GetTimestamp() - started;
            }
        })).ToArray();
        await Task.WhenAll(workers);
        return (latencies, failed);
    }

    private static async Task WaitReadyAsync(HttpClient http, Process server)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (server.HasExited)
            {
                throw new InvalidOperationException($"serve exited with {server.ExitCode} before it was ready.");
            }

            try
            {
                using var response = await http.GetAsync("/healthz");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException("serve was not ready (/healthz) within 60 s.");
            }

            await Task.Delay(50);
        }
    }

    private static Process Start(string program, string work, string[] arguments, bool redirect)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = work, RedirectStandardOutput = redirect, RedirectStandardError = redirect, UseShellExecute = false };
        info.ArgumentList.Add(program);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("FLOW_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(name);
        }

        info.Environment["FLOW_DATASTORE_ROOT"] = System.IO.Path.Combine(work, ".flow");
        return Process.Start(info) ?? throw new InvalidOperationException($"Could not start {program}.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
