using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using Flow.Datastore;
using NUnit.Framework;

namespace Flow.Tests.S3;

/// <summary>
/// A real S3 endpoint on loopback for every test in this namespace: <c>python3 -m moto.server</c> on a
/// free 127.0.0.1 port, started once and stopped after the last test. Without moto the tests fail under
/// <c>CI=true</c> and are ignored elsewhere, both with a message saying what to install.
/// </summary>
[SetUpFixture]
public sealed class MotoServer
{
    public const string Bucket = "flow-tests";

    // Credentials of their own, so that tests can look for them where they must not be.
    public const string AccessKey = "FLOWTESTACCESSKEY7Q2";
    public const string SecretKey = "flow/test+secret/9c41d0be2f";

    private static MotoServer? _current;
    private TestProcess? _process;

    public static MotoServer Current => _current ?? throw new InvalidOperationException("The moto server is not started.");

    public int Port { get; private set; }

    public string Endpoint => $"http://127.0.0.1:{Port}";

    public static AWSCredentials Credentials { get; } = new BasicAWSCredentials(AccessKey, SecretKey);

    /// <summary>The environment a flow program needs to reach this server: the AWS SDK's standard variables.</summary>
    public Dictionary<string, string> AwsEnvironment(string? endpoint = null) => new(StringComparer.Ordinal)
    {
        ["AWS_ENDPOINT_URL_S3"] = endpoint ?? Endpoint,
        ["AWS_ACCESS_KEY_ID"] = AccessKey,
        ["AWS_SECRET_ACCESS_KEY"] = SecretKey,
        ["AWS_REGION"] = "us-east-1",
    };

    public static AmazonS3Config Config(string endpoint) => new() { ServiceURL = endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1" };

    public AmazonS3Client Client() => new(Credentials, Config(Endpoint));

    /// <summary>A datastore of its own under the test bucket, through <paramref name="endpoint"/> (default: the server).</summary>
    public FlowDatastore NewDatastore(out string root, string? endpoint = null)
    {
        root = $"s3://{Bucket}/{TestContext.CurrentContext.Test.MethodName}-{Guid.NewGuid():N}";
        return Open(root, endpoint);
    }

    public FlowDatastore Open(string root, string? endpoint = null) => FlowDatastore.S3(root, Config(endpoint ?? Endpoint), Credentials);

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        RequireMoto();
        Port = FreePort();
        _process = TestProcess.Start("python3", ["-m", "moto.server", "-H", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture)], Path.GetTempPath());
        await WaitUntilAnsweringAsync();
        using var client = Client();
        await client.PutBucketAsync(Bucket);
        _current = this;
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _current = null;
        _process?.Dispose();
    }

    /// <summary>A port nothing listens on now: bound to port 0, the system's pick, then let go.</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static void RequireMoto()
    {
        const string install = "The S3 tests need moto's server on this machine: pip install 'moto[server]' (then python3 -m moto.server must start).";
        string problem;
        try
        {
            using var python = TestProcess.Start("python3", ["-c", "import moto.server"], Path.GetTempPath());
            var check = python.WaitForExit(TimeSpan.FromMinutes(1));
            if (check.Code == 0)
            {
                return;
            }

            problem = $"python3 cannot import moto.server: {check.Error.Trim().Split('\n')[^1]}";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            problem = "python3 is not installed";
        }

        Ci.Missing($"{problem}. {install}");
    }

    private async Task WaitUntilAnsweringAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_process!.HasExited)
            {
                Assert.Fail($"python3 -m moto.server exited before answering:\n{_process.WaitForExit(TimeSpan.FromSeconds(30))}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(Endpoint + "/"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            if (clock.Elapsed > TimeSpan.FromMinutes(2))
            {
                var output = _process.Output + _process.Error;
                Stop();
                Assert.Fail($"python3 -m moto.server did not answer on {Endpoint} within 2 minutes:\n{output}");
            }

            await Task.Delay(100);
        }
    }
}
