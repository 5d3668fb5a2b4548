using Azure.Data.Tables;
using FlowActors.Client;
using FlowActors.Grains.Interfaces.Triggers;
using FlowActors.Grains.Triggers.ServiceBus;
using FlowActors.TestSupport.Silos;
using FlowActors.Tests.Infrastructure;
using FlowActors.Tests.Triggers.Fakes;
using Orleans.TestingHost;
using static FlowActors.Tests.Triggers.TriggerCounting;

namespace FlowActors.Tests.Triggers;

/// <summary>
/// One receiver per trigger across a cluster, and what happens to it when its silo stops: two silos with reminders in
/// Azure Table storage (Azurite), so that the trigger's heartbeat outlives the silo that registered it.
/// </summary>
[TestClass]
[TestCategory("Azure")]
public sealed class ServiceBusFailoverTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);

    [TestMethod]
    public async Task ASiloStoppedMidStream_GivesBackWhatItHadNotHandedOver_AndItsReminderReopensTheReceiverOnTheOtherSilo()
    {
        const int Sent = 1000;
        var azurite = await Azurite.EnsureAsync();
        var prefix = Azurite.NewPrefix();
        await using var cluster = await TriggerCluster.StartAsync(2, silo => silo.UseAzureTableReminderService(o =>
        {
            o.TableServiceClient = new TableServiceClient(azurite);
            o.TableName = $"{prefix}reminders";
        }));
        await TriggerCluster.DeployAsync(cluster);
        var bus = new FakeServiceBus(lockDuration: TimeSpan.FromSeconds(30));
        var queue = bus.Entity("orders");
        for (var n = 0; n < Sent; n++)
        {
            queue.Send($$"""{"n":{{n}}}""");
        }

        // The test cluster's client talks through the first silo: the trigger must live on the other one, which is stopped.
        var (flowId, victim) = await FlowWithTriggerOnAsync(cluster, cluster.Cluster.Silos[1], bus);
        SendFaults.For(flowId, _ => Task.Delay(50)); // 4 at a time, 50 ms each: slow enough to stop it mid-stream
        await cluster.Flow(flowId).StartAsync();
        await WaitUntilAsync(() => queue.Count(FakeMessageState.Completed) >= 150, Wait, () => $"{queue.Count(FakeMessageState.Completed)} completed");

        var stoppedReceivers = queue.ReceiversOpened.ToHashSet();
        await cluster.Cluster.StopSiloAsync(victim);

        // Nothing is left to its lock's expiry (30 s): each message was completed (the flow had accepted it) or given back.
        // (The test cluster's hand-over grace is 2 s: a hand-over the stopping silo cannot finish is given up then.)
        int LockedByTheStoppedSilo() => queue.Messages.Count(m => m.State == FakeMessageState.Locked && stoppedReceivers.Contains(m.LockedBy));
        await WaitUntilAsync(() => LockedByTheStoppedSilo() == 0, TimeSpan.FromSeconds(10),
            () => $"{LockedByTheStoppedSilo()} messages still locked by the stopped silo's receiver:\n" +
                string.Join("\n", Logs.Lines.Where(l => l.Contains(flowId, StringComparison.Ordinal)).TakeLast(20)));
        // The other silo may already have the trigger back (a reminder tick during the stop): count by receiver, not by time.
        var atStop = queue.Messages;
        var givenBack = atStop.Count(m => m.Abandons > 0);
        Assert.AreEqual(0, atStop.Count(m => m.State == FakeMessageState.DeadLettered));
        var completedAtStop = atStop.Count(m => m.State == FakeMessageState.Completed && stoppedReceivers.Contains(m.LockedBy));
        Assert.IsLessThan(Sent, completedAtStop, "stopped mid-stream");

        // No message sent, no call made: the trigger's reminder brings its grain (and the receiver) back on the other silo.
        await WaitUntilAsync(() => queue.Count(FakeMessageState.Completed) == Sent, Wait,
            () => $"{queue.Count(FakeMessageState.Completed)} of {Sent} completed after the stop");
        var info = await cluster.Client.GetGrain<IServiceBusTriggerGrain>(flowId).GetAsync();
        Assert.IsTrue(info!.Receiving);
        Assert.AreEqual(Sent - completedAtStop, info.Completed, "the new activation completed what the stopped one had not, each once");

        // What the flow did with the messages it accepted is the flow's business, not the trigger's: on the embedded
        // profile's fast streams, what sat in the stopped silo's memory is gone with it (the delivery work covers that).
        Console.WriteLine(
            $"silo stopped mid-stream: sent {Sent}, completed by the stopped silo {completedAtStop}, given back at the stop {givenBack}, " +
            $"completed after {info.Completed}, dead-lettered 0, left locked 0");
        SendFaults.Clear(flowId);
        await cluster.Flow(flowId).StopAsync();
    }

    /// <summary>Creates a flow whose trigger grain activates on <paramref name="silo"/>, and checks that it did.</summary>
    private static async Task<(string FlowId, InProcessSiloHandle Silo)> FlowWithTriggerOnAsync(FlowCluster cluster, InProcessSiloHandle silo, FakeServiceBus bus)
    {
        var flowId = await cluster.CreateFlowAsync(TriggerCluster.Echo(), FlowMode.Ordinary);
        await Placement.OnAsync(silo, () => cluster.Client.GetGrain<IServiceBusTriggerGrain>(flowId)
            .ConfigureAsync(new ServiceBusTriggerSettings(bus.ConnectionString, Queue: "orders", Concurrency: 4)));
        var placed = await cluster.Client.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        var trigger = placed.Where(p => p.GrainType.Contains(nameof(ServiceBusTriggerGrain), StringComparison.Ordinal) && p.GrainId.Key.ToString() == flowId)
            .Select(p => p.SiloAddress).ToArray();
        CollectionAssert.AreEqual(new[] { silo.SiloAddress }, trigger, "the trigger grain activated where it was placed");
        return (flowId, silo);
    }
}
