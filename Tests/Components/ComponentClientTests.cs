using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using FlowActors.Client;
using FlowActors.ComponentProtocol;
using FlowActors.Containers;
using FlowActors.Grains.Components.Protocol;

namespace FlowActors.Tests.Components;

/// <summary>The platform side of the component protocol, without a component process.</summary>
[TestClass]
public sealed class ComponentClientTests
{
    [TestMethod]
    public void InvokeRequest_WrittenFromAFlowMessage_ReadsBackAsTheProtocolRequest()
    {
        var message = FlowMessage.Create("""{"name":"ada","tags":["x"]}""", new Dictionary<string, string> { ["x-id"] = "7" });
        var buffer = new ArrayBufferWriter<byte>();

        InvokeRequestWriter.Write(buffer, "uppercase", message, """{"field":"name"}""", null);
        var request = JsonSerializer.Deserialize(buffer.WrittenSpan, ProtocolJson.Default.InvokeRequest)!;

        Assert.AreEqual("uppercase", request.Action);
        Assert.AreEqual(message.Id, request.Message.Id);
        Assert.AreEqual(message.ExecutionId, request.Message.ExecutionId);
        Assert.AreEqual("""{"name":"ada","tags":["x"]}""", request.Message.Body.GetRawText());
        Assert.AreEqual("7", request.Message.Headers!["x-id"]);
        Assert.AreEqual("name", request.Configuration!.Value.GetProperty("field").GetString());
        Assert.IsNull(request.Snapshot);
    }

    [TestMethod]
    public void InvokeBatchRequest_WrittenFromFlowMessages_ReadsBackAsTheProtocolRequest_InOrder()
    {
        FlowMessage[] messages = [FlowMessage.Create("""{"n":1}"""), FlowMessage.Create("[2]", new Dictionary<string, string> { ["x-id"] = "7" })];
        var buffer = new ArrayBufferWriter<byte>();

        InvokeRequestWriter.WriteBatch(buffer, "echo", messages, null, """{"seen":3}""");
        var request = JsonSerializer.Deserialize(buffer.WrittenSpan, ProtocolJson.Default.InvokeBatchRequest)!;

        Assert.AreEqual("echo", request.Action);
        CollectionAssert.AreEqual(messages.Select(m => m.Id).ToArray(), request.Messages.Select(m => m.Id).ToArray());
        Assert.AreEqual("""{"n":1}""", request.Messages[0].Body.GetRawText());
        Assert.AreEqual("7", request.Messages[1].Headers!["x-id"]);
        Assert.IsNull(request.Configuration);
        Assert.AreEqual(3, request.Snapshot!.Value.GetProperty("seen").GetInt32());
    }

    [TestMethod]
    public void InvokeBatchRequest_CarriesEachMessagesTraceParent_ForBatchesMixExecutions()
    {
        FlowMessage[] messages =
        [
            FlowMessage.Create("{}") with { TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" },
            FlowMessage.Create("{}") with { TraceParent = null },
            FlowMessage.Create("{}") with { TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00" },
        ];
        var buffer = new ArrayBufferWriter<byte>();

        InvokeRequestWriter.WriteBatch(buffer, "echo", messages, null, null);
        var request = JsonSerializer.Deserialize(buffer.WrittenSpan, ProtocolJson.Default.InvokeBatchRequest)!;

        CollectionAssert.AreEqual(messages.Select(m => m.TraceParent).ToArray(), request.Messages.Select(m => m.TraceParent).ToArray());
    }

    [TestMethod]
    public async Task Invoke_SendsTheMessagesTraceParent_AndNeverTheCurrentActivitys()
    {
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == "FlowActors.Tests",
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        using var source = new System.Diagnostics.ActivitySource("FlowActors.Tests");
        using var unrelated = source.StartActivity("something else the grain was doing");
        Assert.IsNotNull(unrelated);
        using var client = SampleComponent.CreateClient();

        var traced = FlowMessage.Create("{}") with { TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" };
        CollectionAssert.AreEqual(new[] { traced.TraceParent }, await TraceParentsSentAsync(client, traced), "one traceparent header: the message's");

        var untraced = FlowMessage.Create("{}") with { TraceParent = null };
        Assert.IsNull(await TraceParentsSentAsync(client, untraced), "no context of its own: none, rather than the current activity's");
    }

    /// <summary>The <c>traceparent</c> headers a one-shot component on loopback receives with the call.</summary>
    private static async Task<string[]?> TraceParentsSentAsync(ComponentClient client, FlowMessage message)
    {
        var port = ClosedPort();
        using var component = new HttpListener { Prefixes = { $"http://127.0.0.1:{port}/" } };
        component.Start();
        var received = Task.Run(async () =>
        {
            var context = await component.GetContextAsync();
            var headers = context.Request.Headers.GetValues("traceparent");
            await context.Request.InputStream.CopyToAsync(Stream.Null);
            context.Response.StatusCode = 200;
            await context.Response.OutputStream.WriteAsync("""{"emits":[]}"""u8.ToArray());
            context.Response.Close();
            return headers;
        });
        await client.InvokeAsync(new Uri($"http://127.0.0.1:{port}/"), "echo", message, null, null, TimeSpan.FromSeconds(5), CancellationToken.None);
        return await received;
    }

    [TestMethod]
    public void InvokeRequest_WithABodyThatIsNotJson_FailsNamingTheMessage()
    {
        var message = FlowMessage.Create("{not json");

        var failure = Assert.ThrowsExactly<ArgumentException>(
            () => InvokeRequestWriter.Write(new ArrayBufferWriter<byte>(), "echo", message, null, null));

        Assert.Contains($"The body of message '{message.Id}' is not JSON", failure.Message);
    }

    [TestMethod]
    public async Task Invoke_WhereNothingListens_IsUnreachable()
    {
        using var client = SampleComponent.CreateClient();
        var endpoint = new Uri($"http://127.0.0.1:{ClosedPort()}/");

        var failure = await Assert.ThrowsExactlyAsync<ComponentInvocationException>(
            () => client.InvokeAsync(endpoint, "echo", FlowMessage.Create("{}"), null, null, TimeSpan.FromSeconds(2), CancellationToken.None));

        Assert.AreEqual(ComponentFailure.Unreachable, failure.Failure);
        Assert.Contains("refused the connection", failure.Message);
        using var probe = new HealthProbe(TimeSpan.FromSeconds(1));
        Assert.IsFalse(await probe.IsHealthyAsync(endpoint, CancellationToken.None));
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
