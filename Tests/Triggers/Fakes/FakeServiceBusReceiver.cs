using Azure.Messaging.ServiceBus;

namespace FlowActors.Tests.Triggers.Fakes;

/// <summary>
/// A FAKE peek-lock receiver of one entity. Prefetch as the service does it: up to <c>prefetch</c> more messages are
/// locked into a local buffer than asked for; they stay locked (without renewal) until handed out, and a receiver that
/// closes leaves them locked until their locks expire.
/// </summary>
internal class FakeServiceBusReceiver : ServiceBusReceiver
{
    private readonly Queue<ServiceBusReceivedMessage> _prefetched = new();
    private readonly int _prefetch;
    private bool _closed;

    public FakeServiceBusReceiver(FakeServiceBusEntity entity, int prefetch, Guid? id = null)
    {
        FakeEntity = entity;
        _prefetch = prefetch;
        ReceiverId = id ?? Guid.NewGuid();
        entity.ReceiversOpened.Enqueue(ReceiverId);
    }

    public override string EntityPath => FakeEntity.Path;

    public override int PrefetchCount => _prefetch;

    public override ServiceBusReceiveMode ReceiveMode => ServiceBusReceiveMode.PeekLock;

    public override bool IsClosed => _closed;

    internal FakeServiceBusEntity FakeEntity { get; }

    internal Guid ReceiverId { get; }

    /// <summary>The session this receiver is bound to, or null.</summary>
    protected virtual string? BoundSession => null;

    public override async Task<IReadOnlyList<ServiceBusReceivedMessage>> ReceiveMessagesAsync(
        int maxMessages, TimeSpan? maxWaitTime = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        var wait = maxWaitTime ?? TimeSpan.FromMinutes(1);
        var deadline = DateTimeOffset.UtcNow + wait;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            lock (_prefetched)
            {
                var wanted = maxMessages + _prefetch - _prefetched.Count;
                if (wanted > 0)
                {
                    foreach (var message in FakeEntity.Lock(wanted, ReceiverId, BoundSession))
                    {
                        _prefetched.Enqueue(message);
                    }
                }

                if (_prefetched.Count > 0)
                {
                    var batch = new List<ServiceBusReceivedMessage>();
                    while (batch.Count < maxMessages && _prefetched.TryDequeue(out var message))
                    {
                        batch.Add(message);
                    }

                    return batch;
                }
            }

            var left = deadline - DateTimeOffset.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                return [];
            }

            await FakeEntity.WaitForChangeAsync(left, cancellationToken);
        }
    }

    public override Task CompleteMessageAsync(ServiceBusReceivedMessage message, CancellationToken cancellationToken = default) =>
        Run(() => FakeEntity.Complete(message));

    public override Task AbandonMessageAsync(
        ServiceBusReceivedMessage message, IDictionary<string, object>? propertiesToModify = null, CancellationToken cancellationToken = default) =>
        Run(() => FakeEntity.Abandon(message));

    public override Task DeadLetterMessageAsync(
        ServiceBusReceivedMessage message, string deadLetterReason, string? deadLetterErrorDescription = null, CancellationToken cancellationToken = default) =>
        Run(() => FakeEntity.DeadLetter(message, deadLetterReason, deadLetterErrorDescription));

    public override Task DeadLetterMessageAsync(
        ServiceBusReceivedMessage message, IDictionary<string, object>? propertiesToModify = null, CancellationToken cancellationToken = default) =>
        Run(() => FakeEntity.DeadLetter(message, null, null));

    public override Task DeadLetterMessageAsync(
        ServiceBusReceivedMessage message, IDictionary<string, object> propertiesToModify, string deadLetterReason,
        string? deadLetterErrorDescription = null, CancellationToken cancellationToken = default) =>
        Run(() => FakeEntity.DeadLetter(message, deadLetterReason, deadLetterErrorDescription));

    public override Task RenewMessageLockAsync(ServiceBusReceivedMessage message, CancellationToken cancellationToken = default) =>
        Run(() => FakeEntity.Renew(message));

    public override Task CloseAsync(CancellationToken cancellationToken = default) => DisposeAsync().AsTask();

    public override ValueTask DisposeAsync()
    {
        if (!_closed)
        {
            _closed = true;
            FakeEntity.Release(ReceiverId, BoundSession);
        }

        return ValueTask.CompletedTask;
    }

    private Task Run(Action settle)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        settle();
        return Task.CompletedTask;
    }
}

/// <summary>A FAKE session receiver: the next session's messages only, in order, under the session's lock.</summary>
internal sealed class FakeServiceBusSessionReceiver : ServiceBusSessionReceiver
{
    private readonly Inner _inner;
    private DateTimeOffset _lockedUntil;

    public FakeServiceBusSessionReceiver(FakeServiceBusEntity entity, Guid receiver, string session, DateTimeOffset lockedUntil)
    {
        _inner = new Inner(entity, receiver, session);
        SessionIdValue = session;
        _lockedUntil = lockedUntil;
    }

    public override string SessionId => SessionIdValue;

    public override DateTimeOffset SessionLockedUntil => _lockedUntil;

    public override string EntityPath => _inner.EntityPath;

    public override bool IsClosed => _inner.IsClosed;

    private string SessionIdValue { get; }

    public override Task<IReadOnlyList<ServiceBusReceivedMessage>> ReceiveMessagesAsync(
        int maxMessages, TimeSpan? maxWaitTime = null, CancellationToken cancellationToken = default) =>
        _inner.ReceiveMessagesAsync(maxMessages, maxWaitTime, cancellationToken);

    public override Task CompleteMessageAsync(ServiceBusReceivedMessage message, CancellationToken cancellationToken = default) =>
        _inner.CompleteMessageAsync(message, cancellationToken);

    public override Task AbandonMessageAsync(
        ServiceBusReceivedMessage message, IDictionary<string, object>? propertiesToModify = null, CancellationToken cancellationToken = default) =>
        _inner.AbandonMessageAsync(message, propertiesToModify, cancellationToken);

    public override Task DeadLetterMessageAsync(
        ServiceBusReceivedMessage message, string deadLetterReason, string? deadLetterErrorDescription = null, CancellationToken cancellationToken = default) =>
        _inner.DeadLetterMessageAsync(message, deadLetterReason, deadLetterErrorDescription, cancellationToken);

    public override Task RenewSessionLockAsync(CancellationToken cancellationToken = default)
    {
        _lockedUntil = _inner.FakeEntity.RenewSession(SessionIdValue, _inner.ReceiverId);
        return Task.CompletedTask;
    }

    public override Task CloseAsync(CancellationToken cancellationToken = default) => _inner.CloseAsync(cancellationToken);

    public override ValueTask DisposeAsync() => _inner.DisposeAsync();

    private sealed class Inner(FakeServiceBusEntity entity, Guid receiver, string session) : FakeServiceBusReceiver(entity, prefetch: 0, receiver)
    {
        protected override string? BoundSession => session;
    }
}
