using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using FlowActors.Client;
using FlowActors.Containers;
using FlowActors.Containers.Isolation;
using FlowActors.Containers.Processes;
using FlowActors.Grains.Interfaces.Containers;
using FlowActors.TestSupport.Processes;
using FlowActors.Tests.Components;

namespace FlowActors.Tests.Isolation;

/// <summary>
/// The component boundary of local processes, asked from inside a component (the sample <c>probe</c>): with the silo's
/// default isolation a component has a network namespace of its own and runs as an unprivileged user; with isolation
/// off the same probe reaches what the isolated one cannot, which shows the probe would notice a hole.
/// </summary>
[TestClass]
[SupportedOSPlatform("linux")]
public sealed class LocalProcessIsolationTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [ClassInitialize]
    public static void RequireIsolation(TestContext context)
    {
        var isolation = SampleComponent.Isolation;
        Assert.IsTrue(
            isolation.IsolatesNetwork && isolation.ProcessUser is not null,
            $"These tests need a silo that can isolate components (root, as scripts/test.sh runs): network: {isolation.NetworkLimitation ?? "ok"}; user: {isolation.UserLimitation ?? "ok"}.");
    }

    [TestMethod]
    public async Task IsolatedComponent_CannotConnectToPortsOnTheSilosLoopback_WhileItsCallerReachesIt()
    {
        using var siloPort = Listen();
        await using var runtime = SampleComponent.CreateRuntime();
        var (lease, _) = await SampleComponent.StartHealthyAsync(runtime, SampleComponent.Request("probe"));

        var report = await ProbeAsync(SampleComponent.CreateClient(), lease, [Port(siloPort), lease.Endpoint.Port]);

        Assert.AreNotEqual(ProbeReport.Connected, report.Connections[Port(siloPort)], "The component reached a port on the silo's loopback.");
        Assert.IsFalse(siloPort.Pending(), "A connection from the component arrived at the silo's port.");
        Assert.AreEqual(ProbeReport.Connected, report.Connections[lease.Endpoint.Port], "The component could not reach its own port: the probe itself is broken.");
        CollectionAssert.AreEqual(new[] { "lo" }, report.Interfaces.ToArray(), "An isolated component has loopback only.");
    }

    [TestMethod]
    public async Task ComponentWithIsolationOff_ReachesThePortsTheIsolatedOneCannot()
    {
        var off = SampleComponent.CreateIsolation(ComponentIsolationMode.Off);
        using var siloPort = Listen();
        await using var runtime = SampleComponent.CreateRuntime(isolation: off);
        var (lease, _) = await SampleComponent.StartHealthyAsync(runtime, SampleComponent.Request("probe"));

        var report = await ProbeAsync(SampleComponent.CreateClient(off), lease, [Port(siloPort)]);

        Assert.AreEqual(ProbeReport.Connected, report.Connections[Port(siloPort)], "Without isolation the probe must reach the silo's port, or it proves nothing when isolated.");
        Assert.AreEqual("0", report.User, "Without isolation the component runs as the silo's user (root here).");
    }

    [TestMethod]
    public async Task IsolatedComponent_RunsAsTheUnprivilegedUser_AndCannotReadOwnerOnlyFiles()
    {
        var data = OwnerOnlyDataFolder();
        try
        {
            await using var runtime = SampleComponent.CreateRuntime();
            var (lease, _) = await SampleComponent.StartHealthyAsync(runtime, SampleComponent.Request("probe"));
            var secret = Path.Combine(data, "api-key");

            var report = await ProbeAsync(SampleComponent.CreateClient(), lease, [], [data, secret]);

            Assert.AreEqual("65534", report.User);
            Assert.AreEqual((uint)65534, ContainerProcesses.UserId(ContainerProcesses.Pid(lease.ContainerId)), "The process itself runs as that user.");
            Assert.AreEqual("denied", report.Reads[data], ProbeReport.Describe(report.Reads));
            Assert.AreEqual("denied", report.Reads[secret], ProbeReport.Describe(report.Reads));

            // The same probe as the silo's user reads both: the denial above is the user's doing.
            var off = SampleComponent.CreateIsolation(ComponentIsolationMode.Off);
            await using var open = SampleComponent.CreateRuntime(isolation: off);
            var (openLease, _) = await SampleComponent.StartHealthyAsync(open, SampleComponent.Request("probe"));
            var openReport = await ProbeAsync(SampleComponent.CreateClient(off), openLease, [], [secret]);
            Assert.StartsWith("read ", openReport.Reads[secret]);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(data)!, recursive: true);
        }
    }

    [TestMethod]
    public async Task IsolatedComponent_GetsOnlyTheAllowListTheRevisionsAndThePlatformsVariables()
    {
        await using var runtime = SampleComponent.CreateRuntime();
        var environment = new Dictionary<string, string> { ["REVISION_SETTING"] = "1" };
        var (lease, _) = await SampleComponent.StartHealthyAsync(runtime, SampleComponent.Request("probe", environment: environment));

        var report = await ProbeAsync(SampleComponent.CreateClient(), lease, []);

        // bash, which names the process, adds PWD, SHLVL and _ (the executable's path) as any shell does.
        report.AssertEnvironmentWithin([
            .. new LocalProcessRuntimeOptions().InheritedEnvironmentVariables,
            "DOTNET_gcServer", "DOTNET_gcConcurrent", "DOTNET_TieredPGO",
            "REVISION_SETTING",
            "PWD", "SHLVL", "_"]);
        CollectionAssert.Contains(report.Environment.ToArray(), "REVISION_SETTING");
    }

    [TestMethod]
    public async Task ComponentFilesTheUserCannotRead_FailTheStart_NamingThePathAndTheFix()
    {
        // A private folder (as a home directory is) holding the component: the unprivileged user cannot enter it.
        var hidden = Directory.CreateTempSubdirectory("flowactors-hidden-").FullName;
        try
        {
            foreach (var file in Directory.GetFiles(Path.GetDirectoryName(SampleComponent.DllPath)!, "FlowActors.*"))
            {
                File.Copy(file, Path.Combine(hidden, Path.GetFileName(file)));
            }

            var request = SampleComponent.Request("echo");
            var launch = request.Revision.Launch with { Arguments = [Path.Combine(hidden, Path.GetFileName(SampleComponent.DllPath)), "echo"] };
            request = request with { Revision = request.Revision with { Launch = launch } };
            await using var runtime = SampleComponent.CreateRuntime();

            var error = await Assert.ThrowsExactlyAsync<ComponentStartException>(() => runtime.StartAsync(request, CancellationToken.None));

            StringAssert.Contains(error.Message, $"cannot enter the folder {hidden}");
            StringAssert.Contains(error.Message, $"chmod o+x {hidden}");
            StringAssert.Contains(error.Message, "65534:65534");
            Assert.IsEmpty(ContainerProcesses.WithCommandLineContaining(hidden), "Nothing may start, as root or otherwise.");
        }
        finally
        {
            Directory.Delete(hidden, recursive: true);
        }
    }

    [TestMethod]
    public async Task CommandFoundOnTheSilosPath_InAFolderItsUserCannotEnter_FailsNamingTheFileItResolved()
    {
        // Root's PATH often leads into /root (pyenv shims, nvm): found there by the silo, out of the component user's reach.
        var hidden = Directory.CreateTempSubdirectory("flowactors-shims-").FullName;
        var path = Environment.GetEnvironmentVariable("PATH");
        try
        {
            var tool = Path.Combine(hidden, "flowactors-shim");
            File.WriteAllText(tool, "#!/bin/sh\nexit 0\n");
            File.SetUnixFileMode(tool, (UnixFileMode)0b111_101_101);
            Environment.SetEnvironmentVariable("PATH", $"{hidden}:{path}");
            var request = SampleComponent.Request("echo", flow: "shim");
            request = request with { Revision = request.Revision with { Launch = request.Revision.Launch with { Command = "flowactors-shim", Arguments = [] } } };
            await using var runtime = SampleComponent.CreateRuntime();

            var error = await Assert.ThrowsExactlyAsync<ComponentStartException>(() => runtime.StartAsync(request, CancellationToken.None));

            StringAssert.Contains(error.Message, $"cannot enter the folder {hidden}");
            StringAssert.Contains(error.Message, $"its command 'flowactors-shim' was found on the silo's PATH as {tool}");
        }
        finally
        {
            Environment.SetEnvironmentVariable("PATH", path);
            Directory.Delete(hidden, recursive: true);
        }
    }

    private static async Task<ProbeReport> ProbeAsync(Grains.Components.Protocol.ComponentClient client, ContainerLease lease, int[] ports, string[]? paths = null)
    {
        using (client)
        {
            var emits = await client.InvokeAsync(
                lease.Endpoint, "probe", FlowMessage.Create(ProbeReport.Request(ports, paths)), null, null, Timeout, CancellationToken.None);
            return ProbeReport.Parse(emits.Single().Body!.Value.GetRawText());
        }
    }

    private static TcpListener Listen()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return listener;
    }

    private static int Port(TcpListener listener) => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>
    /// A folder like the silo's <c>.flowactors/</c> (owner-only, with an owner-only key file) inside one that anybody may
    /// enter, so that only the data folder's own permissions stand between the component and the key.
    /// </summary>
    private static string OwnerOnlyDataFolder()
    {
        var root = Directory.CreateTempSubdirectory("flowactors-silo-").FullName;
        File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherExecute);
        var data = Directory.CreateDirectory(Path.Combine(root, ".flowactors"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;
        var key = Path.Combine(data, "api-key");
        File.WriteAllText(key, "secret");
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return data;
    }
}
