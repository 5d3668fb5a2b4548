using FlowActors.Client;
using FlowActors.Silo.Samples;
using FlowActors.Tests.Client;

namespace FlowActors.Tests.Isolation;

/// <summary>Flows through the <c>probe</c> component on a real silo, in both modes.</summary>
internal static class ProbeFlows
{
    /// <summary>Deploys the probe, runs one message through a one-step flow in each mode, and returns what the probe reported.</summary>
    public static async Task<Dictionary<FlowMode, ProbeReport>> RunAsync(
        IFlowActorsClient client, IReadOnlyDictionary<string, int> ports, string[] paths, ComponentDeployment? probe = null)
    {
        await client.DeployComponentAsync("probe", probe ?? SampleDeployments.Probe());
        var definition = FlowDefinition.Chain("probe", new StepDefinition("probe", "probe", "probe"));
        var reports = new Dictionary<FlowMode, ProbeReport>();
        foreach (var mode in new[] { FlowMode.Realtime, FlowMode.Ordinary })
        {
            var flowId = await SdkFlows.StartAsync(client, definition, mode, "boundary");
            var reply = await client.SendAndWaitAsync(flowId, ProbeReport.Request(ports.Values, paths), TimeSpan.FromSeconds(60));
            Assert.IsFalse(reply.TimedOut, $"The {mode} flow through the probe did not answer.");
            Assert.IsFalse(reply.Failed, $"The {mode} flow through the probe failed: {reply.Event!.Error}");
            reports[mode] = ProbeReport.Parse(reply.Body!);
            await client.StopAsync(flowId);
        }

        return reports;
    }
}
