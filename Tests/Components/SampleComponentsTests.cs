using System.Diagnostics;
using System.Text.Json;
using FlowActors.Client;
using FlowActors.ComponentProtocol;
using FlowActors.Containers.Processes;
using FlowActors.Grains.Components.Protocol;
using FlowActors.Grains.Interfaces.Containers;
using FlowActors.TestSupport.Processes;

namespace FlowActors.Tests.Components;

/// <summary>The sample components, run as real processes and called through the platform's ComponentClient.</summary>
[TestClass]
public sealed class SampleComponentsTests(TestContext testContext)
{
    private static ComponentClient s_client = null!;
    private static LocalProcessContainerRuntime s_runtime = null!;
    private static ContainerLease s_transform = null!;
    private static ContainerLease s_delay = null!;
    private static ContainerLease s_faulty = null!;
    private static ContainerLease s_echo = null!;

    [ClassInitialize]
    public static async Task StartComponentsAsync(TestContext context)
    {
        s_client = SampleComponent.CreateClient();
        s_runtime = SampleComponent.CreateRuntime();
        var started = await Task.WhenAll(
            SampleComponent.StartHealthyAsync(s_runtime, SampleComponent.Request("transform")),
            SampleComponent.StartHealthyAsync(s_runtime, SampleComponent.Request("delay", configuration: """{"ms":300}""")),
            SampleComponent.StartHealthyAsync(s_runtime, SampleComponent.Request("faulty")),
            SampleComponent.StartHealthyAsync(s_runtime, SampleComponent.Request("echo")));
        (s_transform, s_delay, s_faulty, s_echo) = (started[0].Lease, started[1].Lease, started[2].Lease, started[3].Lease);
        context.WriteLine($"Start to healthy, 4 processes at once: {string.Join(", ", started.Select(s => $"{s.Ready.TotalMilliseconds:0} ms"))}");
    }

    [ClassCleanup]
    public static async Task StopComponentsAsync()
    {
        await s_runtime.DisposeAsync();
        s_client.Dispose();
    }

    [TestMethod]
    public async Task Transform_UppercasesConfiguredField()
    {
        var emits = await InvokeAsync(s_transform, "uppercase", """{"name":"ada","city":"paris","age":36}""", """{"field":"name"}""");

        var body = SingleData(emits);
        Assert.AreEqual("ADA", body.GetProperty("name").GetString());
        Assert.AreEqual("paris", body.GetProperty("city").GetString());
        Assert.AreEqual(36, body.GetProperty("age").GetInt32());
        Assert.IsFalse(body.TryGetProperty("tag", out _), "No FLOWACTORS_TAG was set, so no tag is expected.");
    }

    [TestMethod]
    public async Task Transform_UppercasesEveryStringField_WhenNoFieldIsConfigured()
    {
        var emits = await InvokeAsync(s_transform, "uppercase", """{"name":"ada","city":"paris","age":36}""");

        var body = SingleData(emits);
        Assert.AreEqual("ADA", body.GetProperty("name").GetString());
        Assert.AreEqual("PARIS", body.GetProperty("city").GetString());
        Assert.AreEqual(36, body.GetProperty("age").GetInt32());
    }

    [TestMethod]
    public async Task Transform_TagsItsOutput_WhenTheRevisionSetsATag()
    {
        var request = SampleComponent.Request("transform", step: "tagged", environment: new Dictionary<string, string> { ["FLOWACTORS_TAG"] = "rev-2" });
        var (lease, ready) = await SampleComponent.StartHealthyAsync(s_runtime, request);
        testContext.WriteLine($"Start to healthy, one process: {ready.TotalMilliseconds:0} ms");
        try
        {
            var body = SingleData(await InvokeAsync(lease, "uppercase", """{"name":"ada"}"""));

            Assert.AreEqual("ADA", body.GetProperty("name").GetString());
            Assert.AreEqual("rev-2", body.GetProperty("tag").GetString());
        }
        finally
        {
            await s_runtime.StopAsync(lease, CancellationToken.None);
        }
    }

    [TestMethod]
    public async Task Delay_PassesTheBodyOn_AfterTheConfiguredDelay()
    {
        var clock = Stopwatch.StartNew();
        var emits = await InvokeAsync(s_delay, "delay", """{"order":42}""", """{"ms":300}""");

        Assert.IsGreaterThanOrEqualTo(300, clock.ElapsedMilliseconds);
        Assert.AreEqual(42, SingleData(emits).GetProperty("order").GetInt32());
    }

    [TestMethod]
    public async Task Faulty_PassesTheBodyOn_WhenToldNotToFail()
    {
        var body = SingleData(await InvokeAsync(s_faulty, "maybeFail", """{"fail":"no","n":1}"""));

        Assert.AreEqual(1, body.GetProperty("n").GetInt32());
    }

