using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Flow.Tests.S3;

/// <summary>
/// An S3 endpoint on a loopback port that refuses every request the way AWS refuses unknown credentials: 403
/// <c>InvalidAccessKeyId</c>, with the key id echoed back, and here the secret too, so that tests see them masked.
/// </summary>
public sealed class ForbiddingEndpoint : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    public ForbiddingEndpoint()
    {
        _listener.Start();
        _ = AcceptAsync();
    }

    public string Endpoint => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public void Dispose() => _listener.Stop();

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = AnswerAsync(socket);
        }
    }

    private static async Task AnswerAsync(Socket socket)
    {
        using (socket)
        {
            var request = new StringBuilder();
            var buffer = new byte[4096];
            while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await socket.ReceiveAsync(buffer);
                if (read == 0)
                {
                    return;
                }

                request.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            var body = Encoding.UTF8.GetBytes(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>InvalidAccessKeyId</Code>" +
                $"<Message>The AWS Access Key Id {MotoServer.AccessKey} with secret {MotoServer.SecretKey} does not exist in our records.</Message>" +
                $"<AWSAccessKeyId>{MotoServer.AccessKey}</AWSAccessKeyId><RequestId>4442587FB7D0A2F9</RequestId></Error>");
            var head = Encoding.ASCII.GetBytes($"HTTP/1.1 403 Forbidden\r\nContent-Type: application/xml\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
            await socket.SendAsync(head.Concat(body).ToArray());
            socket.Shutdown(SocketShutdown.Both);
        }
    }
}
