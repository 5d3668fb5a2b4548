using FlowActors.Client;
using FlowActors.Containers;
using FlowActors.Containers.Leases;
using FlowActors.Containers.Processes;
using FlowActors.TestSupport.Processes;
using FlowActors.Tests.Leases;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FlowActors.Tests.Components;

/// <summary>The local-process container runtime: lifecycle, labels, leases and deaths of real component processes.</summary>
[TestClass]
public sealed class LocalProcessRuntimeTests
{
    private static readonly ContainerLeases Leases = new();
    private static LocalProcessContainerRuntime s_runtime = null!;

    [ClassInitialize]
    public static void CreateRuntime(TestContext context)
    {
        _ = context;
        s_runtime = SampleComponent.CreateRuntime(leases: Leases);
    }

    [ClassCleanup]
    public static async Task DisposeRuntimeAsync()
    {
        await s_runtime.DisposeAsync();
    }

    [TestMethod]
    public async Task Stop_KillsTheProcess_AndIsIdempotent()
    {
        var (lease, _) = await SampleComponent.StartHealthyAsync(s_runtime, SampleComponent.Request("echo", flow: "stop"));
        var processId = ContainerProcesses.Pid(lease.ContainerId);
        Assert.IsTrue(ContainerProcesses.IsAlive(processId));

        await s_runtime.StopAsync(lease, CancellationToken.None);
        await s_runtime.StopAsync(lease, CancellationToken.None);

        Assert.IsFalse(ContainerProcesses.IsAlive(processId));
        Assert.IsFalse(await s_runtime.IsRunningAsync(lease, CancellationToken.None));
        Assert.IsFalse(await s_runtime.ProbeAsync(lease, CancellationToken.None));
        Assert.IsEmpty(await s_runtime.ListAsync(new Dictionary<string, string> { [ContainerLabels.Flow] = "stop" }, CancellationToken.None));
        Assert.IsFalse(Leases.TryGetExpiry(lease.LeaseId, out _), "a stopped process's lease ends");
    }

    [TestMethod]
    public async Task List_FindsProcessesByLabels_WhichNameTheirOwner()
    {
        var first = await s_runtime.StartAsync(SampleComponent.Request("echo", flow: "listed", step: "one"), CancellationToken.None);
        var second = await s_runtime.StartAsync(SampleComponent.Request("echo", flow: "listed", step: "two"), CancellationToken.None);
        try
        {
            var byFlow = await s_runtime.ListAsync(
                new Dictionary<string, string> { [ContainerLabels.Cluster] = "tests", [ContainerLabels.Flow] = "listed" }, CancellationToken.None);
            var byStep = await s_runtime.ListAsync(
                new Dictionary<string, string> { [ContainerLabels.Flow] = "listed", [ContainerLabels.Step] = "two" }, CancellationToken.None);
            var otherFlow = await s_runtime.ListAsync(new Dictionary<string, string> { [ContainerLabels.Flow] = "elsewhere" }, CancellationToken.None);

            CollectionAssert.AreEquivalent(new[] { first.ContainerId, second.ContainerId }, byFlow.Select(c => c.Id).ToArray());
            Assert.HasCount(1, byStep);
            Assert.AreEqual(second.ContainerId, byStep[0].Id);
            Assert.IsTrue(byStep[0].Running);
            Assert.AreEqual(SampleComponent.Owner.ClusterId, byStep[0].Labels[ContainerLabels.Cluster]);
            Assert.AreEqual(SampleComponent.Owner.Silo, byStep[0].Labels[ContainerLabels.Silo]);
            Assert.AreEqual(second.LeaseId, byStep[0].Labels[ContainerLabels.Lease]);
            Assert.AreEqual(second.Holder, byStep[0].Labels[ContainerLabels.Holder]);
            Assert.AreEqual("echo", byStep[0].Labels[ContainerLabels.Component]);
            Assert.AreEqual("1", byStep[0].Labels[ContainerLabels.Revision]);
            Assert.IsEmpty(otherFlow);
        }
        finally
        {
            await Task.WhenAll(s_runtime.StopAsync(first, CancellationToken.None), s_runtime.StopAsync(second, CancellationToken.None));
        }
    }

