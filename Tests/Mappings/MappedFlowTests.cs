using System.Text.Json;
using FlowActors.Client;
using FlowActors.Grains.Interfaces.Executions;
using FlowActors.Silo.Samples;
using FlowActors.Tests.Infrastructure;

namespace FlowActors.Tests.Mappings;

/// <summary>Mappings, <c>each</c> and routed edges in running flows, on real component processes, in both modes.</summary>
[TestClass]
public sealed class MappedFlowTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static FlowCluster s_cluster = null!;

    [ClassInitialize]
    public static async Task StartClusterAsync(TestContext _)
    {
        s_cluster = await FlowCluster.StartAsync(idleTimeout: TimeSpan.FromSeconds(3));
        await s_cluster.DeployAsync("transform", SampleDeployments.Transform());
        await s_cluster.DeployAsync("echo", SampleDeployments.Echo());
        await s_cluster.DeployAsync("signer", SampleDeployments.Signer());
        await Credentials.CredentialScenarios.SetKeyAsync(s_cluster, MappingFlows.Credential, MappingFlows.Key);
    }

    [ClassCleanup]
    public static async Task StopClusterAsync() => await s_cluster.DisposeAsync();

    [TestMethod]
    [DataRow(FlowMode.Ordinary)]
    [DataRow(FlowMode.Realtime)]
    public async Task MappedFlow_SplitsRenamesAndRoutesEachLine_ToItsBranch(FlowMode mode)
    {
        var flowId = await s_cluster.CreateFlowAsync(MappingFlows.Orders(), mode);
        await using var events = await s_cluster.SubscribeAsync(flowId);
        await s_cluster.Flow(flowId).StartAsync();
        await s_cluster.WaitForLifecycleAsync(flowId, FlowLifecycle.Running, Wait);

        var execution = await s_cluster.Flow(flowId).SendAsync(FlowMessage.Create(MappingFlows.Order));
        var outputs = await events.WaitForAsync(3, e => e.ExecutionId == execution, Wait);

        Assert.IsTrue(outputs.All(o => o.Kind == FlowEventKind.Output), string.Join("; ", outputs.Select(o => o.Error)));
        CollectionAssert.AreEquivalent(
            MappingFlows.Outputs.Select(o => $"{o.Step} {o.Body}").ToArray(),
            outputs.Select(o => $"{o.StepId} {Compact(o.Message!.Body)}").ToArray());
        foreach (var output in outputs)
        {
            var split = output.Path.Single(p => p.StepId == "split");
            CollectionAssert.AreEqual(new[] { output.StepId }, split.RoutedTo?.ToArray(), "the hop records the branch the line took");
        }

        await s_cluster.Flow(flowId).StopAsync();
    }

    [TestMethod]
    public async Task OutputNoEdgeTakes_EndsItsBranch_IsCountedAndShownInItsExecution()
    {
        var flowId = await s_cluster.CreateFlowAsync(new FlowDefinition(
            "only DE",
            [new StepDefinition("intake", "echo", "echo"), new StepDefinition("de", "echo", "echo")],
            [new FlowEdge("intake", "de", When: "country = 'DE'")]), FlowMode.Realtime);
        await using var events = await s_cluster.SubscribeAsync(flowId);
        await s_cluster.Flow(flowId).StartAsync();
        await s_cluster.WaitForLifecycleAsync(flowId, FlowLifecycle.Running, Wait);

        var execution = await s_cluster.Flow(flowId).SendAsync(FlowMessage.Create("""{"country":"FR"}"""));
        var unrouted = (await events.WaitForAsync(1, e => e.ExecutionId == execution, Wait)).Single();

        Assert.AreEqual(FlowEventKind.Unrouted, unrouted.Kind, unrouted.Error);
        Assert.AreEqual("intake", unrouted.StepId);
        Assert.IsEmpty(unrouted.Path[^1].RoutedTo!);
        var log = s_cluster.Client.GetGrain<IExecutionLogGrain>(flowId);
        var counters = await WaitForAsync(log.GetCountersAsync, c => c.Unrouted == 1 && c.Completed == 1);
        Assert.AreEqual(0, counters.InFlight);
        var record = await log.GetAsync(execution);
        Assert.AreEqual(FlowEventKind.Unrouted, record!.Outputs.Single().Kind);
        Assert.AreEqual("""{"country":"FR"}""", record.Outputs.Single().Body);
        await s_cluster.Flow(flowId).StopAsync();
    }

    [TestMethod]
    public async Task Each_OverTheExecutionBudget_FailsTheMessageNamingTheStep_AndCallsNothing()
    {
        // The default budget, 1000 calls, and no next step: 1000 elements would go, 1001 do not.
        var flowId = await s_cluster.CreateFlowAsync(FlowDefinition.Chain(
            "too many", new StepDefinition("split", "echo", "echo", Mapping: "[1..count]", Each: true)), FlowMode.Realtime);
        await using var events = await s_cluster.SubscribeAsync(flowId);
        await s_cluster.Flow(flowId).StartAsync();
        await s_cluster.WaitForLifecycleAsync(flowId, FlowLifecycle.Running, Wait);

        var execution = await s_cluster.Flow(flowId).SendAsync(FlowMessage.Create("""{"count":1001}"""));
        var refused = (await events.WaitForAsync(1, e => e.ExecutionId == execution, Wait)).Single();

        Assert.AreEqual(FlowEventKind.Error, refused.Kind, refused.Message?.Body);
        StringAssert.Contains(refused.Error, "Step 'split': its mapping '[1..count]' gives 1001 elements for 'each'");
        StringAssert.Contains(refused.Error, "FlowActors:Flows:MaxMessagesPerExecution");
        var counters = await WaitForAsync(s_cluster.Client.GetGrain<IExecutionLogGrain>(flowId).GetCountersAsync, c => c.Failed == 1);
        Assert.AreEqual(0, counters.Completed, "no element went on");
        await s_cluster.Flow(flowId).StopAsync();
    }

    [TestMethod]
    public async Task Draft_WithASyntaxErrorOrAHugeExpression_IsRefusedNamingTheFieldAndPosition()
    {
        var huge = "'" + new string('x', 1024 * 1024) + "'";
        var definition = new FlowDefinition(
            "broken",
            [new StepDefinition("a", "echo", "echo", Mapping: "{ 'n': name, }"), new StepDefinition("b", "echo", "echo", Mapping: huge)],
            [new FlowEdge("a", "b", When: "country = ", Otherwise: true)]);

        var refused = await Assert.ThrowsExactlyAsync<FlowValidationException>(() => s_cluster.Flow("broken-mapping").SaveDraftAsync(definition));

        var errors = refused.Errors.ToDictionary(e => e.Field, e => e.Message);
        StringAssert.Contains(errors["steps[0].mapping"], "step 'a'");
        StringAssert.Contains(errors["steps[0].mapping"], "at position 14");
        StringAssert.Contains(errors["steps[1].mapping"], "at most 65536");
        StringAssert.Contains(errors["edges[0].when"], "is not valid JSONata");
        StringAssert.Contains(errors["edges[0].otherwise"], "both 'when' and 'otherwise'");
    }

    [TestMethod]
    public async Task HostileExpressions_FailTheirMessageNamingTheStep_WhileAnotherFlowLosesNothing()
    {
        var hostile = await s_cluster.CreateFlowAsync(FlowDefinition.Chain(
            "hostile", new StepDefinition("evil", "echo", "echo", Mapping: "recurse ? ($f := function(){$f()}; $f()) : range ? [1..100000000] : $")), FlowMode.Realtime);
        var other = await s_cluster.CreateFlowAsync(SampleFlows(), FlowMode.Realtime);
        await using var hostileEvents = await s_cluster.SubscribeAsync(hostile);
        await using var otherEvents = await s_cluster.SubscribeAsync(other);
        await s_cluster.Flow(hostile).StartAsync();
        await s_cluster.Flow(other).StartAsync();
        await s_cluster.WaitForLifecycleAsync(hostile, FlowLifecycle.Running, Wait);
        await s_cluster.WaitForLifecycleAsync(other, FlowLifecycle.Running, Wait);
        var rss = Environment.WorkingSet;

        var sent = new HashSet<string>();
        var recurse = await s_cluster.Flow(hostile).SendAsync(FlowMessage.Create("""{"recurse":true}"""));
        for (var i = 0; i < 200; i++)
        {
            sent.Add(await s_cluster.Flow(other).SendAsync(FlowMessage.Create($$"""{"name":"n{{i}}"}""")));
        }

        var range = await s_cluster.Flow(hostile).SendAsync(FlowMessage.Create("""{"range":true}"""));
        var fine = await s_cluster.Flow(hostile).SendAsync(FlowMessage.Create("""{"name":"ok"}"""));
        var hostileEnds = await hostileEvents.WaitForAsync(3, e => e.ExecutionId is var id && (id == recurse || id == range || id == fine), Wait);
        var otherOutputs = await otherEvents.WaitForAsync(200, e => sent.Contains(e.ExecutionId), Wait);

        var byExecution = hostileEnds.ToDictionary(e => e.ExecutionId);
        Assert.AreEqual(FlowEventKind.Error, byExecution[recurse].Kind);
        StringAssert.Contains(byExecution[recurse].Error, "Step 'evil': its mapping");
        StringAssert.Contains(byExecution[recurse].Error, "ran longer than");
        StringAssert.Contains(byExecution[range].Error, "D2014");
        Assert.AreEqual(FlowEventKind.Output, byExecution[fine].Kind, byExecution[fine].Error);
        Assert.IsTrue(otherOutputs.All(o => o.Kind == FlowEventKind.Output), "the other flow lost nothing: " + string.Join("; ", otherOutputs.Select(o => o.Error)));
        Assert.HasCount(200, otherOutputs.Select(o => o.ExecutionId).Distinct());
        var grown = (Environment.WorkingSet - rss) / (1024 * 1024);
        Assert.IsLessThan(100, grown, $"the silo's RSS grew by {grown} MB");
        await s_cluster.Flow(hostile).StopAsync();
        await s_cluster.Flow(other).StopAsync();
    }

    private static FlowDefinition SampleFlows() => FlowDefinition.Chain(
        "bystander", new StepDefinition("shout", "transform", "uppercase", """{"field":"name"}"""), new StepDefinition("answer", "echo", "echo"));

    private static string Compact(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);

    private static async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }

            await Task.Delay(50);
        }
    }
}