    [TestMethod]
    public async Task Faulty_Error_EmitsAnError()
    {
        var emits = await InvokeAsync(s_faulty, "maybeFail", """{"fail":"error"}""");

        Assert.HasCount(1, emits);
        Assert.AreEqual(EmitKinds.Error, emits[0].Kind);
        Assert.Contains("on purpose", emits[0].Error!);
    }

    [TestMethod]
    public async Task Faulty_Hang_TimesOut()
    {
        var clock = Stopwatch.StartNew();
        var failure = await Assert.ThrowsExactlyAsync<ComponentInvocationException>(
            () => InvokeAsync(s_faulty, "maybeFail", """{"fail":"hang"}""", timeout: TimeSpan.FromSeconds(1)));

        Assert.AreEqual(ComponentFailure.Timeout, failure.Failure);
        Assert.Contains("did not answer within 1s", failure.Message);
        Assert.IsLessThan(3000, clock.ElapsedMilliseconds);
        Assert.IsTrue(await s_runtime.ProbeAsync(s_faulty, CancellationToken.None), "A hung call must not take the component down.");
    }

    [TestMethod]
    public async Task Faulty_Garbage_IsAMalformedReply()
    {
        var failure = await Assert.ThrowsExactlyAsync<ComponentInvocationException>(
            () => InvokeAsync(s_faulty, "maybeFail", """{"fail":"garbage"}"""));

        Assert.AreEqual(ComponentFailure.MalformedReply, failure.Failure);
        Assert.Contains("not a protocol reply: <html>", failure.Message);
    }

    [TestMethod]
    public async Task Faulty_Crash_IsUnreachable_AndTheProcessIsGone()
    {
        var (lease, _) = await SampleComponent.StartHealthyAsync(s_runtime, SampleComponent.Request("faulty", step: "crashing"));
        try
        {
            var failure = await Assert.ThrowsExactlyAsync<ComponentInvocationException>(
                () => InvokeAsync(lease, "maybeFail", """{"fail":"crash"}"""));

            testContext.WriteLine(failure.Message);
            Assert.AreEqual(ComponentFailure.Unreachable, failure.Failure, failure.Message);

            // The kernel closes a dying process's sockets a moment before the process is gone: wait for the exit.
            await ContainerProcesses.WaitForExitAsync([ContainerProcesses.Pid(lease.ContainerId)], TimeSpan.FromSeconds(10));
            Assert.IsFalse(await s_runtime.IsRunningAsync(lease, CancellationToken.None));
        }
        finally
        {
            await s_runtime.StopAsync(lease, CancellationToken.None);
        }
    }

    [TestMethod]
    public async Task UnknownAction_IsABadStatus_NamingTheActionAndTheKnownOnes()
    {
        var failure = await Assert.ThrowsExactlyAsync<ComponentInvocationException>(
            () => InvokeAsync(s_transform, "lowercase", """{"name":"ADA"}"""));

        Assert.AreEqual(ComponentFailure.BadStatus, failure.Failure);
        Assert.Contains("answered 400", failure.Message);
        Assert.Contains("Unknown action 'lowercase'. This component serves: uppercase.", failure.Message);
    }

    [TestMethod]
    public async Task Echo_Reply_EmitsAnHttpReplyWithTheBody()
    {
        var emits = await InvokeAsync(s_echo, "reply", """{"ok":true}""");

        Assert.HasCount(1, emits);
        Assert.AreEqual(EmitKinds.HttpReply, emits[0].Kind);
        Assert.AreEqual(200, emits[0].Status);
        Assert.IsTrue(emits[0].Body!.Value.GetProperty("ok").GetBoolean());
    }

    [TestMethod]
    public async Task Echo_PassesTheMessageOnUnchanged_WithItsHeaders()
    {
        var message = FlowMessage.Create("""{"a":[1,2,{"b":null}]}""", new Dictionary<string, string> { ["x-request"] = "7" });
        var emits = await s_client.InvokeAsync(s_echo.Endpoint, "echo", message, null, null, SampleComponent.CallTimeout, CancellationToken.None);

        Assert.HasCount(1, emits);
        Assert.AreEqual("""{"a":[1,2,{"b":null}]}""", emits[0].Body!.Value.GetRawText());
        Assert.AreEqual("7", emits[0].Headers!["x-request"]);
    }