    [TestMethod]
    public async Task ExpiredLease_IsReapedByTheReaper_AndTheRenewedOneKept()
    {
        var abandoned = await s_runtime.StartAsync(SampleComponent.Request("echo", flow: "leases", step: "abandoned"), CancellationToken.None);
        var held = await s_runtime.StartAsync(SampleComponent.Request("echo", flow: "leases", step: "held"), CancellationToken.None);
        try
        {
            held = await s_runtime.RenewAsync(held, TimeSpan.FromMinutes(5), CancellationToken.None);
            // A lease that ran out a minute ago: its holder stopped renewing. The runtime itself does nothing about it.
            await s_runtime.RenewAsync(abandoned, TimeSpan.FromMinutes(-1), CancellationToken.None);
            Assert.IsTrue(await s_runtime.IsRunningAsync(abandoned, CancellationToken.None));
            var reaper = new ContainerReaper(
                s_runtime,
                new FakeMembership((SampleComponent.Owner.Silo, SiloStatus.Active)),
                SampleComponent.Owner,
                Leases,
                Options.Create(new ContainerReaperOptions { Grace = TimeSpan.Zero }),
                TimeProvider.System,
                NullLogger<ContainerReaper>.Instance);

            Assert.AreEqual(1, await reaper.ReapOnceAsync(CancellationToken.None));

            Assert.IsFalse(ContainerProcesses.IsAlive(ContainerProcesses.Pid(abandoned.ContainerId)), "the unrenewed process outlived its lease");
            Assert.IsTrue(await s_runtime.IsRunningAsync(held, CancellationToken.None), "the renewed process was stopped");
            var renewAbandoned = await Assert.ThrowsExactlyAsync<InvalidOperationException>(
                () => s_runtime.RenewAsync(abandoned, TimeSpan.FromMinutes(1), CancellationToken.None));
            Assert.Contains("is no longer held", renewAbandoned.Message);
        }
        finally
        {
            await Task.WhenAll(s_runtime.StopAsync(abandoned, CancellationToken.None), s_runtime.StopAsync(held, CancellationToken.None));
        }
    }

    [TestMethod]
    public async Task ProcessKilledUnasked_RaisesContainerDied_WithItsLeaseFlowAndStep()
    {
        var died = new TaskCompletionSource<ContainerDiedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnDied(object? sender, ContainerDiedEventArgs e) => died.TrySetResult(e);
        s_runtime.ContainerDied += OnDied;
        try
        {
            var (lease, _) = await SampleComponent.StartHealthyAsync(s_runtime, SampleComponent.Request("echo", flow: "deaths", step: "killed"));
            using (var process = System.Diagnostics.Process.GetProcessById(ContainerProcesses.Pid(lease.ContainerId)))
            {
                process.Kill(); // SIGKILL
            }

            var death = await died.Task.WaitAsync(TimeSpan.FromSeconds(10));

            Assert.AreEqual(lease.ContainerId, death.ContainerId);
            Assert.AreEqual(lease.LeaseId, death.LeaseId);
            Assert.AreEqual("deaths", death.FlowId);
            Assert.AreEqual("killed", death.StepId);
            Assert.AreEqual(137, death.ExitCode, "128 + SIGKILL");
            await s_runtime.StopAsync(lease, CancellationToken.None);
        }
        finally
        {
            s_runtime.ContainerDied -= OnDied;
        }
    }

    [TestMethod]
    public async Task ProcessStoppedByItsHolder_RaisesNoDeath()
    {
        var deaths = 0;
        void OnDied(object? sender, ContainerDiedEventArgs e) => Interlocked.Increment(ref deaths);
        await using var runtime = SampleComponent.CreateRuntime();
        runtime.ContainerDied += OnDied;
        var (lease, _) = await SampleComponent.StartHealthyAsync(runtime, SampleComponent.Request("echo", flow: "deaths", step: "stopped"));

        await runtime.StopAsync(lease, CancellationToken.None);
        // Stop returns once the process was reaped, when .NET has already raised Exited (or never will).
        await runtime.DisposeAsync();

        Assert.AreEqual(0, deaths);
    }

