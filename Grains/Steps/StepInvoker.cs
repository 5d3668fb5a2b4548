using System.Diagnostics;
using FlowActors.Client;
using FlowActors.ComponentProtocol;
using FlowActors.Grains.Components.Protocol;
using FlowActors.Grains.Credentials;
using FlowActors.Grains.Interfaces.Steps;
using FlowActors.Grains.Steps.Tracing;
using FlowActors.Telemetry;
using Microsoft.Extensions.Logging;

namespace FlowActors.Grains.Steps;

/// <summary>What a component made of one message: its emits, or why the call failed.</summary>
/// <param name="Refusal">Why the platform refuses the message for good before calling the component (its mapping failed), naming the step.</param>
/// <param name="Calls">How many component calls the message took (a mapping with <c>each</c> makes one per element).</param>
internal readonly record struct StepResult(FlowMessage Message, IReadOnlyList<Emit>? Emits, Exception? Error, string? Refusal = null, int Calls = 1);

/// <summary>
/// Calls a step's component, one message or a batch, and recovers what can be recovered: a dead container is
/// replaced and the call tried once more; a batch that fails otherwise (timeout, malformed reply) is retried one
/// message at a time so that only the message that caused it fails (the .NET SDK answers a message it already
/// completed from memory, so the messages a timed-out batch completed are not run again). A component without the
/// batch path gets single calls from then on. Batches are sized by time: from the component's observed time per
/// message, a batch takes what fits in half the invoke timeout, so a slow component gets small batches, not timeouts.
/// A step that names a credential hands it to every call, as the silo's copy has it at that moment (a rotation reaches
/// the next call). A call has at most the step's concurrency in flight at the component: a batch tells the component
/// how many of its messages it may run at once, and single calls go that many at a time.
/// </summary>
/// <param name="keepOrder">The step keeps order: one message at a time, whatever else it asks for.</param>
/// <remarks>One per step activation; not thread-safe (the grain's scheduler runs one turn at a time).</remarks>
internal sealed partial class StepInvoker(
    ComponentClient components,
    CredentialDirectory credentials,
    StepContainer container,
    StepOptions options,
    bool keepOrder,
    Func<Task> replaceContainer,
    StepSpanNames spans,
    ILogger logger)
{
    // How much of the invoke timeout a batch is meant to take: the rest is room for a slower moment.
    private const double BatchShareOfTimeout = 0.5;

    // Weight of the newest observation in the per-message time (an exponential moving average).
    private const double NewestWeight = 0.3;

    private Task? _replacing;
    private bool _batchNotServed;
    private TimeSpan? _perMessage;

    /// <summary>
    /// The most messages the next batch should carry: what fits in half the invoke timeout at the component's observed
    /// time per message, at most <see cref="StepOptions.MaxBatchSize"/>; 1 until a call was timed.
    /// </summary>
    public int BatchLimit => _perMessage is not { } perMessage
        ? 1
        : perMessage <= TimeSpan.Zero
            ? options.MaxBatchSize
            : (int)Math.Clamp(options.InvokeTimeout * BatchShareOfTimeout / perMessage, 1, options.MaxBatchSize);

    /// <summary>
    /// How many messages may be in flight at the component at once: the step's <c>concurrency</c> (or the silo's
    /// default), 1 when it keeps order, never more than its component's declared maximum or a batch's size.
    /// </summary>
    public int Concurrency(StepPlan plan) =>
        ResolveConcurrency(plan.Step.Concurrency, keepOrder, container.Revision?.Descriptor.MaxConcurrency, options);

    internal static int ResolveConcurrency(int? asked, bool keepOrder, int? componentMost, StepOptions options) => keepOrder
        ? 1
        : Math.Clamp(Math.Min(asked ?? options.DefaultConcurrency, componentMost ?? int.MaxValue), 1, options.MaxBatchSize);

    /// <summary>Set when the container may have died: the next call probes it first and replaces what does not answer.</summary>
    public bool Suspect { get; set; }

    /// <summary>Replaces the container; a replacement already under way is joined, not repeated.</summary>
    public async Task ReplaceContainerAsync()
    {
        _replacing ??= replaceContainer();
        try
        {
            await _replacing;
            Suspect = false;
        }
        finally
        {
            if (_replacing?.IsCompleted == true)
            {
                _replacing = null;
            }
        }
    }

    /// <summary>
    /// Waits for a replacement under way (one a death report started while the pump was between calls): meanwhile
    /// the container holds no lease, and the step must not take that for "start one".
    /// </summary>
    public Task WhenReplacedAsync() => _replacing is null ? Task.CompletedTask : ReplaceContainerAsync();

    /// <summary>What the component emits for <paramref name="message"/>; throws when the call fails.</summary>
    public async Task<IReadOnlyList<Emit>> InvokeAsync(StepPlan plan, FlowMessage message, string? snapshot, CancellationToken cancellationToken)
    {
        using var call = ComponentCallSpans.Start(spans, plan.Step.Action, [message]);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var credential = await CredentialAsync(plan, cancellationToken);
            var emits = await WithRecoveryAsync(endpoint => components.InvokeAsync(
                endpoint, plan.Step.Action, call.Messages[0], plan.Step.Configuration, snapshot, options.InvokeTimeout, cancellationToken, credential), cancellationToken);
            Observe(Stopwatch.GetElapsedTime(started), 1);
            return emits;
        }
        catch (Exception e)
        {
            if (e is ComponentInvocationException { Failure: ComponentFailure.Timeout })
            {
                Observe(options.InvokeTimeout, 1);
            }

            call.Fail(e);
            throw;
        }
    }

    /// <summary>Folds a call's time per message into the estimate that sizes batches.</summary>
    private void Observe(TimeSpan elapsed, int messages)
    {
        var sample = elapsed / messages;
        _perMessage = _perMessage is { } current ? (current * (1 - NewestWeight)) + (sample * NewestWeight) : sample;
    }

    /// <summary>One result per message, in order; never throws for a failed call, the results carry the failures.</summary>
    public async Task<StepResult[]> InvokeBatchAsync(StepPlan plan, IReadOnlyList<FlowMessage> messages, string? snapshot, CancellationToken cancellationToken)
    {
        // A lone message takes the single path: no batch framing, and one message in flight costs what it did.
        if (messages.Count == 1 || _batchNotServed)
        {
            return await OneByOneAsync(plan, messages, snapshot, cancellationToken);
        }

        using (var call = ComponentCallSpans.Start(spans, plan.Step.Action, messages))
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                var credential = await CredentialAsync(plan, cancellationToken);
                var concurrency = Concurrency(plan);
                var results = await WithRecoveryAsync(endpoint => components.InvokeBatchAsync(
                    endpoint, plan.Step.Action, call.Messages, plan.Step.Configuration, snapshot, options.InvokeTimeout, cancellationToken, credential, concurrency), cancellationToken);
                Observe(Stopwatch.GetElapsedTime(started), messages.Count);
                return [.. messages.Select((message, i) => new StepResult(message, results[i], null))];
            }
            catch (ComponentInvocationException e) when (e.Failure == ComponentFailure.Timeout && !cancellationToken.IsCancellationRequested)
            {
                // Too big for the component's pace: the next batches are smaller. Its messages go one by one, each with a
                // timeout of its own; those the component completed before the timeout are answered from its memory.
                call.Fail(e);
                _perMessage = TimeSpan.FromTicks(Math.Max(_perMessage?.Ticks ?? 0, (options.InvokeTimeout / messages.Count).Ticks * 2));
                LogBatchFailed(logger, plan.FlowId, plan.Step.Id, messages.Count, e.Message);
            }
            catch (ComponentInvocationException e) when (e.Failure == ComponentFailure.NotServed)
            {
                call.Fail(e);
                _batchNotServed = true;
                LogBatchNotServed(logger, plan.FlowId, plan.Step.Id);
            }
            catch (Exception e) when (e is ComponentInvocationException or ArgumentException && !cancellationToken.IsCancellationRequested)
            {
                // One message may have caused it (too slow, a reply the component could not write): find it.
                call.Fail(e);
                LogBatchFailed(logger, plan.FlowId, plan.Step.Id, messages.Count, e.Message);
            }
            catch (Exception e)
            {
                // The container could not be replaced, or the run ended: every message would fail the same way, one by one.
                call.Fail(e);
                return [.. messages.Select(message => new StepResult(message, null, e))];
            }
        }

        return await OneByOneAsync(plan, messages, snapshot, cancellationToken);
    }

    /// <summary>Each message in a call of its own, as many at once as the step's concurrency allows, started in order.</summary>
    private async Task<StepResult[]> OneByOneAsync(StepPlan plan, IReadOnlyList<FlowMessage> messages, string? snapshot, CancellationToken cancellationToken)
    {
        var results = new StepResult[messages.Count];
        var next = 0;

        // Lanes take the next message as they finish one; they run on the activation's scheduler, so 'next' is not raced.
        await Task.WhenAll(Enumerable.Range(0, Math.Min(Concurrency(plan), messages.Count)).Select(async _ =>
        {
            while (next < results.Length)
            {
                var i = next++;
                try
                {
                    results[i] = new StepResult(messages[i], await InvokeAsync(plan, messages[i], snapshot, cancellationToken), null);
                }
                catch (Exception e)
                {
                    results[i] = new StepResult(messages[i], null, e);
                }
            }
        }));

        return results;
    }

    /// <summary>The step's credential as this silo's copy has it now (no grain call once opened), or null when it names none.</summary>
    private async ValueTask<ComponentCredential?> CredentialAsync(StepPlan plan, CancellationToken cancellationToken) =>
        plan.Step.Credential is { } id ? await credentials.GetAsync(id, cancellationToken) : null;

    private async Task<T> WithRecoveryAsync<T>(Func<Uri, Task<T>> call, CancellationToken cancellationToken)
    {
        if (_replacing is not null || (Suspect && !await container.IsHealthyAsync(cancellationToken)))
        {
            await ReplaceContainerAsync();
        }

        var lease = container.Lease ?? throw new InvalidOperationException("The step holds no container.");
        try
        {
            var result = await call(lease.Endpoint);
            Suspect = false;
            return result;
        }
        catch (ComponentInvocationException e) when (e.Failure == ComponentFailure.Unreachable && !cancellationToken.IsCancellationRequested)
        {
            Suspect = true;

            // Replaced meanwhile (its death was reported while the call was in flight): just try the new one.
            if (container.Lease?.ContainerId == lease.ContainerId)
            {
                if (await container.IsHealthyAsync(cancellationToken))
                {
                    throw;
                }

                // The container died under the call: replace it and try once more.
                await ReplaceContainerAsync();
            }
            else if (_replacing is not null)
            {
                await ReplaceContainerAsync();
            }

            var result = await call((container.Lease ?? throw new InvalidOperationException("The step holds no container.")).Endpoint);
            Suspect = false;
            return result;
        }
    }

    [LoggerMessage(EventId = 1130, Level = LogLevel.Information, Message = "Flow {FlowId} step {StepId}: the component does not serve batches; its messages go one by one")]
    private static partial void LogBatchNotServed(ILogger logger, string flowId, string stepId);

    [LoggerMessage(EventId = 1131, Level = LogLevel.Warning, Message = "Flow {FlowId} step {StepId}: a batch of {Count} failed ({Reason}); retrying its messages one by one")]
    private static partial void LogBatchFailed(ILogger logger, string flowId, string stepId, int count, string reason);
}
