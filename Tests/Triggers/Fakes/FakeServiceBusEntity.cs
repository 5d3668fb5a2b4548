using Azure.Messaging.ServiceBus;

namespace FlowActors.Tests.Triggers.Fakes;

/// <summary>Where a FAKE message is in its life.</summary>
internal enum FakeMessageState
{
    Available,
    Locked,
    Completed,
    DeadLettered,
}

/// <summary>One message in a <see cref="FakeServiceBusEntity"/>, with what happened to it.</summary>
internal sealed class FakeStoredMessage
{
    public required long SequenceNumber { get; init; }

    public required ServiceBusMessage Sent { get; init; }

    public DateTimeOffset EnqueuedTime { get; init; }

    public FakeMessageState State { get; set; }

    public int DeliveryCount { get; set; }

    public Guid LockToken { get; set; }

    public DateTimeOffset LockedUntil { get; set; }

    /// <summary>The receiver (or session receiver) holding the lock.</summary>
    public Guid LockedBy { get; set; }

    public int Abandons { get; set; }

    public int Renewals { get; set; }

    public string? DeadLetterReason { get; set; }

    public string? DeadLetterDescription { get; set; }

    public string Body => Sent.Body.ToString();

    public string? SessionId => Sent.SessionId;
}

/// <summary>A FAKE queue or subscription (see <see cref="FakeServiceBus"/>). Thread-safe: one lock guards everything.</summary>
internal sealed class FakeServiceBusEntity(string path, FakeServiceBus bus)
{
    public const string MaxDeliveryCountExceeded = "MaxDeliveryCountExceeded";

    private readonly object _gate = new();
    private readonly List<FakeStoredMessage> _messages = [];
    private readonly Dictionary<string, (Guid Receiver, DateTimeOffset Until)> _sessions = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _sequence;

    public string Path { get; } = path;

    /// <summary>Every receiver opened on this entity so far (session receivers included), oldest first.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<Guid> ReceiversOpened { get; } = new();

    public IReadOnlyList<FakeStoredMessage> Messages
    {
        get
        {
            lock (_gate)
            {
                ExpireLocks();
                return [.. _messages];
            }
        }
    }

    public int Count(FakeMessageState state) => Messages.Count(m => m.State == state);

    public void Send(string body, string? messageId = null, string? sessionId = null, IDictionary<string, object>? properties = null,
        string? correlationId = null, string? subject = null)
    {
        var message = new ServiceBusMessage(BinaryData.FromString(body))
        {
            MessageId = messageId ?? Guid.NewGuid().ToString("N"),
            SessionId = sessionId,
            CorrelationId = correlationId,
            Subject = subject,
            ContentType = "application/json",
        };
        foreach (var (name, value) in properties ?? new Dictionary<string, object>())
        {
            message.ApplicationProperties[name] = value;
        }

        Enqueue(message);
    }

    internal void Enqueue(ServiceBusMessage message)
    {
        lock (_gate)
        {
            _messages.Add(new FakeStoredMessage { SequenceNumber = ++_sequence, Sent = message, EnqueuedTime = bus.Time.GetUtcNow() });
            Signal();
        }
    }

    /// <summary>Locks up to <paramref name="max"/> available messages for <paramref name="receiver"/> (of one session, in order, when given).</summary>
    internal List<ServiceBusReceivedMessage> Lock(int max, Guid receiver, string? session)
    {
        var locked = new List<ServiceBusReceivedMessage>();
        lock (_gate)
        {
            ExpireLocks();
            foreach (var message in _messages)
            {
                if (locked.Count >= max)
                {
                    break;
                }

                if (message.State != FakeMessageState.Available || (session is not null && message.SessionId != session) || (session is null && message.SessionId is not null))
                {
                    continue;
                }

                if (message.DeliveryCount >= bus.MaxDeliveryCount)
                {
                    message.State = FakeMessageState.DeadLettered;
                    message.DeadLetterReason = MaxDeliveryCountExceeded;
                    message.DeadLetterDescription = $"Delivered {message.DeliveryCount} times.";
                    continue;
                }

                message.DeliveryCount++;
                message.State = FakeMessageState.Locked;
                message.LockToken = Guid.NewGuid();
                message.LockedBy = receiver;
                message.LockedUntil = session is null ? bus.Time.GetUtcNow() + bus.LockDuration : _sessions[session].Until;
                locked.Add(Received(message));
            }
        }

        return locked;
    }

    internal void Complete(ServiceBusReceivedMessage message) => Settle(message, m => m.State = FakeMessageState.Completed);

    internal void Abandon(ServiceBusReceivedMessage message) => Settle(message, m =>
    {
        m.State = FakeMessageState.Available;
        m.Abandons++;
    });

    internal void DeadLetter(ServiceBusReceivedMessage message, string? reason, string? description) => Settle(message, m =>
    {
        m.State = FakeMessageState.DeadLettered;
        m.DeadLetterReason = reason;
        m.DeadLetterDescription = description;
    });

    internal void Renew(ServiceBusReceivedMessage message) => Settle(message, m =>
    {
        m.LockedUntil = bus.Time.GetUtcNow() + bus.LockDuration;
        m.Renewals++;
        message.GetRawAmqpMessage().MessageAnnotations["x-opt-locked-until"] = m.LockedUntil.UtcDateTime;
    });

