using System.Text.Json;
using FlowActors.Client;
using FlowActors.Client.Hosting;
using FlowActors.Tests.Infrastructure;

namespace FlowActors.Tests.Client;

/// <summary>The SDK against an in-process test cluster: every call path without HTTP or a separate process.</summary>
[TestClass]
public sealed class FlowActorsClientTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static FlowCluster s_cluster = null!;
    private static FlowActorsClient s_client = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _)
    {
        s_cluster = await FlowCluster.StartAsync();
        s_client = new FlowActorsClient(s_cluster.Client, new FlowActorsClientOptions());
        await SdkFlows.DeploySamplesAsync(s_client);
    }

    [ClassCleanup]
    public static async Task StopAsync()
    {
        await s_client.DisposeAsync();
        await s_cluster.DisposeAsync();
    }

    [TestMethod]
    public async Task Components_DeployedRevisionsAreListed_AndTheCatalogShowsTheNewest()
    {
        var id = SdkFlows.NewId("c");
        await s_client.DeployComponentAsync(id, Silo.Samples.SampleDeployments.Echo("one"));
        var second = await s_client.DeployComponentAsync(id, Silo.Samples.SampleDeployments.Echo("two"));

        var revisions = await s_client.ListComponentRevisionsAsync(id);
        CollectionAssert.AreEqual(new[] { 1, 2 }, revisions.Select(r => r.Revision).ToArray());
        var listed = (await s_client.ListComponentsAsync()).Single(c => c.ComponentId == id);
        Assert.AreEqual(second.Revision, listed.Revision);
        Assert.IsTrue((await s_client.ListComponentsAsync()).Any(c => c.ComponentId == "echo"));
    }

    [TestMethod]
    public async Task Components_AnInvalidDeployment_IsRefusedNamingTheField()
    {
        var bad = new ComponentDeployment(new ComponentLaunch(null, null, [], new Dictionary<string, string>()), new ComponentDescriptor([], ["a"]));
        var e = await Assert.ThrowsExactlyAsync<ArgumentException>(() => s_client.DeployComponentAsync("bad", bad));
        StringAssert.Contains(e.Message, "'launch' needs an 'image'");
    }

    [TestMethod]
    public async Task Flows_DraftPublishModeStartStop_AreVisibleInStatusAndList()
    {
        var flowId = SdkFlows.NewId("life");
        await s_client.SaveDraftAsync(flowId, SdkFlows.Shout());
        Assert.AreEqual(SdkFlows.Shout().Name, (await s_client.GetDraftAsync(flowId))!.Name);
        Assert.AreEqual(1, (await s_client.PublishAsync(flowId)).Revision);
        await s_client.SetModeAsync(flowId, FlowMode.Ordinary);
        await s_client.StartAsync(flowId);

        var listed = (await s_client.ListFlowsAsync()).Single(f => f.FlowId == flowId);
        Assert.AreEqual(FlowLifecycle.Running, listed.Lifecycle);
        Assert.AreEqual(1, listed.PublishedRevision);
        var refused = await Assert.ThrowsExactlyAsync<FlowStateException>(() => s_client.SetModeAsync(flowId, FlowMode.Realtime));
        StringAssert.Contains(refused.Message, "Stop the flow first");

        await s_client.StopAsync(flowId);
        Assert.AreEqual(FlowLifecycle.Stopped, (await s_client.GetStatusAsync(flowId)).Lifecycle);
    }

    [TestMethod]
    public async Task Flows_AnInvalidDraft_IsRefusedWithEveryFieldNamed()
    {
        var draft = FlowDefinition.Chain("bad", new StepDefinition("s", "no-such-component", "x"));
        var e = await Assert.ThrowsExactlyAsync<FlowValidationException>(() => s_client.SaveDraftAsync(SdkFlows.NewId("bad"), draft));
        Assert.IsTrue(e.Errors.Any(x => x.Field == "steps[0].componentId"), string.Join("; ", e.Errors));
    }

    [TestMethod]
    public async Task SendAsync_ToAStoppedFlow_FailsSayingToStartIt()
    {
        var flowId = SdkFlows.NewId("stopped");
        await s_client.SaveDraftAsync(flowId, SdkFlows.Shout());
        await s_client.PublishAsync(flowId);

        var e = await Assert.ThrowsExactlyAsync<FlowStateException>(() => s_client.SendAsync(flowId, "{}"));
        StringAssert.Contains(e.Message, "Start the flow first");
    }

    [TestMethod]
    public async Task SendAndWaitAsync_ReturnsTheOutput_OfARealtimeFlow()
    {
        var flowId = await SdkFlows.StartAsync(s_client, SdkFlows.Shout(), FlowMode.Realtime);

        var reply = await s_client.SendAndWaitAsync(flowId, """{"name":"ada"}""", Wait);

        Assert.IsFalse(reply.TimedOut);
        Assert.IsFalse(reply.Failed, reply.Event!.Error);
        Assert.AreEqual("ADA", JsonDocument.Parse(reply.Body!).RootElement.GetProperty("name").GetString());
        await s_client.StopAsync(flowId);
    }

    [TestMethod]
    public async Task SendAndWaitAsync_TimesOutWithTheExecutionId_AndCancellationEndsTheWait()
    {
        var flowId = await SdkFlows.StartAsync(s_client, FlowDefinition.Chain(
            "slow", new StepDefinition("wait", "delay", "delay", """{"ms":1500}""")), FlowMode.Realtime);

        var reply = await s_client.SendAndWaitAsync(flowId, "{}", TimeSpan.FromMilliseconds(100));
        Assert.IsTrue(reply.TimedOut);
        Assert.IsFalse(string.IsNullOrEmpty(reply.ExecutionId));

        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAsync<OperationCanceledException>(() => s_client.SendAndWaitAsync(flowId, "{}", Wait, cancellationToken: cts.Token));
        await s_client.StopAsync(flowId);
    }

    [TestMethod]
    public async Task FollowAsync_YieldsEveryOutput_InOrder_UntilCancelled()
    {
        var flowId = await SdkFlows.StartAsync(s_client, SdkFlows.Shout(), FlowMode.Realtime);
        using var cts = new CancellationTokenSource(Wait);
        var events = s_client.FollowAsync(flowId, cts.Token);
        var sent = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            sent.Add(await s_client.SendAsync(flowId, $$"""{"name":"n{{i}}"}"""));
        }

        var seen = new List<FlowEvent>();
        await foreach (var e in events)
        {
            seen.Add(e);
            if (seen.Count == sent.Count)
            {
                await cts.CancelAsync();
            }
        }

        CollectionAssert.AreEqual(sent, seen.Select(e => e.ExecutionId).ToList());
        Assert.IsTrue(seen.All(e => e.Kind == FlowEventKind.Output), string.Join("; ", seen.Select(e => e.Error)));
        await s_client.StopAsync(flowId);
    }

    [TestMethod]
    public async Task RecentExecutions_HavePerStepTimings_AndNameTheFailingStep()
    {
        var flowId = await SdkFlows.StartAsync(s_client, FlowDefinition.Chain(
            "faulty",
            new StepDefinition("before", "echo", "echo"),
            new StepDefinition("check", "faulty", "maybeFail")), FlowMode.Realtime);

        var ok = await s_client.SendAndWaitAsync(flowId, "{}", Wait);
        var failed = await s_client.SendAndWaitAsync(flowId, """{"fail":"error"}""", Wait);
        Assert.IsTrue(failed.Failed, "the faulty component reports an error when asked to");

        var recent = await PollAsync(() => s_client.GetRecentExecutionsAsync(flowId), r => r.Count >= 2);
        var good = recent.Single(r => r.ExecutionId == ok.ExecutionId);
        Assert.AreEqual(ExecutionStatus.Succeeded, good.Status);
        CollectionAssert.AreEqual(new[] { "before", "check" }, good.Steps.Select(s => s.StepId).ToArray());
        Assert.IsTrue(good.Steps.All(s => s.Elapsed > TimeSpan.Zero));
        var bad = recent.Single(r => r.ExecutionId == failed.ExecutionId);
        Assert.AreEqual(ExecutionStatus.Failed, bad.Status);
        Assert.AreEqual("check", bad.FailedStep);
        StringAssert.Contains(bad.Error, "Step 'check'");
        Assert.AreEqual(ExecutionStatus.Failed, (await s_client.GetExecutionAsync(flowId, failed.ExecutionId))?.Status);
        await s_client.StopAsync(flowId);
    }

    [TestMethod]
    public void Options_Invalid_AreRefusedNamingTheSettingAndTheFix()
    {
        var result = new FlowActorsClientOptionsValidator().Validate(null, new FlowActorsClientOptions
        {
            Clustering = FlowActorsClustering.AzureTable,
            ReplyTimeout = TimeSpan.Zero,
        });

        Assert.IsTrue(result.Failed);
        StringAssert.Contains(result.FailureMessage, "FlowActors:Client:AzureTableConnectionString is empty");
        StringAssert.Contains(result.FailureMessage, "UseDevelopmentStorage=true");
        StringAssert.Contains(result.FailureMessage, "FlowActors:Client:ReplyTimeout");
    }

    internal static async Task<T> PollAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        using var cts = new CancellationTokenSource(Wait);
        while (true)
        {
            var value = await read();
            if (done(value) || cts.IsCancellationRequested)
            {
                return value;
            }

            await Task.Delay(20, CancellationToken.None);
        }
    }

    [TestMethod]
    public async Task Credentials_SetUpdateListDelete_ShowNamesOnly_AndAStepUsesOne()
    {
        var id = SdkFlows.NewId("cred");
        var set = await s_client.SetCredentialAsync(id, new Dictionary<string, string> { ["apiKey"] = "sdk-one", ["user"] = "u" });
        CollectionAssert.AreEqual(new[] { "apiKey", "user" }, set.Fields.Select(f => f.Name).ToArray());
        var updated = await s_client.UpdateCredentialAsync(id, new Dictionary<string, string?> { ["user"] = null, ["apiKey"] = "sdk-two" });
        CollectionAssert.AreEqual(new[] { "apiKey" }, updated.Fields.Select(f => f.Name).ToArray());
        Assert.AreEqual(2, updated.Revision);
        Assert.AreEqual(JsonSerializer.Serialize(updated), JsonSerializer.Serialize(await s_client.GetCredentialAsync(id)));
        Assert.Contains(c => c.Id == id, await s_client.ListCredentialsAsync());

        await s_client.DeployComponentAsync("signer", Silo.Samples.SampleDeployments.Signer());
        var flowId = SdkFlows.NewId("signs");
        await s_client.SaveDraftAsync(flowId, Credentials.CredentialScenarios.Signing(id));
        await s_client.PublishAsync(flowId);
        await s_client.StartAsync(flowId);
        var reply = await s_client.SendAndWaitAsync(flowId, "{}");
        Assert.AreEqual(Credentials.CredentialScenarios.SignatureOf("sdk-two", "{}"), JsonDocument.Parse(reply.Event!.Message!.Body).RootElement.GetProperty("signature").GetString());
        await s_client.StopAsync(flowId);

        Assert.IsTrue(await s_client.DeleteCredentialAsync(id));
        Assert.IsNull(await s_client.GetCredentialAsync(id));
        Assert.IsFalse(await s_client.DeleteCredentialAsync(id));
        await Assert.ThrowsAsync<ArgumentException>(() => s_client.SetCredentialAsync(id, new Dictionary<string, string> { ["no good"] = "x" }));
    }
}
