using System.Collections.Concurrent;
using Azure.Messaging.ServiceBus;
using FlowActors.Client;
using FlowActors.Grains.Triggers.ServiceBus;

namespace FlowActors.Tests.Triggers.Fakes;

/// <summary>
/// A FAKE Azure Service Bus namespace, in memory, for tests only: no Service Bus emulator runs here. The trigger and
/// the send component talk to it through the SDK's own test seams (the virtual members of <see cref="ServiceBusClient"/>,
/// <see cref="ServiceBusReceiver"/>, <see cref="ServiceBusSessionReceiver"/> and <see cref="ServiceBusSender"/>, messages
/// made with <see cref="ServiceBusModelFactory"/>), so their real receiving, settling and sending code runs. It keeps
/// Service Bus's peek-lock rules: a received message is locked for <see cref="LockDuration"/>; complete, abandon,
/// dead-letter and renew need a lock that is still held; an expired or abandoned lock makes the message available
/// again; every delivery counts, and a message delivered <see cref="MaxDeliveryCount"/> times is dead-lettered
/// (<c>MaxDeliveryCountExceeded</c>) instead of delivered again. Sessions lock a session's messages as a whole.
/// </summary>
internal sealed class FakeServiceBus
{
    private static readonly ConcurrentDictionary<string, FakeServiceBus> Namespaces = new(StringComparer.OrdinalIgnoreCase);

    private readonly ConcurrentDictionary<string, FakeServiceBusEntity> _entities = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ServiceBusTriggerSettings> _clients = new();

    /// <summary>A namespace of its own (a unique name and key), found by the silo's client factory through its connection string.</summary>
    public FakeServiceBus(TimeSpan? lockDuration = null, int maxDeliveryCount = 10, TimeProvider? time = null)
    {
        LockDuration = lockDuration ?? TimeSpan.FromSeconds(30);
        MaxDeliveryCount = maxDeliveryCount;
        Time = time ?? TimeProvider.System;
        Namespace = $"fake{Guid.NewGuid():N}".Substring(0, 20) + ".servicebus.windows.net";
        Key = Convert.ToBase64String(Guid.NewGuid().ToByteArray()) + "FakeSecret";
        Namespaces[Namespace] = this;
    }

    /// <summary>
    /// The factory a silo under test uses instead of the real one: it finds the fake namespace a trigger's settings name
    /// (by connection string or fully qualified namespace).
    /// </summary>
    public static IServiceBusClientFactory Factory { get; } = new FakeClientFactory();

    public string Namespace { get; }

    /// <summary>The shared access key in <see cref="ConnectionString"/>: a secret that must never show up in logs or answers.</summary>
    public string Key { get; }

    public string ConnectionString => $"Endpoint=sb://{Namespace}/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={Key}";

    public TimeSpan LockDuration { get; }

    public int MaxDeliveryCount { get; }

    public TimeProvider Time { get; }

    /// <summary>How long <see cref="ServiceBusClient.AcceptNextSessionAsync(string, ServiceBusSessionReceiverOptions, CancellationToken)"/> waits before it times out, as the service does after a minute.</summary>
    public TimeSpan AcceptSessionTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Sends that contain a message matching this fail with <see cref="ServiceBusFailureReason.ServiceCommunicationProblem"/>.</summary>
    public Func<ServiceBusMessage, bool>? FailSendWhen { get; set; }

    /// <summary>Every send call's entity and message count, in order (to see how a sender batched).</summary>
    public ConcurrentQueue<(string Entity, int Count)> Sends { get; } = new();

    /// <summary>The settings of every client the trigger asked for (to check which secret and entity it used).</summary>
    public IReadOnlyCollection<ServiceBusTriggerSettings> ClientsCreated => _clients;

    /// <summary>A queue, or a subscription (<c>topic/Subscriptions/name</c>), or a topic (what was sent to it); made on first use.</summary>
    public FakeServiceBusEntity Entity(string path) => _entities.GetOrAdd(path, p => new FakeServiceBusEntity(p, this));

    public FakeServiceBusClient CreateClient() => new(this);

    /// <summary>Sending to a topic delivers to each of its subscriptions that exists, and is recorded on the topic.</summary>
    internal void Deliver(string entityPath, ServiceBusMessage message)
    {
        Entity(entityPath).Enqueue(message);
        var prefix = entityPath + "/Subscriptions/";
        foreach (var (path, entity) in _entities)
        {
            if (path.StartsWith(prefix, StringComparison.Ordinal))
            {
                entity.Enqueue(message);
            }
        }
    }

    private sealed class FakeClientFactory : IServiceBusClientFactory
    {
        public ServiceBusClient Create(ServiceBusTriggerSettings settings)
        {
            var host = settings.FullyQualifiedNamespace ?? ServiceBusConnectionStringProperties.Parse(settings.ConnectionString).FullyQualifiedNamespace;
            var bus = Namespaces.TryGetValue(host, out var found)
                ? found
                : throw new ServiceBusException($"No fake namespace '{host}'.", ServiceBusFailureReason.ServiceCommunicationProblem);
            bus._clients.Enqueue(settings);
            return bus.CreateClient();
        }
    }
}