    [TestMethod]
    public async Task ProcessStartedFromAThreadThatEnds_OutlivesTheThread()
    {
        // The parent-death signal follows the thread that forked the child: a caller's thread (here one that ends at
        // once, as a retired thread-pool thread does) must not be that thread.
        Grains.Interfaces.Containers.ContainerLease? lease = null;
        var caller = new Thread(() => lease = s_runtime.StartAsync(SampleComponent.Request("echo", flow: "threads", step: "orphan"), CancellationToken.None).GetAwaiter().GetResult());
        caller.Start();
        caller.Join();
        Assert.IsNotNull(lease);

        try
        {
            // The signal would come at the thread's exit, already past: the process must answer from now on.
            for (var probe = 0; probe < 20; probe++)
            {
                Assert.IsTrue(ContainerProcesses.IsAlive(ContainerProcesses.Pid(lease.ContainerId)), "the component died with the thread that started it");
                await Task.Delay(50);
            }

            await SampleComponent.WaitHealthyAsync(s_runtime, lease);
        }
        finally
        {
            await s_runtime.StopAsync(lease, CancellationToken.None);
        }
    }

    [TestMethod]
    public async Task ProcessCommandLine_NamesFlowAndStep_AndTheComponentStillServes()
    {
        var (lease, _) = await SampleComponent.StartHealthyAsync(s_runtime, SampleComponent.Request("echo", flow: "named-flow", step: "named_step"));
        try
        {
            var commandLine = ContainerProcesses.CommandLine(ContainerProcesses.Pid(lease.ContainerId));

            Assert.IsNotNull(commandLine);
            Assert.StartsWith("flowactors:named-flow/named_step:/", commandLine);
            Assert.EndsWith($"{SampleComponent.DllPath} echo", commandLine, "the component's arguments are untouched");
            var found = ContainerProcesses.WithCommandLineContaining("flowactors:named-flow/");
            Assert.AreEqual(ContainerProcesses.Pid(lease.ContainerId), found.Single().Pid, "pgrep -f flowactors:named-flow/ finds it");
        }
        finally
        {
            await s_runtime.StopAsync(lease, CancellationToken.None);
        }
    }

