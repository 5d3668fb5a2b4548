using System.Diagnostics;
using FlowActors.Grains.Interfaces.Components;
using FlowActors.Grains.Interfaces.Flows;
using FlowActors.Grains.Interfaces.Messages;
using FlowActors.Silo.Samples;
using FlowActors.Telemetry;
using FlowActors.Tests.Flows;
using FlowActors.Tests.Infrastructure;
using OpenTelemetry.Trace;

namespace FlowActors.Tests.Telemetry;

/// <summary>
/// One trace per execution, across processes: the silo's spans through OpenTelemetry's in-memory exporter, the
/// components' spans from the real component processes, which export over OTLP/HTTP to a receiver on loopback.
/// </summary>
/// <remarks>
/// What the trace holds now: <c>send {flow}</c> (the execution enters the flow) and, under it, one
/// <c>invoke {action}</c> server span per step from that step's component process. The step hop's instrumentation
/// (Grains/Steps, to come) adds <c>process {step}</c> under <c>send</c>, with <c>wait {step}</c>, <c>invoke {action}</c>
/// (client) and <c>publish {step}</c> under it; the component's span then hangs under that client span.
/// <see cref="AssertTraceAsync"/> marks the two lines that change.
/// </remarks>
[TestClass]
[TestCategory("Telemetry")]
public sealed class TracingTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly string[] Steps = ["shout", "lookup", "answer"];
    private static readonly string[] Actions = ["uppercase", "delay", "echo"];

    private static FlowCluster s_cluster = null!;
    private static OtlpReceiver s_receiver = null!;
    private static TracerProvider s_tracing = null!;
    private static readonly SpanCollection Silo = new();

    [ClassInitialize]
    public static async Task StartAsync(TestContext _)
    {
        s_receiver = OtlpReceiver.Start();
        s_tracing = OpenTelemetry.Sdk.CreateTracerProviderBuilder().AddSource(TelemetryNames.Source).AddInMemoryExporter(Silo).Build()!;
        s_cluster = await FlowCluster.StartAsync(idleTimeout: TimeSpan.FromSeconds(5));
        await s_cluster.DeployAsync("transform", Traced(SampleDeployments.Transform()));
        await s_cluster.DeployAsync("delay", Traced(SampleDeployments.Delay()));
        await s_cluster.DeployAsync("echo", Traced(SampleDeployments.Echo()));
    }

    [ClassCleanup]
    public static async Task StopAsync()
    {
        await s_cluster.DisposeAsync();
        s_tracing.Dispose();
        await s_receiver.DisposeAsync();
    }

    [TestMethod]
    public async Task RealtimeFlow_EachExecutionIsOneTrace_WithEveryStepsComponentSpan()
    {
        await using var flow = await s_cluster.StartRealtimeFlowAsync(SampleFlows.ThreeSteps(), Wait);

        // Sent together, so that steps take them in batches: each message must still keep its own trace.
        var executions = await Task.WhenAll(Enumerable.Range(0, 3).Select(i =>
            s_cluster.Flow(flow.FlowId).SendAsync(FlowMessage.Create($$"""{"name":"rt{{i}}"}"""))));
        await flow.Events.WaitForAsync(executions.Length, e => executions.Contains(e.ExecutionId) && e.Kind == FlowEventKind.Output, Wait);

        await AssertTracesAsync(flow.FlowId, executions);
        await s_cluster.Flow(flow.FlowId).StopAsync();
    }

    [TestMethod]
    public async Task OrdinaryFlow_EachExecutionIsOneTrace_WithEveryStepsComponentSpan()
    {
        var flowId = await s_cluster.CreateFlowAsync(SampleFlows.ThreeSteps(), FlowMode.Ordinary);
        await using var events = await s_cluster.SubscribeAsync(flowId);
        await s_cluster.Flow(flowId).StartAsync();

        var executions = new List<string>();
        foreach (var name in new[] { "ada", "grace" })
        {
            var execution = await s_cluster.Flow(flowId).SendAsync(FlowMessage.Create($$"""{"name":"{{name}}"}"""));
            await events.WaitForAsync(1, e => e.ExecutionId == execution && e.Kind == FlowEventKind.Output, Wait);
            executions.Add(execution);
        }

        await AssertTracesAsync(flowId, executions);
        await s_cluster.Flow(flowId).StopAsync();
    }

    private static async Task AssertTracesAsync(string flowId, IReadOnlyCollection<string> executions)
    {
        var traces = new HashSet<string>();
        foreach (var execution in executions)
        {
            traces.Add(await AssertTraceAsync(flowId, execution));
        }

        Assert.HasCount(executions.Count, traces, "every execution has a trace of its own");
    }

    /// <summary>Checks one execution's trace and returns its id.</summary>
    private static async Task<string> AssertTraceAsync(string flowId, string execution)
    {
        var send = Silo.Snapshot().SingleOrDefault(s => Tag(s, TelemetryNames.Attributes.ExecutionId) == execution)
            ?? throw new AssertFailedException($"No silo span for execution {execution}; the silo recorded: {string.Join(", ", Silo.Snapshot().Select(s => s.DisplayName))}");
        Assert.AreEqual($"send {flowId}", send.DisplayName);
        Assert.AreEqual(ActivityKind.Producer, send.Kind);
        Assert.AreEqual(flowId, Tag(send, TelemetryNames.Attributes.FlowId));
        var traceId = send.TraceId.ToHexString();

        var components = await s_receiver.WaitForAsync(
            spans => spans.Count(s => s.Attribute(TelemetryNames.Attributes.ExecutionId) == execution) >= Steps.Length,
            Wait, $"a component span per step of execution {execution}");
        var ofExecution = components.Where(s => s.Attribute(TelemetryNames.Attributes.ExecutionId) == execution).ToArray();

        CollectionAssert.AreEquivalent(Steps, ofExecution.Select(s => s.Attribute(TelemetryNames.Attributes.StepId)).ToArray(),
            "one span from each step's component process, naming its step");
        CollectionAssert.AreEquivalent(Actions.Select(a => $"invoke {a}").ToArray(), ofExecution.Select(s => s.Name).ToArray());
        foreach (var span in ofExecution)
        {
            Assert.AreEqual(flowId, span.Attribute(TelemetryNames.Attributes.FlowId), "the component knows its flow");
            Assert.AreEqual(2, span.Kind, "a server span (OTLP SPAN_KIND_SERVER)"); // the component serves the platform's call
            Assert.AreEqual(traceId, span.TraceId, $"{span.Name} of step {span.Attribute(TelemetryNames.Attributes.StepId)} is in the execution's trace");

            // The step hop's instrumentation changes these two lines: the parent becomes the step's "invoke {action}" client
            // span, under "process {step}" under "send". Until the steps record their hops, the message's traceparent is "send".
            Assert.AreEqual(send.SpanId.ToHexString(), span.ParentSpanId, $"{span.Name} hangs under the execution's span");
            Assert.IsFalse(Silo.Snapshot().Any(s => s.DisplayName.StartsWith("process ", StringComparison.Ordinal)), "no hop spans yet: the steps do not record them");
        }

        return traceId;
    }

    private static string? Tag(Activity activity, string name) => activity.GetTagItem(name) as string;

    /// <summary>The deployment, with the environment that points the component's exporter at the receiver.</summary>
    private static ComponentDeployment Traced(ComponentDeployment deployment) => deployment with
    {
        Launch = deployment.Launch with
        {
            Environment = new Dictionary<string, string>(deployment.Launch.Environment.Concat(s_receiver.ExporterEnvironment)),
        },
    };
}
