using FlowActors.Grains.Components.Protocol;
using FlowActors.Containers;
using FlowActors.Containers.Processes;
using FlowActors.Grains.Interfaces.Components;
using FlowActors.Grains.Interfaces.Messages;
using FlowActors.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace FlowActors.Tests.Components;

/// <summary>The local-process container runtime: lifecycle, labels and leases of real component processes.</summary>
[TestClass]
public sealed class LocalProcessRuntimeTests
{
    private static readonly TimeSpan LeaseCheckPeriod = TimeSpan.FromMilliseconds(200);
    private static LocalProcessContainerRuntime s_runtime = null!;

    [ClassInitialize]
    public static void CreateRuntime(TestContext context)
    {
        _ = context;
        s_runtime = SampleComponent.CreateRuntime(LeaseCheckPeriod);
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
    }

    [TestMethod]
    public async Task List_FindsProcessesByLabels()
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
    public async Task ExpiredLease_StopsTheUnrenewedProcess_AndKeepsTheRenewedOne()
    {
        var leaseDuration = TimeSpan.FromMilliseconds(1500);
        var abandoned = await s_runtime.StartAsync(SampleComponent.Request("echo", flow: "leases", step: "abandoned", leaseDuration: leaseDuration), CancellationToken.None);
        var held = await s_runtime.StartAsync(SampleComponent.Request("echo", flow: "leases", step: "held", leaseDuration: leaseDuration), CancellationToken.None);
        try
        {
            // The holder renews well before expiry, as a step grain's timer would; waiting for the abandoned
            // process to be stopped is the event this loop waits for, bounded.
            var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(6);
            while (ContainerProcesses.IsAlive(ContainerProcesses.Pid(abandoned.ContainerId)) && DateTimeOffset.UtcNow < deadline)
            {
                held = await s_runtime.RenewAsync(held, leaseDuration, CancellationToken.None);
                await Task.Delay(250);
            }

            Assert.IsFalse(ContainerProcesses.IsAlive(ContainerProcesses.Pid(abandoned.ContainerId)), "The unrenewed process outlived its lease.");
            Assert.IsTrue(await s_runtime.IsRunningAsync(held, CancellationToken.None), "The renewed process was stopped.");
            var renewAbandoned = await Assert.ThrowsExactlyAsync<InvalidOperationException>(
                () => s_runtime.RenewAsync(abandoned, leaseDuration, CancellationToken.None));
            Assert.Contains("is no longer held", renewAbandoned.Message);
        }
        finally
        {
            await Task.WhenAll(s_runtime.StopAsync(abandoned, CancellationToken.None), s_runtime.StopAsync(held, CancellationToken.None));
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
        Assert.EndsWith("more characters)", line.Message);
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

        var failure = await Assert.ThrowsExactlyAsync<InvalidOperationException>(() => s_runtime.StartAsync(request, CancellationToken.None));

        Assert.Contains("Component 'echo' revision 1 has no command", failure.Message);
        Assert.Contains("ComponentLaunch.Command", failure.Message);
    }
}
