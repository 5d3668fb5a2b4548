using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using FlowActors.Client;
using FlowActors.Silo.Samples;
using FlowActors.Tests.Infrastructure;

namespace FlowActors.Tests.Flows;

/// <summary>
/// A step's concurrency, end to end through real component processes: a step whose component waits (an outside API)
/// moves as many messages at once as it is allowed, loses none, keeps order when asked, and never sends its component
/// more at once than the component declares it takes.
/// </summary>
[TestClass]
public sealed class StepConcurrencyTests
{
    private const string InFlightHeader = "delay.inFlight"; // what the sample delay component reports
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private static FlowCluster s_cluster = null!;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static async Task StartClusterAsync(TestContext _)
    {
        s_cluster = await FlowCluster.StartAsync();
        await s_cluster.DeployAsync("transform", SampleDeployments.Transform());
        await s_cluster.DeployAsync("delay", SampleDeployments.Delay());
        await s_cluster.DeployAsync("echo", SampleDeployments.Echo());
        var delay = SampleDeployments.Delay();
        await s_cluster.DeployAsync("delay-four", delay with { Descriptor = delay.Descriptor with { MaxConcurrency = 4 } });
    }

    [ClassCleanup]
    public static async Task StopClusterAsync() => await s_cluster.DisposeAsync();

    /// <summary>shout → lookup (waits 20 ms, as <c>sample-realtime</c>'s does) → answer.</summary>
    private static FlowDefinition Waiting(string component = "delay", int? concurrency = null, bool? keepOrder = null) => FlowDefinition.Chain(
        "waiting step",
        new StepDefinition("shout", "transform", "uppercase", """{"field":"name"}"""),
        new StepDefinition("lookup", component, "delay", """{"ms":20}""", Concurrency: concurrency, KeepOrder: keepOrder),
        new StepDefinition("answer", "echo", "echo"));

    [TestMethod]
    public async Task RealtimeStepThatWaits20Ms_WithConcurrency_MovesTenTimesItsSerialRate_LosingNothing()
    {
        var serial = await RunAsync(Waiting(keepOrder: true), messages: 40, senders: 1);
        var parallel = await RunAsync(Waiting(concurrency: 64), messages: 800, senders: 8);

        TestContext.WriteLine($"serial (keepOrder) {serial.PerSecond:0} msg/s; concurrency 64 {parallel.PerSecond:0} msg/s, at most {parallel.MostInFlight} at once");
        Assert.AreEqual(1, serial.MostInFlight, "keepOrder: one message at a time");
        Assert.IsGreaterThan(1, parallel.MostInFlight, "concurrency: several messages at once");
        Assert.IsLessThanOrEqualTo(64, parallel.MostInFlight);
        Assert.IsGreaterThanOrEqualTo(10 * serial.PerSecond, parallel.PerSecond,
            $"serial {serial.PerSecond:0} msg/s, with concurrency 64 {parallel.PerSecond:0} msg/s");
    }

    [TestMethod]
    public async Task RealtimeStep_WithKeepOrder_HandsItsComponentOneMessageAtATime_AndOutputsInOrder()
    {
        var run = await RunAsync(Waiting(keepOrder: true), messages: 30, senders: 1);

        Assert.AreEqual(1, run.MostInFlight);
        CollectionAssert.AreEqual(run.Sent, run.Outputs.Select(o => o.ExecutionId).ToList(), "in the order they were sent");
    }

    [TestMethod]
    public async Task RealtimeStep_NeverSendsItsComponentMoreThanItDeclares()
    {
        // The step asks for nothing (the silo's default, 16); the component declares it takes 4 at once.
        var run = await RunAsync(Waiting(component: "delay-four"), messages: 200, senders: 4);

        Assert.AreEqual(4, run.MostInFlight, "as many as the component takes, and no more");
    }

    [TestMethod]
    public async Task Step_AskingForMoreThanItsComponentDeclares_IsRefusedNamingTheField()
    {
        var flow = s_cluster.Flow($"f{Guid.NewGuid():N}"[..20]);

        var refused = await Assert.ThrowsExactlyAsync<FlowValidationException>(() => flow.SaveDraftAsync(Waiting(component: "delay-four", concurrency: 8)));

        var error = refused.Errors.Single();
        Assert.AreEqual("steps[1].concurrency", error.Field);
        StringAssert.Contains(error.Message, "accepts at most 4");
    }

    private sealed record Run(double PerSecond, int MostInFlight, List<string> Sent, IReadOnlyList<FlowEvent> Outputs);

    /// <summary>Sends <paramref name="messages"/> through a running flow and times them from the first send to the last output.</summary>
    private static async Task<Run> RunAsync(FlowDefinition definition, int messages, int senders)
    {
        await using var running = await s_cluster.StartRealtimeFlowAsync(definition, Wait);
        var (flowId, events) = running;
        var flow = s_cluster.Flow(flowId);
        var sent = new List<string>[senders];
        var receiving = events.WaitForAsync(messages, _ => true, Wait);

        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, senders).Select(sender => Task.Run(async () =>
        {
            sent[sender] = [];
            for (var i = sender; i < messages; i += senders)
            {
                sent[sender].Add(await flow.SendAsync(FlowMessage.Create($$"""{"name":"n{{i}}"}""")));
            }
        })));
        var outputs = await receiving;
        var elapsed = Stopwatch.GetElapsedTime(started);
        await flow.StopAsync();

        // Nothing lost, nothing twice: one output per execution sent.
        Assert.IsTrue(outputs.All(o => o.Kind == FlowEventKind.Output), string.Join("; ", outputs.Where(o => o.Error is not null).Take(3).Select(o => o.Error)));
        var all = sent.SelectMany(s => s).ToList();
        CollectionAssert.AreEquivalent(all, outputs.Select(o => o.ExecutionId).ToList());
        Assert.IsTrue(outputs.All(o => JsonDocument.Parse(o.Message!.Body).RootElement.GetProperty("name").GetString()!.StartsWith('N')));

        var mostInFlight = outputs.Max(o => int.Parse(o.Message!.Headers[InFlightHeader], CultureInfo.InvariantCulture));
        return new Run(messages / elapsed.TotalSeconds, mostInFlight, senders == 1 ? sent[0] : all, outputs);
    }
}