    /// <summary>A session with available messages that no receiver holds, locked for <paramref name="receiver"/>; null when none.</summary>
    internal (string Session, DateTimeOffset Until)? AcceptSession(Guid receiver)
    {
        lock (_gate)
        {
            ExpireLocks();
            var session = _messages
                .Where(m => m.State == FakeMessageState.Available && m.SessionId is not null && !_sessions.ContainsKey(m.SessionId))
                .Select(m => m.SessionId!)
                .FirstOrDefault();
            if (session is null)
            {
                return null;
            }

            var until = bus.Time.GetUtcNow() + bus.LockDuration;
            _sessions[session] = (receiver, until);
            return (session, until);
        }
    }

    internal DateTimeOffset RenewSession(string session, Guid receiver)
    {
        lock (_gate)
        {
            ExpireLocks();
            if (!_sessions.TryGetValue(session, out var held) || held.Receiver != receiver)
            {
                throw new ServiceBusException($"The lock on session '{session}' was lost.", ServiceBusFailureReason.SessionLockLost, Path);
            }

            var until = bus.Time.GetUtcNow() + bus.LockDuration;
            _sessions[session] = (receiver, until);
            foreach (var message in _messages.Where(m => m.State == FakeMessageState.Locked && m.LockedBy == receiver))
            {
                message.LockedUntil = until;
            }

            return until;
        }
    }

    /// <summary>A receiver closed: a session it held is released, and its unsettled session messages are available again.</summary>
    internal void Release(Guid receiver, string? session)
    {
        lock (_gate)
        {
            if (session is not null && _sessions.TryGetValue(session, out var held) && held.Receiver == receiver)
            {
                _sessions.Remove(session);
                foreach (var message in _messages.Where(m => m.State == FakeMessageState.Locked && m.LockedBy == receiver))
                {
                    message.State = FakeMessageState.Available;
                }
            }

            Signal();
        }
    }

    /// <summary>Waits until something changed (a message arrived or came back, a lock expired), at most <paramref name="wait"/>.</summary>
    internal async Task WaitForChangeAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        Task changed;
        TimeSpan untilExpiry;
        lock (_gate)
        {
            changed = _changed.Task;
            var now = bus.Time.GetUtcNow();
            var next = _messages.Where(m => m.State == FakeMessageState.Locked).Select(m => m.LockedUntil).DefaultIfEmpty(DateTimeOffset.MaxValue).Min();
            untilExpiry = next == DateTimeOffset.MaxValue ? Timeout.InfiniteTimeSpan : next - now;
        }

        if (untilExpiry != Timeout.InfiniteTimeSpan && untilExpiry < wait)
        {
            wait = untilExpiry < TimeSpan.Zero ? TimeSpan.Zero : untilExpiry + TimeSpan.FromMilliseconds(10);
        }

        await Task.WhenAny(changed, Task.Delay(wait, bus.Time, cancellationToken));
        cancellationToken.ThrowIfCancellationRequested();
    }

    private void Settle(ServiceBusReceivedMessage received, Action<FakeStoredMessage> settle)
    {
        var token = Guid.Parse(received.LockToken);
        lock (_gate)
        {
            ExpireLocks();
            var message = _messages.FirstOrDefault(m => m.LockToken == token && m.State == FakeMessageState.Locked)
                ?? throw new ServiceBusException(
                    $"The lock on message {received.SequenceNumber} was lost (it expired, or the message was settled).", ServiceBusFailureReason.MessageLockLost, Path);
            if (message.SessionId is { } session && (!_sessions.TryGetValue(session, out var held) || held.Receiver != message.LockedBy))
            {
                throw new ServiceBusException($"The lock on session '{session}' was lost.", ServiceBusFailureReason.SessionLockLost, Path);
            }

            settle(message);
            Signal();
        }
    }

    /// <summary>Locks past their time end: the message is available again (its delivery already counted). Under the gate.</summary>
    private void ExpireLocks()
    {
        var now = bus.Time.GetUtcNow();
        foreach (var (session, held) in _sessions.ToArray())
        {
            if (held.Until <= now)
            {
                _sessions.Remove(session);
            }
        }

        var expired = false;
        foreach (var message in _messages)
        {
            if (message.State == FakeMessageState.Locked && message.LockedUntil <= now)
            {
                message.State = FakeMessageState.Available;
                expired = true;
            }
        }

        if (expired)
        {
            Signal();
        }
    }

    private void Signal()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }

    private ServiceBusReceivedMessage Received(FakeStoredMessage message) => ServiceBusModelFactory.ServiceBusReceivedMessage(
        body: message.Sent.Body,
        messageId: message.Sent.MessageId,
        sessionId: message.Sent.SessionId,
        correlationId: message.Sent.CorrelationId,
        subject: message.Sent.Subject,
        contentType: message.Sent.ContentType,
        properties: new Dictionary<string, object>(message.Sent.ApplicationProperties),
        lockTokenGuid: message.LockToken,
        deliveryCount: message.DeliveryCount,
        lockedUntil: message.LockedUntil,
        sequenceNumber: message.SequenceNumber,
        enqueuedTime: message.EnqueuedTime);
}