    [TestMethod]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task BusyboxApplet_StillDispatchesOnItsName_UnderTheFlowsName()
    {
        // A multi-call binary picks its applet from argv[0]'s base name: started as "sh" through a link, it must still
        // be busybox's sh, serving /healthz with its httpd applet.
        var directory = Directory.CreateTempSubdirectory("flowactors-busybox-").FullName;
        try
        {
            // Created owner-only; the component runs as an unprivileged user that must reach its files.
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            var shell = Path.Combine(directory, "sh");
            File.CreateSymbolicLink(shell, Busybox());
            Directory.CreateDirectory(Path.Combine(directory, "www"));
            await File.WriteAllTextAsync(Path.Combine(directory, "www", "healthz"), "ok");
            var launch = new ComponentLaunch(null, shell, ["-c", $"exec {Busybox()} httpd -f -p \"127.0.0.1:$FLOWACTORS_PORT\" -h {directory}/www"], new Dictionary<string, string>());
            var request = SampleComponent.Request("busybox", flow: "applets", step: "sh") with
            {
                Revision = new ComponentRevision("busybox", 1, launch, new ComponentDescriptor([], []), DateTimeOffset.UtcNow),
            };

            var (lease, _) = await SampleComponent.StartHealthyAsync(s_runtime, request);
            await s_runtime.StopAsync(lease, CancellationToken.None);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    public async Task Dispose_StopsEveryProcess()
    {
        var ownRuntime = SampleComponent.CreateRuntime();
        var first = await ownRuntime.StartAsync(SampleComponent.Request("echo", step: "one"), CancellationToken.None);
        var second = await ownRuntime.StartAsync(SampleComponent.Request("transform", step: "two"), CancellationToken.None);

        await ownRuntime.DisposeAsync();

        Assert.IsFalse(ContainerProcesses.IsAlive(ContainerProcesses.Pid(first.ContainerId)));
        Assert.IsFalse(ContainerProcesses.IsAlive(ContainerProcesses.Pid(second.ContainerId)));
        await Assert.ThrowsExactlyAsync<ObjectDisposedException>(
            () => ownRuntime.StartAsync(SampleComponent.Request("echo"), CancellationToken.None));
    }

    [TestMethod]
    public async Task ComponentOutput_IsLoggedLineByLine_InTheStepsScope_CutToTheBound()
    {
        const int maxLineLength = 80;
        var logger = new CapturingLogger<LocalProcessContainerRuntime>();
        using var ownClient = SampleComponent.CreateClient();
        await using var ownRuntime = SampleComponent.CreateRuntime(logger: logger, maxLogLineLength: maxLineLength);
        var (lease, _) = await SampleComponent.StartHealthyAsync(ownRuntime, SampleComponent.Request("transform", flow: "logs", step: "upper"));

        // A handler failure is the one thing the SDK logs by default (a warning, one line).
        await ownClient.InvokeAsync(lease.Endpoint, "uppercase", FlowMessage.Create("[1]"), null, null, SampleComponent.CallTimeout, CancellationToken.None);
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(5);
        (LogLevel Level, string Message, object? Scope) line = default;
        while (DateTimeOffset.UtcNow < deadline
            && (line = logger.Entries.FirstOrDefault(entry => entry.Message.Contains("Action uppercase failed", StringComparison.Ordinal))).Message is null)
        {
            await Task.Delay(20);
        }

        Assert.IsNotNull(line.Message, "The component's output never reached the log.");
        Assert.EndsWith("more bytes)", line.Message);
        Assert.StartsWith("warn: FlowActors.Component", line.Message);
        var scope = ((IEnumerable<KeyValuePair<string, object?>>)line.Scope!).ToDictionary(pair => pair.Key, pair => pair.Value);
        Assert.AreEqual("logs", scope["flow"]);
        Assert.AreEqual("upper", scope["step"]);
        Assert.AreEqual(lease.ContainerId, scope["container"]);
    }

    [TestMethod]
    public async Task Start_WithoutACommand_FailsNamingTheComponentAndTheFix()
    {
        var request = SampleComponent.Request("echo");
        request = request with
        {
            Revision = request.Revision with { Launch = new ComponentLaunch("flowactors/echo:1", null, [], new Dictionary<string, string>()) },
        };

        var failure = await Assert.ThrowsExactlyAsync<ComponentStartException>(() => s_runtime.StartAsync(request, CancellationToken.None));

        Assert.Contains("Component 'echo' revision 1 has no command", failure.Message);
        Assert.Contains("ComponentLaunch.Command", failure.Message);
    }

    [TestMethod]
    public async Task Start_WithACommandThatDoesNotExist_FailsNamingTheCommandAndTheFix()
    {
        var request = SampleComponent.Request("echo", flow: "missing", step: "command");
        request = request with
        {
            Revision = request.Revision with { Launch = new ComponentLaunch(null, "no-such-command-flowactors", [], new Dictionary<string, string>()) },
        };

        var failure = await Assert.ThrowsExactlyAsync<ComponentStartException>(() => s_runtime.StartAsync(request, CancellationToken.None));

        Assert.Contains("'missing/command'", failure.Message);
        Assert.Contains("'no-such-command-flowactors' is not an executable file", failure.Message);
        Assert.Contains("ComponentLaunch.Command", failure.Message);
        Assert.IsEmpty(await s_runtime.ListAsync(new Dictionary<string, string> { [ContainerLabels.Flow] = "missing" }, CancellationToken.None));
    }

    /// <summary>The static busybox scripts/build-test-images.sh installs (busybox-static).</summary>
    private static string Busybox() =>
        new[] { "/bin/busybox", "/usr/bin/busybox" }.FirstOrDefault(File.Exists)
        ?? throw new AssertFailedException("busybox is missing: scripts/build-test-images.sh installs busybox-static.");
}