    [TestMethod]
    public async Task Batch_ReturnsOneResultPerMessage_InTheirOrder()
    {
        var messages = Enumerable.Range(0, 5).Select(i => FlowMessage.Create($$"""{"n":{{i}}}""")).ToArray();

        var results = await s_client.InvokeBatchAsync(s_echo.Endpoint, "echo", messages, null, null, SampleComponent.CallTimeout, CancellationToken.None);

        Assert.HasCount(5, results);
        for (var i = 0; i < results.Count; i++)
        {
            Assert.AreEqual(i, SingleData(results[i]).GetProperty("n").GetInt32());
        }
    }

    [TestMethod]
    public async Task Batch_RunsOneMessageAtATime_UnlessToldItMayRunMore_AndAnswersInOrderEitherWay()
    {
        var (delay, _) = await SampleComponent.StartHealthyAsync(s_runtime, SampleComponent.Request("delay", step: "concurrent"));
        var (pooled, _) = await SampleComponent.StartHealthyAsync(s_runtime, SampleComponent.Request("delay", step: "pooled",
            environment: new Dictionary<string, string> { ["SAMPLE_MAX_CONCURRENCY"] = "2" }));
        // New ids for every call: the SDK answers a message id it completed lately from memory.
        FlowMessage[] Messages() => [.. Enumerable.Range(0, 8).Select(i => FlowMessage.Create($$"""{"n":{{i}}}"""))];

        var serial = await s_client.InvokeBatchAsync(delay.Endpoint, "delay", Messages(), """{"ms":50}""", null, SampleComponent.CallTimeout, CancellationToken.None);
        var four = await s_client.InvokeBatchAsync(delay.Endpoint, "delay", Messages(), """{"ms":50}""", null, SampleComponent.CallTimeout, CancellationToken.None, concurrency: 4);
        var capped = await s_client.InvokeBatchAsync(pooled.Endpoint, "delay", Messages(), """{"ms":50}""", null, SampleComponent.CallTimeout, CancellationToken.None, concurrency: 8);

        Assert.AreEqual(1, MostInFlight(serial));
        Assert.AreEqual(4, MostInFlight(four));
        Assert.AreEqual(2, MostInFlight(capped), "the component's own maximum holds whatever the call allows");
        foreach (var results in new[] { serial, four, capped })
        {
            CollectionAssert.AreEqual(Enumerable.Range(0, 8).ToArray(), results.Select(r => SingleData(r).GetProperty("n").GetInt32()).ToArray());
        }

        static int MostInFlight(IReadOnlyList<IReadOnlyList<Emit>> results) =>
            results.Max(r => int.Parse(r.Single().Headers!["delay.inFlight"], System.Globalization.CultureInfo.InvariantCulture));
    }

    [TestMethod]
    public async Task Batch_ThrowingHandler_FailsOnlyItsMessage()
    {
        FlowMessage[] messages = [FlowMessage.Create("""{"n":0}"""), FlowMessage.Create("""{"fail":"throw"}"""), FlowMessage.Create("""{"n":2}""")];

        var results = await s_client.InvokeBatchAsync(s_faulty.Endpoint, "maybeFail", messages, null, null, SampleComponent.CallTimeout, CancellationToken.None);

        Assert.HasCount(3, results);
        Assert.AreEqual(0, SingleData(results[0]).GetProperty("n").GetInt32());
        Assert.HasCount(1, results[1]);
        Assert.AreEqual(EmitKinds.Error, results[1][0].Kind);
        Assert.Contains("InvalidOperationException: The faulty component threw on purpose", results[1][0].Error!);
        Assert.AreEqual(2, SingleData(results[2]).GetProperty("n").GetInt32());
    }

    [TestMethod]
    public async Task Batch_UnknownAction_IsABadStatus_LikeASingleCall()
    {
        var failure = await Assert.ThrowsExactlyAsync<ComponentInvocationException>(
            () => s_client.InvokeBatchAsync(s_transform.Endpoint, "lowercase", [FlowMessage.Create("{}"), FlowMessage.Create("{}")], null, null, SampleComponent.CallTimeout, CancellationToken.None));

        Assert.AreEqual(ComponentFailure.BadStatus, failure.Failure);
        Assert.Contains("Unknown action 'lowercase'", failure.Message);
    }

    private static Task<IReadOnlyList<Emit>> InvokeAsync(
        ContainerLease lease, string action, string body, string? configuration = null, TimeSpan? timeout = null) =>
        s_client.InvokeAsync(lease.Endpoint, action, FlowMessage.Create(body), configuration, null, timeout ?? SampleComponent.CallTimeout, CancellationToken.None);

    private static JsonElement SingleData(IReadOnlyList<Emit> emits)
    {
        Assert.HasCount(1, emits);
        Assert.AreEqual(EmitKinds.Data, emits[0].Kind, emits[0].Error);
        return emits[0].Body!.Value;
    }
}
