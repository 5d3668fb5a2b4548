using System.Threading.Channels;
using Azure.Messaging.ServiceBus;
using FlowActors.Client;
using Microsoft.Extensions.Logging;

namespace FlowActors.Grains.Triggers.ServiceBus;

/// <summary>
/// Receives one trigger's messages in peek-lock mode and settles each by what the flow made of it: completed once the
/// flow accepted it, abandoned (delivered again) on a refusal that may pass, dead-lettered with a reason on one that
/// cannot. A message's lock is renewed while the flow takes it. Without sessions, one receiver fills a small buffer
/// that <see cref="ServiceBusTriggerSettings.Concurrency"/> handlers hand over from; with sessions, that many sessions
/// are held at once and each one's messages are handed over one at a time, in order. Stopping ends receiving, lets
/// the hand-overs in progress finish (until the deadline), and abandons what was received but not handed over.
/// Runs off the grain's scheduler: it only calls the flow grain and Service Bus.
/// </summary>
internal sealed partial class ServiceBusPump
{
    private const int SessionBatch = 16;
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ShortestRenewWait = TimeSpan.FromMilliseconds(100);

    private readonly ServiceBusClient _client;
    private readonly ServiceBusTriggerSettings _settings;
    private readonly string _flowId;
    private readonly Func<FlowMessage, Task> _handOver;
    private readonly Func<Task<bool>> _flowExists;
    private readonly ServiceBusTriggerCounters _counters;
    private readonly TriggerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _receiving = new();
    private readonly CancellationTokenSource _abort = new();
    private Task _run = Task.CompletedTask;

    /// <param name="handOver">Gives a message to the flow: returns once the flow accepted it, throws its refusal.</param>
    /// <param name="flowExists">Whether the flow still exists, asked when it refuses a message as not running.</param>
    public ServiceBusPump(
        ServiceBusClient client,
        ServiceBusTriggerSettings settings,
        string flowId,
        Func<FlowMessage, Task> handOver,
        Func<Task<bool>> flowExists,
        ServiceBusTriggerCounters counters,
        TriggerOptions options,
        TimeProvider time,
        ILogger logger)
    {
        _client = client;
        _settings = settings;
        _flowId = flowId;
        _handOver = handOver;
        _flowExists = flowExists;
        _counters = counters;
        _options = options;
        _time = time;
        _logger = logger;
    }

    private string Entity => _settings.EntityPath;

    public void Start() => _run = Task.Run(() => _settings.Sessions ? RunSessionsAsync() : RunQueueAsync());

