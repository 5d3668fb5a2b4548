using System.Net;
using System.Net.Http.Json;
using FlowActors.Silo.Samples;
using FlowActors.TestSupport.Silos;
using FlowActors.Tests.Client;
using FlowActors.Tests.Infrastructure;

namespace FlowActors.Tests.Api;

/// <summary>
/// An HTTP send costs the flow grain one call: the API hands the message over, and the grain itself refuses a flow
/// that does not run (the refusals' answers are pinned by <see cref="HttpApiTests"/>). Counted in Orleans' own
/// grain-call spans, which the Silo process exports over OTLP to a receiver on loopback.
/// </summary>
[TestClass]
public sealed class MessageGrainCallsTests
{
    private const string Route = "/api/flows/{flowId}/messages";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [TestMethod]
    public async Task HttpSend_CallsTheFlowGrainOnce_WithAndWithoutWaiting()
    {
        await using var receiver = OtlpReceiver.Start();
        await using var silo = await SiloProcess.StartAsync(
            "--FlowActors:Telemetry:OrleansTracing=true",
            "--FlowActors:Telemetry:Otlp:Enabled=true",
            "--FlowActors:Telemetry:Otlp:Metrics=false",
            "--FlowActors:Telemetry:Otlp:Protocol=HttpProtobuf",
            $"--FlowActors:Telemetry:Otlp:Endpoint={receiver.Endpoint}v1/traces");
        foreach (var (id, deployment) in new[] { ("transform", SampleDeployments.Transform()), ("echo", SampleDeployments.Echo()) })
        {
            (await silo.Http.PostAsJsonAsync($"/api/components/{id}/revisions", deployment)).EnsureSuccessStatusCode();
        }

        var flowId = SdkFlows.NewId("calls");
        (await silo.Http.PutAsJsonAsync($"/api/flows/{flowId}/draft", SdkFlows.Shout())).EnsureSuccessStatusCode();
        (await silo.Http.PostAsync($"/api/flows/{flowId}/publish", null)).EnsureSuccessStatusCode();
        (await silo.Http.PostAsync($"/api/flows/{flowId}/start", null)).EnsureSuccessStatusCode();

        using var sent = await silo.Http.PostAsync($"/api/flows/{flowId}/messages", HttpApiTests.Json("""{"name":"ada"}"""));
        Assert.AreEqual(HttpStatusCode.Accepted, sent.StatusCode, await sent.Content.ReadAsStringAsync());
        using var waited = await silo.Http.PostAsync($"/api/flows/{flowId}/messages?wait=true&timeout=30", HttpApiTests.Json("""{"name":"grace"}"""));
        Assert.AreEqual(HttpStatusCode.OK, waited.StatusCode, await waited.Content.ReadAsStringAsync());

        // A request's span ends after the grain calls it made, so once both are in, so are their calls.
        var spans = await receiver.WaitForAsync(s => s.Count(IsSend) == 2, Wait, "the spans of both sends");
        foreach (var send in spans.Where(IsSend))
        {
            var flowCalls = spans
                .Where(s => s.TraceId == send.TraceId && s.ParentSpanId == send.SpanId && s.Name.Contains("IFlowGrain/", StringComparison.Ordinal))
                .Select(s => s.Name[(s.Name.LastIndexOf('.') + 1)..])
                .ToArray();
            CollectionAssert.AreEqual(new[] { "IFlowGrain/SendAsync" }, flowCalls,
                $"the flow grain calls of {send.Name} (trace {send.TraceId}): {string.Join(", ", flowCalls)}");
        }
    }

    private static bool IsSend(ReceivedSpan span) => span.Attribute("http.route") == Route;
}
