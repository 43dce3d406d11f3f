using System.Net;
using System.Security.Cryptography;
using Flow.Datastore;
using NUnit.Framework;

namespace Flow.Tests.S3;

/// <summary>A blob write whose look-up (is the blob there already?) fails on the server's side.</summary>
public class S3BlobLookupTests
{
    [Test]
    public async Task ABlobIsWrittenWhenTheServerFailsToSayWhetherItExists()
    {
        // S3-compatible servers can answer 500 to a HEAD of a key that concurrent writers are replacing.
        using var server = new FailingLookupServer();
        var store = FlowDatastore.S3($"s3://{MotoServer.Bucket}/lookup", MotoServer.Config(server.Endpoint), MotoServer.Credentials);
        var data = RandomNumberGenerator.GetBytes(1000);
        var key = Convert.ToHexStringLower(SHA256.HashData(data));

        await store.Blobs.PutAsync(key, data);

        Assert.That(server.Lookups, Is.GreaterThan(0), "the blob was looked up first");
        Assert.That(server.WrittenLength, Is.EqualTo(data.Length), "then written");
    }

    [Test]
    public void AWriteThatFailsAfterAFailedLookupReportsTheWrite()
    {
        using var server = new FailingLookupServer { FailWrites = true };
        var store = FlowDatastore.S3($"s3://{MotoServer.Bucket}/lookup", MotoServer.Config(server.Endpoint), MotoServer.Credentials);
        var data = RandomNumberGenerator.GetBytes(1000);
        var key = Convert.ToHexStringLower(SHA256.HashData(data));

        Assert.That(() => store.Blobs.PutAsync(key, data), Throws.TypeOf<FlowException>().With.Message.StartsWith($"Cannot write s3://{MotoServer.Bucket}/lookup/"));
    }

    /// <summary>Answers every HEAD with 500, and a PUT with 200 (or 500 with <see cref="FailWrites"/>).</summary>
    private sealed class FailingLookupServer : IDisposable
    {
        private readonly HttpListener _listener = new();
        private int _lookups;

        public FailingLookupServer()
        {
            var port = MotoServer.FreePort();
            Endpoint = $"http://127.0.0.1:{port}";
            _listener.Prefixes.Add(Endpoint + "/");
            _listener.Start();
            _ = ServeAsync();
        }

        public string Endpoint { get; }

        public bool FailWrites { get; init; }

        public int Lookups => Volatile.Read(ref _lookups);

        /// <summary>The length of the body last written (as the SDK declares it: its bodies may be sent in signed chunks).</summary>
        public long? WrittenLength { get; private set; }

        public void Dispose() => _listener.Close();

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                using var response = context.Response;
                if (context.Request.HttpMethod == "HEAD")
                {
                    Interlocked.Increment(ref _lookups);
                    response.StatusCode = 500;
                    continue;
                }

                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                if (FailWrites)
                {
                    response.StatusCode = 500;
                    continue;
                }

                WrittenLength = long.TryParse(context.Request.Headers["x-amz-decoded-content-length"], out var decoded) ? decoded : body.Length;
                response.StatusCode = 200;
                response.Headers["ETag"] = $"\"{Convert.ToHexStringLower(MD5.HashData(body.ToArray()))}\"";
            }
        }
    }
}
