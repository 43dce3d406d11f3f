using System.Net;
using System.Net.Sockets;

namespace Flow.Tests.S3;

/// <summary>
/// A TCP relay on a loopback port in front of the S3 server. Stopping it makes the server go away for
/// whoever talks through it (open connections are cut, new ones refused) while the server keeps its
/// data, so that the same endpoint can come back: an outage without losing moto's in-memory state.
/// </summary>
public sealed class LoopbackProxy : IDisposable
{
    private readonly int _target;
    private readonly List<Socket> _open = [];
    private readonly Lock _gate = new();
    private TcpListener? _listener;
    private int _failing;
    private int _damaging;

    public LoopbackProxy(int target)
    {
        _target = target;
        Port = MotoServer.FreePort();
        Start();
    }

    public int Port { get; }

    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>Cuts each of the next <paramref name="connections"/> connections as soon as it opens: a flaky network.</summary>
    public void FailNext(int connections) => Interlocked.Exchange(ref _failing, connections);

    /// <summary>
    /// Flips the last byte the server sends on each of the next <paramref name="connections"/> connections: data
    /// damaged in transit. moto closes a connection after one response, so that byte is the last of its body.
    /// </summary>
    public void DamageNext(int connections) => Interlocked.Exchange(ref _damaging, connections);

    public void Start()
    {
        var listener = new TcpListener(IPAddress.Loopback, Port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        lock (_gate)
        {
            _listener = listener;
        }

        _ = AcceptAsync(listener);
    }

    /// <summary>Refuses new connections and cuts the open ones.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            _listener?.Stop();
            _listener = null;
            foreach (var socket in _open)
            {
                socket.Close();
            }

            _open.Clear();
        }
    }

    public void Dispose() => Stop();

    private async Task AcceptAsync(TcpListener listener)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await listener.AcceptSocketAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        lock (_gate)
        {
            if (_listener is null || Interlocked.Decrement(ref _failing) >= 0)
            {
                client.Close();
                server.Dispose();
                return;
            }

            _open.Add(client);
            _open.Add(server);
        }

        try
        {
            var damage = Interlocked.Decrement(ref _damaging) >= 0;
            await server.ConnectAsync(IPAddress.Loopback, _target);
            await Task.WhenAny(PumpAsync(client, server, damage: false), PumpAsync(server, client, damage));
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            lock (_gate)
            {
                _open.Remove(client);
                _open.Remove(server);
            }

            client.Close();
            server.Close();
        }
    }

    /// <summary>Relays one direction; with <paramref name="damage"/> it holds back the last byte seen and sends it flipped at the end.</summary>
    private static async Task PumpAsync(Socket from, Socket to, bool damage)
    {
        var buffer = new byte[1 << 16];
        byte? held = null;
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, SocketFlags.None)) > 0)
            {
                if (!damage)
                {
                    await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
                    continue;
                }

                if (held is { } previous)
                {
                    await to.SendAsync(new[] { previous }, SocketFlags.None);
                }

                await to.SendAsync(buffer.AsMemory(0, read - 1), SocketFlags.None);
                held = buffer[read - 1];
            }

            if (held is { } last)
            {
                await to.SendAsync(new[] { (byte)(last ^ 0xFF) }, SocketFlags.None);
            }

            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }
}