    /// <summary>
    /// Stops receiving and waits for the pump to wind down; hand-overs still running after
    /// <see cref="TriggerOptions.HandOverGrace"/>, or when <paramref name="deadline"/> is cancelled, are given up (their
    /// messages abandoned: if the flow took one after all, Service Bus delivers it again, a duplicate rather than a
    /// loss). Closes the client.
    /// </summary>
    public async Task StopAsync(CancellationToken deadline)
    {
        await _receiving.CancelAsync();
        using var grace = CancellationTokenSource.CreateLinkedTokenSource(deadline);
        grace.CancelAfter(_options.HandOverGrace);
        await using (grace.Token.Register(_abort.Cancel))
        {
            await _run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await _client.DisposeAsync();
        _receiving.Dispose();
        _abort.Dispose();
    }

    private async Task RunQueueAsync()
    {
        var options = new ServiceBusReceiverOptions { PrefetchCount = _settings.Prefetch, ReceiveMode = ServiceBusReceiveMode.PeekLock };
        await using var receiver = _settings.Queue is { } queue
            ? _client.CreateReceiver(queue, options)
            : _client.CreateReceiver(_settings.Topic, _settings.Subscription, options);
        var buffer = Channel.CreateBounded<ServiceBusReceivedMessage>(new BoundedChannelOptions(_settings.Concurrency) { SingleWriter = true });
        var handlers = Enumerable.Range(0, _settings.Concurrency).Select(_ => Task.Run(() => HandleFromAsync(receiver, buffer.Reader))).ToArray();
        try
        {
            await ReceiveIntoAsync(receiver, buffer.Writer);
        }
        finally
        {
            buffer.Writer.TryComplete();
            await Task.WhenAll(handlers);
        }

        LogStopped(_logger, _flowId, Entity);
    }

    private async Task ReceiveIntoAsync(ServiceBusReceiver receiver, ChannelWriter<ServiceBusReceivedMessage> buffer)
    {
        var backoff = FirstBackoff;
        var stopping = _receiving.Token;
        while (!stopping.IsCancellationRequested)
        {
            IReadOnlyList<ServiceBusReceivedMessage> messages;
            try
            {
                await buffer.WaitToWriteAsync(stopping);
                messages = await receiver.ReceiveMessagesAsync(_settings.Concurrency, _options.ReceiveWait, stopping);
                backoff = FirstBackoff;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                backoff = await BackOffAsync(e, backoff);
                continue;
            }

            _counters.AddReceived(messages.Count);
            for (var i = 0; i < messages.Count; i++)
            {
                try
                {
                    await buffer.WriteAsync(messages[i], stopping);
                }
                catch (OperationCanceledException)
                {
                    // Received, never handed over: back to Service Bus at once rather than when the lock expires.
                    for (; i < messages.Count; i++)
                    {
                        await AbandonAsync(receiver, messages[i], "the trigger stopped before handing it over");
                    }
                }
            }
        }
    }

    private async Task HandleFromAsync(ServiceBusReceiver receiver, ChannelReader<ServiceBusReceivedMessage> buffer)
    {
        await foreach (var message in buffer.ReadAllAsync(CancellationToken.None))
        {
            if (_receiving.IsCancellationRequested)
            {
                await AbandonAsync(receiver, message, "the trigger stopped before handing it over");
                continue;
            }

            await HandleAsync(receiver, message);
        }
    }

    private async Task RunSessionsAsync()
    {
        await Task.WhenAll(Enumerable.Range(0, _settings.Concurrency).Select(_ => Task.Run(SessionLoopAsync)));
        LogStopped(_logger, _flowId, Entity);
    }

    /// <summary>Takes the next session with messages, hands its messages over in order until it is idle, and takes another.</summary>
    private async Task SessionLoopAsync()
    {
        var backoff = FirstBackoff;
        var stopping = _receiving.Token;
        var options = new ServiceBusSessionReceiverOptions { PrefetchCount = _settings.Prefetch, ReceiveMode = ServiceBusReceiveMode.PeekLock };
        while (!stopping.IsCancellationRequested)
        {
            ServiceBusSessionReceiver session;
            try
            {
                session = _settings.Queue is { } queue
                    ? await _client.AcceptNextSessionAsync(queue, options, stopping)
                    : await _client.AcceptNextSessionAsync(_settings.Topic, _settings.Subscription, options, stopping);
                backoff = FirstBackoff;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (ServiceBusException e) when (e.Reason == ServiceBusFailureReason.ServiceTimeout)
            {
                continue; // no session has messages right now
            }
            catch (Exception e)
            {
                backoff = await BackOffAsync(e, backoff);
                continue;
            }

            await using (session)
            {
                await HandleSessionAsync(session);
            }
        }
    }

    private async Task HandleSessionAsync(ServiceBusSessionReceiver session)
    {
        using var renewal = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
        var renewing = RenewSessionLockAsync(session, renewal.Token);
        var stopping = _receiving.Token;
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                IReadOnlyList<ServiceBusReceivedMessage> messages;
                try
                {
                    messages = await session.ReceiveMessagesAsync(SessionBatch, _options.SessionIdleTimeout, stopping);
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    return;
                }

                if (messages.Count == 0)
                {
                    return; // idle: let another receiver (or this one, later) take it
                }

                _counters.AddReceived(messages.Count);
                for (var i = 0; i < messages.Count; i++)
                {
                    var handled = !stopping.IsCancellationRequested;
                    if (!handled || await HandleAsync(session, messages[i]) == Outcome.Abandoned)
                    {
                        // Order: nothing after an abandoned message may go before it. The rest go back, the session is
                        // released, and its messages come again from the abandoned one on.
                        for (i = handled ? i + 1 : i; i < messages.Count; i++)
                        {
                            await AbandonAsync(session, messages[i], "an earlier message of its session was given back, or the trigger stopped");
                        }

                        return;
                    }
                }
            }
        }
        catch (Exception e)
        {
            RecordError(e);
            LogSessionFailed(_logger, _flowId, Entity, session.SessionId, e.Message);
        }
        finally
        {
            await renewal.CancelAsync();
            await renewing;
        }
    }

