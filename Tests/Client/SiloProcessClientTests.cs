using System.Text.Json;
using FlowActors.Client;
using FlowActors.Grains.Interfaces.Messages;
using FlowActors.TestSupport.Clients;
using FlowActors.TestSupport.Silos;

namespace FlowActors.Tests.Client;

/// <summary>The SDK embedded in a host (<c>AddFlowActorsClient</c>), against the Silo running as its own process.</summary>
[TestClass]
public sealed class SiloProcessClientTests
{
    [TestMethod]
    public async Task EmbeddedSdk_DeploysPublishesStartsAndGetsReplies_FromARealSilo()
    {
        await using var silo = await SiloProcess.StartAsync();
        await using var sdk = await SdkHost.StartAsync(silo);
        var client = sdk.Client;
        await SdkFlows.DeploySamplesAsync(client);
        var flowId = await SdkFlows.StartAsync(client, SdkFlows.ShoutAndReply(), FlowMode.Realtime);

        Assert.IsTrue((await client.ListComponentsAsync()).Any(c => c.ComponentId == "transform"));
        Assert.AreEqual(FlowMode.Realtime, (await client.ListFlowsAsync()).Single(f => f.FlowId == flowId).Mode);
        for (var i = 0; i < 3; i++)
        {
            var reply = await client.SendAndWaitAsync(flowId, $$"""{"name":"n{{i}}"}""", TimeSpan.FromSeconds(30));
            Assert.AreEqual(FlowEventKind.HttpReply, reply.Event?.Kind, reply.Event?.Error ?? "timed out");
            Assert.AreEqual($"N{i}", JsonDocument.Parse(reply.Body!).RootElement.GetProperty("name").GetString());
            Assert.AreEqual("200", reply.Event!.Message!.Headers[HttpReplyHeaders.Status]);
        }

        var executions = await FlowActorsClientTests.PollAsync(() => client.GetRecentExecutionsAsync(flowId), e => e.Count == 3);
        Assert.HasCount(3, executions);
        await client.StopAsync(flowId);
    }
}
