using System.Net;
using System.Runtime.Versioning;
using FlowActors.Containers;
using FlowActors.Containers.Docker;
using FlowActors.Containers.Leases;
using FlowActors.Containers.Processes;
using FlowActors.TestSupport.Silos;
using FlowActors.Tests.Api;
using FlowActors.Tests.Components;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FlowActors.Tests.Isolation;

/// <summary>
/// What a revision's environment can do: nothing before the launch has dropped to the component's user (a preload
/// library any local user could plant runs, if at all, only in the component and as that user), and the variables that
/// inject code at start are refused, at deployment with a 400 naming the variable and again at start, on both runtimes.
/// </summary>
[TestClass]
[SupportedOSPlatform("linux")]
public sealed class LaunchEnvironmentTests
{
    [ClassInitialize]
    public static void RequireIsolation(TestContext context)
    {
        _ = context;
        Assert.IsNotNull(SampleComponent.Isolation.ProcessUser, $"These tests need a silo that changes users (root, as scripts/test.sh runs): {SampleComponent.Isolation.UserLimitation}");
    }

    [TestMethod]
    public async Task PreloadLibraryInARevisionsEnvironment_NeverRunsAsRoot_OnlyInTheComponentAsItsUser()
    {
        using var library = await PreloadLibrary.BuildAsync();
        // The launch exactly as the runtime makes it, minus the refusal of LD_*: what runs before the drop must not see the
        // revision's environment whatever that holds. `true` loads the library and exits at once.
        var request = WithEnvironment(SampleComponent.Request("echo", flow: "preload"), new() { ["LD_PRELOAD"] = library.Path });
        request = request with { Revision = request.Revision with { Launch = request.Revision.Launch with { Command = "true", Arguments = [] } } };
        var start = ComponentProcessStart.Create(
            request, port: 1, new LocalProcessRuntimeOptions(), ComponentLauncher.Current, ComponentWorkingDirectory.CreatePrivate(),
            SampleComponent.Isolation.ProcessUser);

        var (process, network) = await ComponentSpawner.StartAsync(start.Process, ownNetwork: false);
        using (process)
        using (network)
        {
            await using (var input = process.StandardInput.BaseStream)
            {
                await input.WriteAsync(start.Input);
            }

            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
            Assert.AreEqual(0, process.ExitCode, await process.StandardError.ReadToEndAsync());
        }

        var loads = library.Loads;
        var user = SampleComponent.Isolation.ProcessUser!.UserId;
        Assert.IsTrue(loads.Any(load => load.Command == "true" && load.User == user && load.EffectiveUser == user),
            $"The component itself must have loaded the library as uid {user}, or this test shows nothing: {Describe(loads)}");
        Assert.IsFalse(loads.Any(load => load.User == 0 || load.EffectiveUser == 0), $"Code of the revision's environment ran as root: {Describe(loads)}");
        Assert.IsTrue(loads.All(load => load.Command == "true"), $"Only the component may load it, not the launcher's tools: {Describe(loads)}");
    }

    [TestMethod]
    public async Task LocalProcessStart_OfARevisionSettingLdPreload_IsRefusedNamingIt_AndNothingRuns()
    {
        using var library = await PreloadLibrary.BuildAsync();
        await using var runtime = SampleComponent.CreateRuntime();
        var request = WithEnvironment(SampleComponent.Request("echo", flow: "preload-refused"), new() { ["LD_PRELOAD"] = library.Path });

        var refused = await Assert.ThrowsExactlyAsync<ComponentStartException>(() => runtime.StartAsync(request, CancellationToken.None));

        StringAssert.Contains(refused.Message, "LD_PRELOAD");
        StringAssert.Contains(refused.Message, "Component 'echo' revision 1");
        Assert.IsEmpty(library.Loads, "Nothing may have run.");
        Assert.IsEmpty(await runtime.ListAsync(new Dictionary<string, string> { [ContainerLabels.Flow] = "preload-refused" }, CancellationToken.None));
    }

    [TestMethod]
    public async Task DockerStart_OfARevisionSettingNodeOptions_IsRefusedNamingIt_BeforeTheEngineIsAsked()
    {
        // An engine endpoint nothing answers on: the refusal comes before any engine call.
        var options = new DockerRuntimeOptions { Endpoint = "tcp://127.0.0.1:1", WatchEvents = false };
        await using var runtime = new DockerContainerRuntime(
            Options.Create(options), SampleComponent.Owner, new ContainerLeases(), new LoopbackPorts(), SampleComponent.Isolation, TimeProvider.System, NullLoggerFactory.Instance);
        var request = WithEnvironment(SampleComponent.Request("echo", flow: "node-options"), new() { ["NODE_OPTIONS"] = "--require /tmp/x.js" });
        request = request with { Revision = request.Revision with { Launch = request.Revision.Launch with { Image = "flowactors/samples:test" } } };

        var refused = await Assert.ThrowsExactlyAsync<ComponentStartException>(() => runtime.StartAsync(request, CancellationToken.None));

        StringAssert.Contains(refused.Message, "NODE_OPTIONS");
    }

    [TestMethod]
    public async Task Deployment_SettingAnInjectionVariable_Is400_NamingIt()
    {
        await using var silo = await SiloProcess.StartAsync();
        foreach (var name in (string[])["LD_PRELOAD", "LD_AUDIT", "DOTNET_STARTUP_HOOKS", "NODE_OPTIONS", "PYTHONSTARTUP", "PYTHONPATH", "BASH_ENV", "ENV", "ld_preload", "A-B", "1A"])
        {
            var deployment = $$$"""{"launch":{"image":"x:1","command":"node","arguments":["./a.js"],"environment":{"{{{name}}}":"/tmp/x"}},"descriptor":{"actions":["a"]}}""";

            var answer = await silo.Http.PostAsync("/api/components/injected/revisions", HttpApiTests.Json(deployment));

            await Problems.AssertAsync(answer, HttpStatusCode.BadRequest, $"'launch.environment' sets the variable '{name}'");
        }

        var allowed = """{"launch":{"command":"node","arguments":["./a.js"],"environment":{"NODE_ENV":"production","LOG_LEVEL":"debug"}},"descriptor":{"actions":["a"]}}""";
        Assert.AreEqual(HttpStatusCode.Created, (await silo.Http.PostAsync("/api/components/injected/revisions", HttpApiTests.Json(allowed))).StatusCode);
    }

    private static ContainerRequest WithEnvironment(ContainerRequest request, Dictionary<string, string> environment) =>
        request with { Revision = request.Revision with { Launch = request.Revision.Launch with { Environment = environment } } };

    private static string Describe(IEnumerable<(uint User, uint EffectiveUser, string Command)> loads) =>
        string.Join("; ", loads.Select(load => $"{load.Command} as {load.User}/{load.EffectiveUser}")) is { Length: > 0 } text ? text : "no load";
}
