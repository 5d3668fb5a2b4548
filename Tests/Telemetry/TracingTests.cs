using System.Diagnostics;
using FlowActors.Client;
using FlowActors.Containers.Isolation;
using FlowActors.Silo.Samples;
using FlowActors.Telemetry;
using FlowActors.Tests.Flows;
using FlowActors.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace FlowActors.Tests.Telemetry;

/// <summary>
/// One trace per execution, across processes: the silo's spans through OpenTelemetry's in-memory exporter, the
/// components' spans from the real component processes, which export over OTLP/HTTP to a receiver on loopback.
/// </summary>
/// <remarks>
/// An execution's trace: <c>send {flow}</c> (the execution enters the flow); under it <c>process {step}</c> of the first
/// step, each next step's <c>process</c> under the previous one's (the message it got came out of that hop); under each
/// <c>process</c> an <c>invoke {action}</c> client span, the component process's <c>invoke {action}</c> server span under
/// that, and <c>publish {step}</c>; a real-time step adds <c>wait {step}</c>, its message's time in the inbox.
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
        // The component processes export to the receiver on this machine's loopback, which an isolated component (a
        // network namespace of its own) cannot reach: what an operator does about that is in docs/observability.md.
        s_cluster = await FlowCluster.StartAsync(
            idleTimeout: TimeSpan.FromSeconds(5),
            configure: silo => silo.Services.Configure<ComponentIsolationOptions>(o => o.Mode = ComponentIsolationMode.Off));
        await s_cluster.DeployAsync("transform", Traced(SampleDeployments.Transform()));
        await s_cluster.DeployAsync("delay", Traced(SampleDeployments.Delay()));
        await s_cluster.DeployAsync("echo", Traced(SampleDeployments.Echo()));
        await s_cluster.DeployAsync("faulty", SampleDeployments.Faulty());
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

        await AssertTracesAsync(flow.FlowId, executions, realtime: true);
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

        await AssertTracesAsync(flowId, executions, realtime: false);
        await s_cluster.Flow(flowId).StopAsync();
    }

    [TestMethod]
    [DataRow(FlowMode.Realtime)]
    [DataRow(FlowMode.Ordinary)]
    public async Task FailedHop_IsAFailedSpan_AndItsLogLineNamesTheExecutionAndTrace(FlowMode mode)
    {
        var flowId = await s_cluster.CreateFlowAsync(SampleFlows.WithFaultyStep(), mode);
        await using var events = await s_cluster.SubscribeAsync(flowId);
        await s_cluster.Flow(flowId).StartAsync();
        await s_cluster.WaitForLifecycleAsync(flowId, FlowLifecycle.Running, Wait);

        // A reply the component cannot have meant: the step logs the failure of this execution's hop.
        var execution = await s_cluster.Flow(flowId).SendAsync(FlowMessage.Create("""{"fail":"garbage"}"""));
        await events.WaitForAsync(1, e => e.ExecutionId == execution && e.Kind == FlowEventKind.Error, Wait);

        var send = Silo.Snapshot().Single(s => s.DisplayName == $"send {flowId}" && Tag(s, TelemetryNames.Attributes.ExecutionId) == execution);
        var spans = await WaitForSiloAsync(
            spans => spans.Any(s => s.TraceId == send.TraceId && s.DisplayName == "process check" && s.Status == ActivityStatusCode.Error),
            $"the failed hop of execution {execution}");
        // A failed call is retried (the cluster allows 3 tries): each try is a hop of its own; the one that gives up fails.
        var check = spans.Last(s => s.TraceId == send.TraceId && s.DisplayName == "process check" && s.Status == ActivityStatusCode.Error);
        StringAssert.Contains(check.StatusDescription, "Step 'check'");
        Assert.IsFalse(spans.Any(s => s.TraceId == send.TraceId && s.DisplayName == "process after"), "the execution ended at its failed step");

        var failed = s_cluster.Logs.Entries.Where(e => e.Message.Contains($"failed execution {execution}", StringComparison.Ordinal)).ToArray();
        Assert.IsTrue(failed.Length > 0, "the failed tries are logged");
        foreach (var entry in failed)
        {
            CollectionAssert.Contains(entry.Scopes.ToArray(), $"Execution {execution} trace {send.TraceId.ToHexString()}");
        }
        await s_cluster.Flow(flowId).StopAsync();
    }

    private static async Task AssertTracesAsync(string flowId, IReadOnlyCollection<string> executions, bool realtime)
    {
        var traces = new HashSet<string>();
        foreach (var execution in executions)
        {
            traces.Add(await AssertTraceAsync(flowId, execution, realtime));
        }

        Assert.HasCount(executions.Count, traces, "every execution has a trace of its own");
    }

    /// <summary>Checks one execution's trace and returns its id.</summary>
    private static async Task<string> AssertTraceAsync(string flowId, string execution, bool realtime)
    {
        var send = Silo.Snapshot().SingleOrDefault(s => s.DisplayName.StartsWith("send ", StringComparison.Ordinal) && Tag(s, TelemetryNames.Attributes.ExecutionId) == execution)
            ?? throw new AssertFailedException($"No send span for execution {execution}; the silo recorded: {string.Join(", ", Silo.Snapshot().Select(s => s.DisplayName))}");
        Assert.AreEqual($"send {flowId}", send.DisplayName);
        Assert.AreEqual(ActivityKind.Producer, send.Kind);
        Assert.AreEqual(flowId, Tag(send, TelemetryNames.Attributes.FlowId));
        var traceId = send.TraceId.ToHexString();

        // A hop's spans end once its outputs are handed on, a moment after the next step (or the test) has them.
        var silo = await WaitForSiloAsync(
            spans => spans.Count(s => s.TraceId == send.TraceId && s.DisplayName.StartsWith("publish ", StringComparison.Ordinal)) >= Steps.Length
                && spans.Count(s => s.TraceId == send.TraceId && s.DisplayName.StartsWith("process ", StringComparison.Ordinal)) >= Steps.Length,
            $"the hop spans of execution {execution}");
        var ofTrace = silo.Where(s => s.TraceId == send.TraceId).ToArray();

        var components = await s_receiver.WaitForAsync(
            spans => spans.Count(s => s.Attribute(TelemetryNames.Attributes.ExecutionId) == execution) >= Steps.Length,
            Wait, $"a component span per step of execution {execution}");
        var ofExecution = components.Where(s => s.Attribute(TelemetryNames.Attributes.ExecutionId) == execution).ToArray();
        CollectionAssert.AreEquivalent(Steps, ofExecution.Select(s => s.Attribute(TelemetryNames.Attributes.StepId)).ToArray(),
            "one span from each step's component process, naming its step");

        var parent = send;
        for (var i = 0; i < Steps.Length; i++)
        {
            var step = Steps[i];
            var process = ofTrace.Single(s => s.DisplayName == $"process {step}");
            Assert.AreEqual(ActivityKind.Consumer, process.Kind);
            Assert.AreEqual(execution, Tag(process, TelemetryNames.Attributes.ExecutionId));
            Assert.AreEqual(parent.SpanId, process.ParentSpanId, $"process {step} hangs under {parent.DisplayName}");
            Assert.AreEqual(ActivityStatusCode.Unset, process.Status, $"process {step} did not fail");

            var invoke = ofTrace.Single(s => s.DisplayName == $"invoke {Actions[i]}");
            Assert.AreEqual(ActivityKind.Client, invoke.Kind);
            Assert.AreEqual(process.SpanId, invoke.ParentSpanId, $"the call to step {step}'s component is part of its hop");

            var publish = ofTrace.Single(s => s.DisplayName == $"publish {step}");
            Assert.AreEqual(process.SpanId, publish.ParentSpanId, $"publish {step} is part of its hop");
            Assert.AreEqual(realtime ? 1 : 0, ofTrace.Count(s => s.DisplayName == $"wait {step}" && s.ParentSpanId == process.SpanId),
                realtime ? "a real-time hop shows its inbox wait" : "an ordinary step has no inbox");

            var component = ofExecution.Single(s => s.Attribute(TelemetryNames.Attributes.StepId) == step);
            Assert.AreEqual($"invoke {Actions[i]}", component.Name);
            Assert.AreEqual(2, component.Kind, "a server span (OTLP SPAN_KIND_SERVER)"); // the component serves the platform's call
            Assert.AreEqual(flowId, component.Attribute(TelemetryNames.Attributes.FlowId), "the component knows its flow");
            Assert.AreEqual(traceId, component.TraceId, $"{component.Name} of step {step} is in the execution's trace");
            Assert.AreEqual(invoke.SpanId.ToHexString(), component.ParentSpanId, $"the component's span hangs under the silo's call of step {step}");

            parent = process;
        }

        return traceId;
    }

    private static async Task<Activity[]> WaitForSiloAsync(Func<Activity[], bool> predicate, string what)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var spans = Silo.Snapshot();
            if (predicate(spans))
            {
                return spans;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Waited {Wait.TotalSeconds:0} s for {what}; the silo recorded: {string.Join(", ", spans.Select(s => s.DisplayName))}");
            }

            await Task.Delay(50);
        }
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
