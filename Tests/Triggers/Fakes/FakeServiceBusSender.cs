using System.Runtime.CompilerServices;
using Azure.Messaging.ServiceBus;

namespace FlowActors.Tests.Triggers.Fakes;

/// <summary>
/// A FAKE sender: what it sends lands in the entity (and a topic's subscriptions). Batches are the SDK's own
/// <see cref="ServiceBusMessageBatch"/> made by <see cref="ServiceBusModelFactory"/>, with a size limit like the service's.
/// <see cref="FakeServiceBus.FailSendWhen"/> makes a send fail, as a namespace that refuses it would.
/// </summary>
internal sealed class FakeServiceBusSender(FakeServiceBus bus, string entityPath) : ServiceBusSender
{
    /// <summary>Most bytes in one batch (256 KiB: the standard tier's message size).</summary>
    public const long MaxBatchBytes = 256 * 1024;

    private static readonly ConditionalWeakTable<ServiceBusMessageBatch, List<ServiceBusMessage>> Batches = [];
    private bool _closed;

    public override string EntityPath => entityPath;

    public override string FullyQualifiedNamespace => bus.Namespace;

    public override bool IsClosed => _closed;

    public override ValueTask<ServiceBusMessageBatch> CreateMessageBatchAsync(CancellationToken cancellationToken = default) =>
        CreateMessageBatchAsync(new CreateMessageBatchOptions(), cancellationToken);

    public override ValueTask<ServiceBusMessageBatch> CreateMessageBatchAsync(CreateMessageBatchOptions options, CancellationToken cancellationToken = default)
    {
        var store = new List<ServiceBusMessage>();
        var limit = options.MaxSizeInBytes ?? MaxBatchBytes;
        long size = 0;
        var batch = ServiceBusModelFactory.ServiceBusMessageBatch(limit, store, options, message =>
        {
            var bytes = SizeOf(message);
            if (size + bytes > limit)
            {
                return false;
            }

            size += bytes;
            return true;
        });
        Batches.Add(batch, store);
        return ValueTask.FromResult(batch);
    }

    public override Task SendMessagesAsync(ServiceBusMessageBatch messageBatch, CancellationToken cancellationToken = default) =>
        SendAsync(Batches.TryGetValue(messageBatch, out var messages) ? messages : throw new InvalidOperationException("Not a batch of this fake."));

    public override Task SendMessagesAsync(IEnumerable<ServiceBusMessage> messages, CancellationToken cancellationToken = default) => SendAsync([.. messages]);

    public override Task SendMessageAsync(ServiceBusMessage message, CancellationToken cancellationToken = default) => SendAsync([message]);

    public override Task CloseAsync(CancellationToken cancellationToken = default) => DisposeAsync().AsTask();

    public override ValueTask DisposeAsync()
    {
        _closed = true;
        return ValueTask.CompletedTask;
    }

    /// <summary>About what the service counts: the body, the properties and a fixed overhead.</summary>
    public static long SizeOf(ServiceBusMessage message) =>
        message.Body.ToMemory().Length + 64 + message.ApplicationProperties.Sum(p => p.Key.Length + (p.Value?.ToString()?.Length ?? 0));

    private Task SendAsync(List<ServiceBusMessage> messages)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        if (bus.FailSendWhen is { } fail && messages.Any(fail))
        {
            throw new ServiceBusException("The namespace refused the send (fake failure).", ServiceBusFailureReason.ServiceCommunicationProblem, entityPath);
        }

        bus.Sends.Enqueue((entityPath, messages.Count));
        foreach (var message in messages)
        {
            bus.Deliver(entityPath, message);
        }

        return Task.CompletedTask;
    }
}
