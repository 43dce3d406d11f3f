using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Flow.S3;

const string usage = """
    Usage: bench/s3.sh [--mb N] [--files N] [--endpoint URL] [--bucket NAME]
    Uploads and downloads N MB (default 1024) as one object and as --files objects (default 1000) with
    Flow's S3Transfer and with the AWS CLI (aws s3 cp / aws s3 sync), against the same S3 server:
    a moto server started on a free loopback port unless --endpoint names one. Prints MB/s, the ratio,
    and the CPU time each client and the server (moto, when started here) spent on each case.
    """;

var megabytes = 1024;
var files = 1000;
string? endpoint = null;
var bucket = "flow-bench";
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--mb" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var mb) && mb > 0:
            megabytes = mb;
            i++;
            break;
        case "--files" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var n) && n > 0:
            files = n;
            i++;
            break;
        case "--endpoint" when i + 1 < args.Length:
            endpoint = args[++i];
            break;
        case "--bucket" when i + 1 < args.Length:
            bucket = args[++i];
            break;
        default:
            Console.Error.WriteLine(usage);
            return args[i] is "-h" or "--help" ? 0 : 2;
    }
}

Process? moto = null;
var work = Directory.CreateTempSubdirectory("flow-s3-bench-").FullName;
try
{
    if (endpoint is null)
    {
        var port = FreePort();
        endpoint = $"http://127.0.0.1:{port}";
        Console.Error.WriteLine($"Starting python3 -m moto.server on {endpoint} ...");
        moto = Process.Start(new ProcessStartInfo("python3", ["-m", "moto.server", "-H", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("python3 did not start");
        moto.OutputDataReceived += (_, _) => { };
        moto.ErrorDataReceived += (_, _) => { };
        moto.BeginOutputReadLine();
        moto.BeginErrorReadLine();
        await WaitForAsync(endpoint, moto);
    }

    // Both sides find the endpoint and the credentials the same way: the AWS SDK's standard variables.
    Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_S3", endpoint);
    Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID") ?? "testing");
    Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY") ?? "testing");
    Environment.SetEnvironmentVariable("AWS_REGION", Environment.GetEnvironmentVariable("AWS_REGION") ?? "us-east-1");
    using var client = S3Clients.Create();
    try
    {
        await client.PutBucketAsync(bucket);
    }
    catch (Amazon.S3.AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
    {
    }

    var bytes = (long)megabytes << 20;
    Console.Error.WriteLine($"Writing {megabytes} MB of test data (one file, and {files} files) to {work} ...");
    var large = Path.Combine(work, "large.bin");
    WriteRandom(large, bytes);
    var smallFolder = Path.Combine(work, "small");
    Directory.CreateDirectory(smallFolder);
    var smallNames = Enumerable.Range(0, files).Select(i => $"{i:D5}.bin").ToList();
    foreach (var name in smallNames)
    {
        WriteRandom(Path.Combine(smallFolder, name), bytes / files);
    }

    var smallBytes = bytes / files * files;
    var run = $"s3://{bucket}/{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}";
    using var transfer = new S3Transfer();
    // moto runs its Python on one core at most, so the CPU it spends on a case bounds how fast any client can go.
    // The client's CPU is this process's own for Flow, and that of its finished children (the aws processes) for the CLI.
    double ServerSeconds() => moto is null ? double.NaN : CpuSeconds(moto.Id, children: false);
    async Task<Measured> TimeAsync(Func<Task> action)
    {
        var (server, self, children) = (ServerSeconds(), CpuSeconds(Environment.ProcessId, children: false), CpuSeconds(Environment.ProcessId, children: true));
        var clock = Stopwatch.StartNew();
        await action();
        var client = Math.Max(CpuSeconds(Environment.ProcessId, children: false) - self, 0) + (CpuSeconds(Environment.ProcessId, children: true) - children);
        return new Measured(clock.Elapsed, client, ServerSeconds() - server);
    }

    var rows = new List<(string Case, long Bytes, Measured Flow, Measured Cli)>
    {
        ("upload, 1 object", bytes,
            await TimeAsync(() => transfer.PutFileAsync(large, $"{run}/flow/large.bin")),
            await TimeAsync(() => Aws("s3", "cp", "--quiet", large, $"{run}/cli/large.bin"))),
        ("download, 1 object", bytes,
            await TimeAsync(() => transfer.GetFileAsync($"{run}/flow/large.bin", Path.Combine(work, "flow-large.bin"))),
            await TimeAsync(() => Aws("s3", "cp", "--quiet", $"{run}/cli/large.bin", Path.Combine(work, "cli-large.bin")))),
        ($"upload, {files} objects", smallBytes,
            await TimeAsync(() => transfer.PutFilesAsync(smallNames.Select(n => (Path.Combine(smallFolder, n), $"{run}/flow/small/{n}")))),
            await TimeAsync(() => Aws("s3", "sync", "--quiet", smallFolder, $"{run}/cli/small/"))),
        ($"download, {files} objects", smallBytes,
            await TimeAsync(() => transfer.GetFilesAsync(smallNames.Select(n => ($"{run}/flow/small/{n}", Path.Combine(work, "flow-small", n))))),
            await TimeAsync(() => Aws("s3", "sync", "--quiet", $"{run}/cli/small/", Path.Combine(work, "cli-small")))),
    };

    Console.WriteLine($"# S3 transfers: Flow S3Transfer vs the AWS CLI ({Capture("aws", "--version")})");
    Console.WriteLine();
    Console.WriteLine($"- endpoint: {endpoint}{(moto is null ? "" : " (moto, started here)")}; {Environment.ProcessorCount} cores; load average at end: {LoadAverage()}");
    Console.WriteLine();
    Console.WriteLine("| case | size | Flow | AWS CLI | Flow / CLI | client CPU-s, Flow / CLI | server CPU-s, Flow / CLI |");
    Console.WriteLine("|---|---|---|---|---|---|---|");
    foreach (var (name, size, flow, cli) in rows)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {size >> 20} MB | {Rate(size, flow.Wall):0.0} MB/s ({flow.Wall.TotalSeconds:0.00} s) | {Rate(size, cli.Wall):0.0} MB/s ({cli.Wall.TotalSeconds:0.00} s) | {cli.Wall / flow.Wall:0.00}x | {flow.Client:0.0} / {cli.Client:0.0} | {flow.Server:0.0} / {cli.Server:0.0} |"));
    }

    Check(large, Path.Combine(work, "flow-large.bin"));
    foreach (var name in smallNames)
    {
        Check(Path.Combine(smallFolder, name), Path.Combine(work, "flow-small", name));
    }

    return 0;
}
finally
{
    if (moto is { HasExited: false })
    {
        moto.Kill(entireProcessTree: true);
    }

    Directory.Delete(work, recursive: true);
}

static double Rate(long bytes, TimeSpan time) => bytes / 1048576.0 / time.TotalSeconds;

// User and system time of a process (or of its finished children), in clock ticks of 1/100 s (USER_HZ on Linux).
static double CpuSeconds(int pid, bool children)
{
    var stat = File.ReadAllText($"/proc/{pid}/stat");
    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    var first = children ? 13 : 11;
    return (long.Parse(fields[first], CultureInfo.InvariantCulture) + long.Parse(fields[first + 1], CultureInfo.InvariantCulture)) / 100.0;
}

static async Task Aws(params string[] args)
{
    using var process = Process.Start(new ProcessStartInfo("aws", args) { RedirectStandardError = true }) ?? throw new InvalidOperationException("aws did not start");
    var error = await process.StandardError.ReadToEndAsync();
    await process.WaitForExitAsync();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"aws {string.Join(' ', args)} failed ({process.ExitCode}): {error}");
    }
}

static void WriteRandom(string path, long size)
{
    using var file = File.Create(path);
    var buffer = new byte[Math.Min(size, 1 << 20)];
    for (long written = 0; written < size; written += buffer.Length)
    {
        Random.Shared.NextBytes(buffer);
        file.Write(buffer, 0, (int)Math.Min(buffer.Length, size - written));
    }
}

static void Check(string expected, string actual)
{
    if (!File.ReadAllBytes(expected).AsSpan().SequenceEqual(File.ReadAllBytes(actual)))
    {
        throw new InvalidOperationException($"{actual} differs from {expected}: the download is wrong.");
    }
}

static int FreePort()
{
    var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    var port = ((IPEndPoint)listener.LocalEndpoint).Port;
    listener.Stop();
    return port;
}

static async Task WaitForAsync(string endpoint, Process server)
{
    using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
    var clock = Stopwatch.StartNew();
    while (clock.Elapsed < TimeSpan.FromMinutes(2) && !server.HasExited)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(endpoint + "/"));
            return;
        }
        catch (HttpRequestException)
        {
        }
        catch (TaskCanceledException)
        {
        }

        await Task.Delay(100);
    }

    throw new InvalidOperationException($"moto did not answer on {endpoint}; install it with pip install 'moto[server]'.");
}

static string Capture(string program, params string[] args)
{
    try
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var text = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return text.Trim().Split('\n')[0];
    }
    catch (System.ComponentModel.Win32Exception)
    {
        return "not installed";
    }
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

/// <summary>One side of one case: wall time, the client's CPU, and the server's CPU.</summary>
internal readonly record struct Measured(TimeSpan Wall, double Client, double Server);
