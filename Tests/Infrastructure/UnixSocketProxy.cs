using System.Collections.Concurrent;
using System.Net.Sockets;

namespace FlowActors.Tests.Infrastructure;

/// <summary>
/// A unix-socket relay in front of another unix socket (the shared Docker engine's), which a test stops and starts to
/// take the engine away from a silo and give it back, without touching the engine itself.
/// </summary>
public sealed class UnixSocketProxy : IAsyncDisposable
{
    private readonly string _target;
    private readonly ConcurrentDictionary<Socket, byte> _open = new();
    private Socket? _listener;
    private Task _accepting = Task.CompletedTask;

    private UnixSocketProxy(string path, string target)
    {
        Path = path;
        _target = target;
    }

    public string Path { get; }

    public static UnixSocketProxy Start(string path, string target)
    {
        var proxy = new UnixSocketProxy(path, target);
        proxy.Start();
        return proxy;
    }

    public void Start()
    {
        File.Delete(Path);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(Path));
        listener.Listen(64);
        _listener = listener;
        _accepting = AcceptAsync(listener);
    }

    /// <summary>Stops listening, removes the socket file and cuts every relayed connection: the engine is gone for its clients.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _listener, null) is { } listener)
        {
            listener.Dispose();
            await _accepting;
        }

        foreach (var socket in _open.Keys)
        {
            socket.Dispose();
        }

        _open.Clear();
        File.Delete(Path);
    }

    private async Task AcceptAsync(Socket listener)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return; // stopped
            }

            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        var engine = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _open.TryAdd(client, 0);
        _open.TryAdd(engine, 0);
        try
        {
            await engine.ConnectAsync(new UnixDomainSocketEndPoint(_target));
            await Task.WhenAny(PumpAsync(client, engine), PumpAsync(engine, client));
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
        {
            // a side went away: close both
        }
        finally
        {
            _open.TryRemove(client, out _);
            _open.TryRemove(engine, out _);
            client.Dispose();
            engine.Dispose();
        }
    }

    private static async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, SocketFlags.None)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }

            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // the other pump, or StopAsync, closed a socket
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
