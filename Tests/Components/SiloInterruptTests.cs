using System.Runtime.Versioning;
using FlowActors.Containers;
using FlowActors.Containers.Processes;
using FlowActors.TestSupport.Processes;
using FlowActors.TestSupport.Silos;

namespace FlowActors.Tests.Components;

/// <summary>
/// Ctrl+C in the terminal a silo runs in: the terminal signals the whole foreground process group. The real
/// <c>Silo</c> with its shipped settings (its sample real-time flow holding three component processes) gets SIGINT
/// the way a terminal sends it; its components are out of that group, so they hear nothing of it and end only with
/// the silo's own orderly stop, and nothing is started again while the silo shuts down.
/// </summary>
[TestClass]
[SupportedOSPlatform("linux")]
public sealed class SiloInterruptTests
{
    [TestMethod]
    public async Task CtrlCInTheSilosTerminal_ReachesOnlyTheSilo_WhichStopsItsComponents_AndStartsNoneDuringShutdown()
    {
        await using var silo = await SiloProcess.StartWithDefaultsAsync(ownProcessGroup: true);
        var components = await WaitForComponentsAsync(silo, count: 3);
        var before = silo.Output.Count;

        var exitCode = await silo.InterruptGroupAsync(TimeSpan.FromSeconds(60));

        var shutdown = silo.Output.Skip(before).ToList();
        Assert.AreEqual(0, exitCode, string.Join('\n', shutdown.TakeLast(40)));
        Assert.IsFalse(shutdown.Any(line => line.Contains("[2200]", StringComparison.Ordinal)),
            $"A component process was started during shutdown:\n{string.Join('\n', shutdown)}");
        Assert.IsFalse(shutdown.Any(line => line.Contains("[2212]", StringComparison.Ordinal)),
            $"A component exited on its own (the terminal's signal reached it):\n{string.Join('\n', shutdown)}");
        Assert.IsFalse(shutdown.Any(line => line.Contains("Application is shutting down", StringComparison.Ordinal) && line.Contains("Component", StringComparison.Ordinal)),
            "A component shut itself down.");
        foreach (var pid in components)
        {
            Assert.IsFalse(ContainerProcesses.IsAlive(pid), $"Component process {pid} outlived its silo.");
        }
    }

    [TestMethod]
    public async Task Start_OnceTheSiloShutsDown_IsRefused_AndNothingRuns()
    {
        var starts = new ContainerStartGate();
        await using var runtime = SampleComponent.CreateRuntime(starts: starts);
        starts.Close();

        var refused = await Assert.ThrowsExactlyAsync<InvalidOperationException>(
            () => runtime.StartAsync(SampleComponent.Request("echo", flow: "shutdown", step: "late"), CancellationToken.None));

        StringAssert.Contains(refused.Message, "'shutdown/late'");
        StringAssert.Contains(refused.Message, "shutting down");
        Assert.IsEmpty(await runtime.ListAsync(new Dictionary<string, string> { [Containers.Leases.ContainerLabels.Flow] = "shutdown" }, CancellationToken.None));
    }

    private static async Task<IReadOnlyList<int>> WaitForComponentsAsync(SiloProcess silo, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var components = SiloProcess.ChildPids(silo.ProcessId)
                .Where(pid => ReadCommandLine(pid).StartsWith(ComponentLauncher.NamePrefix, StringComparison.Ordinal))
                .ToList();
            if (components.Count >= count)
            {
                return components;
            }

            Assert.IsLessThan(deadline, DateTime.UtcNow, $"The sample real-time flow's {count} components did not start:\n{silo.RecentOutput}");
            await Task.Delay(200);
        }
    }

    private static string ReadCommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline");
        }
        catch (IOException)
        {
            return "";
        }
    }
}
