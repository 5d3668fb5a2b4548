using System.Diagnostics;
using FlowActors.Client;
using FlowActors.TestSupport.Clients;
using FlowActors.TestSupport.Processes;
using FlowActors.TestSupport.Silos;
using FlowActors.Tests.Client;
using FlowActors.Tests.Flows;

namespace FlowActors.Tests.Leases;

/// <summary>A silo killed with SIGKILL runs no cleanup: its component processes must die with it all the same.</summary>
[TestClass]
public sealed class SiloKillTests
{
    [TestMethod]
    public async Task KilledSilo_LeavesNoComponentProcessAlive()
    {
        var prefix = $"kill9{Guid.NewGuid():N}"[..12];
        var pids = new List<int>();
        try
        {
            await using var silo = await SiloProcess.StartAsync();
            await using (var sdk = await SdkHost.StartAsync(silo))
            {
                await SdkFlows.DeploySamplesAsync(sdk.Client);
                var realtime = await SdkFlows.StartAsync(sdk.Client, SampleFlows.ThreeSteps(), FlowMode.Realtime, prefix);
                var ordinary = await SdkFlows.StartAsync(sdk.Client, SampleFlows.ThreeSteps(), FlowMode.Ordinary, prefix);
                var reply = await sdk.Client.SendAndWaitAsync(ordinary, """{"name":"ada"}""", TimeSpan.FromSeconds(30));
                Assert.IsNotNull(reply.Event, "the ordinary flow did not answer");
                foreach (var flowId in new[] { realtime, ordinary })
                {
                    pids.AddRange((await sdk.Client.GetStatusAsync(flowId)).Steps
                        .Where(s => s.ContainerId is not null)
                        .Select(s => ContainerProcesses.Pid(s.ContainerId!)));
                }
            }

            Assert.IsGreaterThanOrEqualTo(3, pids.Count, "the real-time flow holds three processes");
            Assert.IsTrue(pids.All(ContainerProcesses.IsAlive));
            if (Environment.UserName == "root")
            {
                // A silo run as root runs components as an unprivileged user. The kernel clears a parent-death signal when
                // a process changes its credentials, so this also checks that the signal is set after the change.
                Assert.IsTrue(pids.All(pid => ContainerProcesses.UserId(pid) == 65534), "The component processes do not run as 65534.");
            }

            await silo.KillAloneAsync();

            var clock = Stopwatch.StartNew();
            while (pids.Any(ContainerProcesses.IsAlive) || ContainerProcesses.WithCommandLineContaining(prefix).Count > 0)
            {
                if (clock.Elapsed > TimeSpan.FromSeconds(10))
                {
                    var alive = pids.Where(ContainerProcesses.IsAlive).Select(pid => $"{pid}: {ContainerProcesses.CommandLine(pid)}");
                    var named = ContainerProcesses.WithCommandLineContaining(prefix).Select(p => $"{p.Pid}: {p.CommandLine}");
                    Assert.Fail($"10 s after kill -9 of the silo, its component processes live on:\n{string.Join('\n', alive.Concat(named).Distinct())}");
                }

                await Task.Delay(100);
            }
        }
        finally
        {
            // A failing run must not leave them behind on a shared machine: these are the processes this test's silo started.
            foreach (var pid in pids.Where(ContainerProcesses.IsAlive))
            {
                try
                {
                    using var survivor = Process.GetProcessById(pid);
                    survivor.Kill();
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException)
                {
                    // gone meanwhile
                }
            }
        }
    }
}
