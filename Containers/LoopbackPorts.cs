using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace FlowActors.Containers;

/// <summary>
/// Picks free ports on 127.0.0.1 for components. The kernel picks an unused ephemeral port; remembering the ports
/// handed out keeps two containers of this silo from being given the same one before either has bound it.
/// Another process can still take a port in that window: the component then fails to bind, exits, and the
/// step's health probe or the death notification reports it.
/// </summary>
public sealed class LoopbackPorts
{
    private readonly ConcurrentDictionary<int, byte> _reserved = new();

    public int Reserve()
    {
        for (var attempt = 0; attempt < 16; attempt++)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            if (_reserved.TryAdd(port, 0))
            {
                return port;
            }
        }

        throw new InvalidOperationException("Found no free TCP port on 127.0.0.1 after 16 attempts; the ephemeral port range looks exhausted.");
    }

    public void Release(int port) => _reserved.TryRemove(port, out _);
}