    /// <summary>Hands one message to the flow and settles it by the outcome. Never throws.</summary>
    private async Task<Outcome> HandleAsync(ServiceBusReceiver receiver, ServiceBusReceivedMessage message)
    {
        var (flowMessage, poison) = ServiceBusMessages.ToFlowMessage(message, Entity);
        if (poison is { } deadLetter)
        {
            return await DeadLetterAsync(receiver, message, deadLetter);
        }

        Exception? refusal = null;
        using (var renewal = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token))
        {
            // A session's messages are locked by the session's lock, which the session loop renews.
            var renewing = receiver is ServiceBusSessionReceiver ? Task.CompletedTask : RenewMessageLockAsync(receiver, message, renewal.Token);
            try
            {
                await _handOver(flowMessage!).WaitAsync(_abort.Token);
            }
            catch (Exception e)
            {
                refusal = e;
            }
            finally
            {
                await renewal.CancelAsync();
                await renewing;
            }
        }

        if (refusal is null)
        {
            return await CompleteAsync(receiver, message);
        }

        var exists = refusal is not FlowStateException || await FlowExistsAsync();
        if (ServiceBusMessages.Permanent(refusal, _flowId, exists) is { } permanent)
        {
            return await DeadLetterAsync(receiver, message, permanent);
        }

