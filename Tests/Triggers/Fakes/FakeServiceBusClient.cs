using Azure.Messaging.ServiceBus;

namespace FlowActors.Tests.Triggers.Fakes;

/// <summary>A FAKE <see cref="ServiceBusClient"/> of a <see cref="FakeServiceBus"/>, through the SDK's mocking constructor and virtual members.</summary>
internal sealed class FakeServiceBusClient(FakeServiceBus bus) : ServiceBusClient
{
    private bool _closed;

    public override string FullyQualifiedNamespace => bus.Namespace;

    public override bool IsClosed => _closed;

    public override ServiceBusReceiver CreateReceiver(string queueName) => CreateReceiver(queueName, new ServiceBusReceiverOptions());

    public override ServiceBusReceiver CreateReceiver(string queueName, ServiceBusReceiverOptions options) =>
        new FakeServiceBusReceiver(bus.Entity(queueName), options.PrefetchCount);

    public override ServiceBusReceiver CreateReceiver(string topicName, string subscriptionName) =>
        CreateReceiver(topicName, subscriptionName, new ServiceBusReceiverOptions());

    public override ServiceBusReceiver CreateReceiver(string topicName, string subscriptionName, ServiceBusReceiverOptions options) =>
        new FakeServiceBusReceiver(bus.Entity($"{topicName}/Subscriptions/{subscriptionName}"), options.PrefetchCount);

    public override Task<ServiceBusSessionReceiver> AcceptNextSessionAsync(
        string queueName, ServiceBusSessionReceiverOptions? options = null, CancellationToken cancellationToken = default) =>
        AcceptAsync(bus.Entity(queueName), cancellationToken);

    public override Task<ServiceBusSessionReceiver> AcceptNextSessionAsync(
        string topicName, string subscriptionName, ServiceBusSessionReceiverOptions? options = null, CancellationToken cancellationToken = default) =>
        AcceptAsync(bus.Entity($"{topicName}/Subscriptions/{subscriptionName}"), cancellationToken);

    public override ServiceBusSender CreateSender(string queueOrTopicName) => new FakeServiceBusSender(bus, queueOrTopicName);

    public override ServiceBusSender CreateSender(string queueOrTopicName, ServiceBusSenderOptions options) => new FakeServiceBusSender(bus, queueOrTopicName);

    public override ValueTask DisposeAsync()
    {
        _closed = true;
        return ValueTask.CompletedTask;
    }

    /// <summary>As the service: waits for a session with messages that nobody holds, and times out with <see cref="ServiceBusFailureReason.ServiceTimeout"/>.</summary>
    private async Task<ServiceBusSessionReceiver> AcceptAsync(FakeServiceBusEntity entity, CancellationToken cancellationToken)
    {
        var receiver = Guid.NewGuid();
        var deadline = bus.Time.GetUtcNow() + bus.AcceptSessionTimeout;
        while (true)
        {
            if (entity.AcceptSession(receiver) is var (session, until))
            {
                return new FakeServiceBusSessionReceiver(entity, receiver, session, until);
            }

            var left = deadline - bus.Time.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                throw new ServiceBusException("No session with messages became available.", ServiceBusFailureReason.ServiceTimeout, entity.Path);
            }

            await entity.WaitForChangeAsync(left, cancellationToken);
        }
    }
}
