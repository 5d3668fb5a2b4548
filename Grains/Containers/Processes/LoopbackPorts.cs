using System.Net;
using System.Net.Sockets;

namespace FlowActors.Grains.Containers.Processes;

internal static class LoopbackPorts
{
    /// <summary>
    /// A loopback port free right now. Another process may take it before the component binds it; the
    /// component then exits, its probe never succeeds, and the holder starts another one.
    /// </summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
