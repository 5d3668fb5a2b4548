using System.Net;
using System.Net.Sockets;

namespace FlowActors.Tests.Infrastructure;

/// <summary>Loopback ports that nothing listens on right now (others run tests on this machine at the same time).</summary>
public static class FreePorts
{
    public static int[] Take(int count)
    {
        // Hold every listener until all are taken, so the same port is not handed out twice.
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        try
        {
            foreach (var listener in listeners)
            {
                listener.Start();
            }

            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }
        }
    }
}
