using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using FlowActors.TestSupport.Processes;
using FlowActors.TestSupport.Silos;
using FlowActors.Tests.Infrastructure;

namespace FlowActors.Tests.Scripts;

/// <summary>
/// <c>scripts/ensure-azurite.sh</c> where a developer's machine already has something on its ports, each run with a
/// folder of its own (<c>AZURITE_HOME</c>) and its preferred ports moved (<c>AZURITE_BASE_PORT</c>): an Azure Storage
/// emulator that answers there is used, not joined by a second one; ports held by anything else make it pick free
/// ones and start its Azurite there, which <c>stop</c> stops by its PID.
/// </summary>
[TestClass]
public sealed class EnsureAzuriteTests
{
    [TestMethod]
    public async Task AnEmulatorAlreadyAnswering_IsUsedAsItIs()
    {
        // The suite's Azurite (started by this script if need be) is a real emulator on three ports in a row.
        var running = new Uri(ConnectionPart(await Azurite.EnsureAsync(), "BlobEndpoint"));
        var home = Directory.CreateTempSubdirectory("flowactors-azurite-").FullName;
        try
        {
            var started = await RunAsync(home, running.Port, "start");
            StringAssert.Contains(started, $"an Azure Storage emulator already answers on {running.Port}/{running.Port + 1}/{running.Port + 2}; using it");
            Assert.AreEqual($"{running.Port} {running.Port + 1} {running.Port + 2}", File.ReadAllText(Path.Combine(home, "ports")).Trim());
            Assert.IsFalse(File.Exists(Path.Combine(home, "azurite.pid")), "nothing was started");
            Assert.IsFalse(Directory.Exists(Path.Combine(home, "node_modules")), "nothing was installed");
            StringAssert.Contains(await RunAsync(home, running.Port, "env"), $"BlobEndpoint=http://127.0.0.1:{running.Port}/devstoreaccount1;");
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    [TestMethod]
    public async Task PortsHeldBySomethingElse_FreePortsArePicked_AndItsOwnAzuriteRunsThereUntilStopped()
    {
        await RunAsync(null, null, "install"); // the repository's pinned package, linked below rather than installed again
        var home = Directory.CreateTempSubdirectory("flowactors-azurite-").FullName;
        File.CreateSymbolicLink(Path.Combine(home, "node_modules"), Repository.PathOf(".azurite", "node_modules"));
        var held = HoldThreePortsInARow();
        var basePort = ((IPEndPoint)held[0].LocalEndpoint).Port;
        try
        {
            var started = await RunAsync(home, basePort, "start");
            StringAssert.Contains(started, $"port {basePort} is taken by another process; picking free ports");
            var ports = File.ReadAllText(Path.Combine(home, "ports")).Trim().Split(' ').Select(int.Parse).ToArray();
            Assert.HasCount(3, ports);
            Assert.IsTrue(ports[0] >= 20000 && ports[1] == ports[0] + 1 && ports[2] == ports[0] + 2, string.Join(' ', ports));
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            foreach (var (port, service) in ports.Zip(new[] { "Blob", "Queue", "Table" }))
            {
                using var answer = await http.GetAsync($"http://127.0.0.1:{port}/");
                StringAssert.StartsWith(string.Join(' ', answer.Headers.Server.Select(s => s.ToString())), $"Azurite-{service}/");
            }

            StringAssert.Contains(await RunAsync(home, basePort, "env"), $"BlobEndpoint=http://127.0.0.1:{ports[0]}/devstoreaccount1;");
            StringAssert.Contains(await RunAsync(home, basePort, "start"), "nothing to do", "a second start finds it running");

            var pid = int.Parse(File.ReadAllText(Path.Combine(home, "azurite.pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            StringAssert.Contains(await RunAsync(home, basePort, "stop"), $"stopped Azurite (PID {pid})");
            Assert.IsFalse(ContainerProcesses.IsAlive(pid), "stop ends the Azurite it started");
        }
        finally
        {
            await RunAsync(home, basePort, "stop"); // by its PID, whatever failed above
            foreach (var listener in held)
            {
                listener.Stop();
            }

            Directory.Delete(home, recursive: true);
        }
    }

    /// <summary>Three listening sockets on consecutive loopback ports: "something else" on the ports the script prefers.</summary>
    private static TcpListener[] HoldThreePortsInARow()
    {
        for (var candidate = 40000 + Random.Shared.Next(0, 3000) * 3; candidate < 50000; candidate += 3)
        {
            var listeners = new List<TcpListener>();
            try
            {
                for (var port = candidate; port < candidate + 3; port++)
                {
                    var listener = new TcpListener(IPAddress.Loopback, port);
                    listener.Start();
                    listeners.Add(listener);
                }

                return [.. listeners];
            }
            catch (SocketException)
            {
                listeners.ForEach(l => l.Stop());
            }
        }

        throw new InvalidOperationException("No three free loopback ports in a row from 40000 up.");
    }

    private static string ConnectionPart(string connectionString, string name) =>
        connectionString.Split(';').Select(p => p.Split('=', 2)).Single(p => p[0] == name)[1];

    /// <summary>Runs the script with its folder and preferred ports moved (the repository's own when null); returns stdout.</summary>
    private static async Task<string> RunAsync(string? home, int? basePort, string command)
    {
        var start = new ProcessStartInfo("bash", [Repository.PathOf("scripts", "ensure-azurite.sh"), command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var name in new[] { "AZURITE_BLOB_PORT", "AZURITE_QUEUE_PORT", "AZURITE_TABLE_PORT", "AZURITE_HOME", "AZURITE_BASE_PORT" })
        {
            start.Environment.Remove(name);
        }

        if (home is not null)
        {
            start.Environment["AZURITE_HOME"] = home;
            start.Environment["AZURITE_BASE_PORT"] = basePort!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        using var script = Process.Start(start)!;
        var stdout = script.StandardOutput.ReadToEndAsync();
        var stderr = script.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await script.WaitForExitAsync(timeout.Token);
        Assert.AreEqual(0, script.ExitCode, $"ensure-azurite.sh {command}: {await stdout}{await stderr}");
        return await stdout;
    }
}
