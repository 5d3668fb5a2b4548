using FlowActors.Client;
using FlowActors.Tests.Infrastructure;

namespace FlowActors.Tests.Flows;

/// <summary>
/// A real-time flow whose first step is busy: each component call takes <see cref="Busy"/>, and the step's inbox holds
/// <see cref="InboxCapacity"/> message, so a third message holds its stream delivery until there is room.
/// </summary>
internal static class BusyStep
{
    /// <summary>The inbox capacity a cluster for these tests gives its steps (with a batch size of 1).</summary>
    public const int InboxCapacity = 1;

    /// <summary>How long the busy step's component takes per message.</summary>
    public static readonly TimeSpan Busy = TimeSpan.FromSeconds(4);

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>slow (delay component, <see cref="Busy"/> per message) → answer (echo).</summary>
    public static FlowDefinition Flow() => FlowDefinition.Chain(
        "slow first",
        new StepDefinition("slow", "delay", "delay", $$"""{"ms":{{(int)Busy.TotalMilliseconds}}}"""),
        new StepDefinition("answer", "echo", "echo"));

    /// <summary>
    /// Sends three messages to the slow step: one in flight, one queued, and a third whose stream delivery waits for room.
    /// Returns once that delivery waits.
    /// </summary>
    public static async Task<string[]> FillInboxAsync(FlowCluster cluster, string flowId)
    {
        var waitsBefore = cluster.Logs.Find($"Flow {flowId} step slow: inbox full").Count;
        var executions = new string[InboxCapacity + 2];
        for (var i = 0; i < executions.Length; i++)
        {
            executions[i] = await cluster.Flow(flowId).SendAsync(FlowMessage.Create($$"""{"name":"n{{i}}"}"""));
        }

        using var cts = new CancellationTokenSource(Wait);
        while (cluster.Logs.Find($"Flow {flowId} step slow: inbox full").Count == waitsBefore)
        {
            Assert.IsFalse(cts.IsCancellationRequested, "the step's inbox never filled up");
            await Task.Delay(10, CancellationToken.None);
        }

        return executions;
    }
}