        LogRefusedForNow(_logger, _flowId, Entity, message.SequenceNumber, message.DeliveryCount, refusal.GetType().Name, refusal.Message);
        return await AbandonAsync(receiver, message, refusal.Message);
    }

    private async Task<bool> FlowExistsAsync()
    {
        try
        {
            return await _flowExists();
        }
        catch (Exception)
        {
            return true; // cannot tell: treat it as passing, so the message is delivered again rather than dead-lettered
        }
    }

    private async Task<Outcome> CompleteAsync(ServiceBusReceiver receiver, ServiceBusReceivedMessage message)
    {
        try
        {
            await receiver.CompleteMessageAsync(message, CancellationToken.None);
            _counters.AddCompleted();
            return Outcome.Completed;
        }
        catch (Exception e)
        {
            // The flow has the message, but Service Bus will deliver it again: a duplicate, never a loss (at least once).
            RecordError(e);
            LogNotCompleted(_logger, _flowId, Entity, message.SequenceNumber, e.Message);
            return Outcome.Abandoned;
        }
    }

    private async Task<Outcome> AbandonAsync(ServiceBusReceiver receiver, ServiceBusReceivedMessage message, string why)
    {
        try
        {
            await receiver.AbandonMessageAsync(message, propertiesToModify: null, CancellationToken.None);
            _counters.AddAbandoned();
            LogAbandoned(_logger, _flowId, Entity, message.SequenceNumber, why);
        }
        catch (Exception e)
        {
            // Its lock expires instead, and Service Bus delivers it again then.
            RecordError(e);
            LogNotSettled(_logger, _flowId, Entity, message.SequenceNumber, "abandon", e.Message);
        }

        return Outcome.Abandoned;
    }

    private async Task<Outcome> DeadLetterAsync(ServiceBusReceiver receiver, ServiceBusReceivedMessage message, DeadLetter deadLetter)
    {
        try
        {
            await receiver.DeadLetterMessageAsync(message, deadLetter.Reason, deadLetter.Description, CancellationToken.None);
            _counters.AddDeadLettered();
            LogDeadLettered(_logger, _flowId, Entity, message.SequenceNumber, deadLetter.Reason, deadLetter.Description);
            return Outcome.DeadLettered;
        }
        catch (Exception e)
        {
            RecordError(e);
            LogNotSettled(_logger, _flowId, Entity, message.SequenceNumber, "dead-letter", e.Message);
            return Outcome.Abandoned;
        }
    }

    /// <summary>Renews the message's lock at half its remaining time until cancelled (the hand-over ended) or the lock is lost.</summary>
    private async Task RenewMessageLockAsync(ServiceBusReceiver receiver, ServiceBusReceivedMessage message, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var remaining = message.LockedUntil - _time.GetUtcNow();
                await Task.Delay(remaining / 2 > ShortestRenewWait ? remaining / 2 : ShortestRenewWait, _time, cancellationToken);
                await receiver.RenewMessageLockAsync(message, cancellationToken);
                _counters.AddRenewed();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // Settling will fail too and say so; Service Bus delivers the message again.
            RecordError(e);
            LogRenewFailed(_logger, _flowId, Entity, message.SequenceNumber, e.Message);
        }
    }

    private async Task RenewSessionLockAsync(ServiceBusSessionReceiver session, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var remaining = session.SessionLockedUntil - _time.GetUtcNow();
                await Task.Delay(remaining / 2 > ShortestRenewWait ? remaining / 2 : ShortestRenewWait, _time, cancellationToken);
                await session.RenewSessionLockAsync(cancellationToken);
                _counters.AddRenewed();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            RecordError(e);
            LogRenewFailed(_logger, _flowId, Entity, -1, e.Message);
        }
    }

    private async Task<TimeSpan> BackOffAsync(Exception e, TimeSpan backoff)
    {
        RecordError(e);
        LogReceiveFailed(_logger, _flowId, Entity, backoff.TotalSeconds, e.GetType().Name, e.Message);
        try
        {
            await Task.Delay(backoff, _time, _receiving.Token);
        }
        catch (OperationCanceledException)
        {
        }

        return backoff * 2 > LongestBackoff ? LongestBackoff : backoff * 2;
    }

    private void RecordError(Exception e) => _counters.LastError = $"{_time.GetUtcNow():O} {e.GetType().Name}: {e.Message}";

    private enum Outcome
    {
        Completed,
        Abandoned,
        DeadLettered,
    }

    [LoggerMessage(EventId = 7020, Level = LogLevel.Information, Message = "Flow {FlowId} stopped receiving from {Entity}")]
    private static partial void LogStopped(ILogger logger, string flowId, string entity);

    [LoggerMessage(EventId = 7021, Level = LogLevel.Warning, Message = "Flow {FlowId} could not receive from {Entity}; trying again in {Seconds:0.#} s: {ErrorType}: {Error}")]
    private static partial void LogReceiveFailed(ILogger logger, string flowId, string entity, double seconds, string errorType, string error);

    [LoggerMessage(EventId = 7022, Level = LogLevel.Information, Message = "Flow {FlowId} refused message {SequenceNumber} of {Entity} for now (delivery {DeliveryCount}, {ErrorType}: {Error}); abandoned for redelivery")]
    private static partial void LogRefusedForNow(ILogger logger, string flowId, string entity, long sequenceNumber, int deliveryCount, string errorType, string error);

    [LoggerMessage(EventId = 7023, Level = LogLevel.Warning, Message = "Flow {FlowId} dead-lettered message {SequenceNumber} of {Entity}: {Reason}: {Description}")]
    private static partial void LogDeadLettered(ILogger logger, string flowId, string entity, long sequenceNumber, string reason, string description);

    [LoggerMessage(EventId = 7024, Level = LogLevel.Debug, Message = "Flow {FlowId} abandoned message {SequenceNumber} of {Entity}: {Why}")]
    private static partial void LogAbandoned(ILogger logger, string flowId, string entity, long sequenceNumber, string why);

    [LoggerMessage(EventId = 7025, Level = LogLevel.Warning, Message = "Flow {FlowId} accepted message {SequenceNumber} of {Entity} but could not complete it ({Error}); Service Bus delivers it again")]
    private static partial void LogNotCompleted(ILogger logger, string flowId, string entity, long sequenceNumber, string error);

    [LoggerMessage(EventId = 7026, Level = LogLevel.Warning, Message = "Flow {FlowId} could not {Settlement} message {SequenceNumber} of {Entity} ({Error}); its lock expires instead")]
    private static partial void LogNotSettled(ILogger logger, string flowId, string entity, long sequenceNumber, string settlement, string error);

    [LoggerMessage(EventId = 7027, Level = LogLevel.Warning, Message = "Flow {FlowId} could not renew a lock on {Entity} (message {SequenceNumber}): {Error}")]
    private static partial void LogRenewFailed(ILogger logger, string flowId, string entity, long sequenceNumber, string error);

    [LoggerMessage(EventId = 7028, Level = LogLevel.Warning, Message = "Flow {FlowId} lost session {SessionId} of {Entity}: {Error}")]
    private static partial void LogSessionFailed(ILogger logger, string flowId, string entity, string sessionId, string error);
}
