using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace FlowActors.Containers.Isolation;

/// <summary>
/// Which network namespace each component endpoint lives in. A runtime that starts a component in a namespace of its
/// own registers it under the component's endpoint and releases it when the component stops; whatever calls components
/// (the component protocol client, the health probe) connects through <see cref="ConnectAsync"/>, its
/// <see cref="SocketsHttpHandler.ConnectCallback"/>. Endpoints are keyed by port: every endpoint is on 127.0.0.1 and
/// <see cref="LoopbackPorts"/> gives each component of a silo its own port, so a pooled connection's key (scheme, host,
/// port) still names one component.
/// </summary>
/// <remarks>
/// Only connecting changes: a socket made inside the component's namespace keeps it, so the connection is then pooled
/// and reused like any other and a call costs what it cost before. Connecting takes one hop to the namespace thread to
/// create the socket.
/// </remarks>
public sealed class ComponentNetworks
{
    private readonly ConcurrentDictionary<int, NetworkNamespace> _byPort = new();

    /// <summary>Components whose namespace is registered now.</summary>
    public int Count => _byPort.Count;

    /// <summary>Records that the component at <paramref name="endpoint"/> listens inside <paramref name="network"/>, which this now owns.</summary>
    public void Register(Uri endpoint, NetworkNamespace network)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(network);
        if (_byPort.TryGetValue(endpoint.Port, out var previous) && previous != network)
        {
            previous.Dispose();
        }

        _byPort[endpoint.Port] = network;
    }

    /// <summary>Forgets the component at <paramref name="endpoint"/> and lets its namespace go. Idempotent.</summary>
    public void Release(Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (_byPort.TryRemove(endpoint.Port, out var network))
        {
            network.Dispose();
        }
    }

    /// <summary>True when the component at <paramref name="endpoint"/> has a namespace of its own.</summary>
    public bool IsIsolated(Uri endpoint) => _byPort.ContainsKey(endpoint.Port);

    /// <summary>
    /// Opens a TCP connection as <see cref="SocketsHttpHandler"/> does by default (Nagle off), from inside the
    /// endpoint's namespace when one is registered for it. Failures are the socket's own (connection refused when
    /// nothing listens), so callers tell them apart as before.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var target = context.DnsEndPoint;
        EndPoint endPoint = IPAddress.TryParse(target.Host, out var address) ? new IPEndPoint(address, target.Port) : target;
        var family = address?.AddressFamily;
        var socket = _byPort.TryGetValue(target.Port, out var network)
            ? await NamespaceThread.RunAsync(() =>
            {
                network.Enter();
                return NewSocket(family);
            })
            : NewSocket(family);
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static Socket NewSocket(AddressFamily? family) =>
        family is { } known
            ? new Socket(known, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }
            : new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
}
