using FlowActors.Grains.Delivery;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace FlowActors.Grains.Steps;

/// <summary>How steps run their containers. Bound from configuration section <c>FlowActors:Steps</c>.</summary>
public sealed class StepOptions
{
    public const string Section = "FlowActors:Steps";

    /// <summary>An ordinary step's activation (and its container) goes away after this long without a message.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Longest a real-time step's container may take from start to answering its health probe (its warm-up, or a
    /// replacement). It runs in the background: no grain call waits for it.
    /// </summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Longest an ordinary step's container may take from start to answering its health probe. The message that
    /// started it waits for this inside its stream delivery, so with <see cref="InvokeTimeout"/> it must fit in the
    /// grain-call timeout (validated at start).
    /// </summary>
    public TimeSpan ColdStartTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often a starting container's health probe is tried.</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Longest a component may take to answer one message (or one batch). An ordinary step waits for it inside a stream
    /// delivery, after a possible cold start: see <see cref="ColdStartTimeout"/>.
    /// </summary>
    public TimeSpan InvokeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a container lease lasts unless renewed; renewed at half-time while the step holds it.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How a step retries a message whose component call failed or that its component rebounded, unless its flow or
    /// step says otherwise (<c>delivery</c> in the flow definition): 5 tries in all, waiting 1 s, 2 s, 4 s, 8 s between
    /// them (each wait with jitter, between half and all of it), never more than 5 minutes; then the message is
    /// dead-lettered.
    /// </summary>
    public StepRetryOptions Retry { get; set; } = new();

    /// <summary>
    /// How many completed message ids a step remembers, to drop a message delivered again (a stream redelivery, a
    /// publisher's retry) instead of processing it twice. At least <see cref="InboxCapacity"/>.
    /// </summary>
    public int DeduplicationWindow { get; set; } = 10_000;

    /// <summary>
    /// How often, at most, a step stores the ids it completed (with its state, where the profile persists state); an
    /// activation that ends stores them at once. A silo that crashes forgets at most this long's worth.
    /// </summary>
    public TimeSpan DeduplicationSaveInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Most messages a real-time step sends its component in one call (<c>POST /invoke/batch</c>). A step batches only
    /// what queued up while its previous call was in flight, so one message in flight still goes alone.
    /// </summary>
    public int MaxBatchSize { get; set; } = 128;

    /// <summary>
    /// How many messages a step has in flight to its component at once when the step does not say (<c>concurrency</c>)
    /// and neither its step nor its flow asks to keep order. Integration steps mostly wait on other systems, so a step
    /// that took one message at a time would move at most 1 / (its call's latency) messages a second; 16 lets a 20 ms
    /// call pass ~800 a second while an outside API sees a modest number of calls at once. A component's declared
    /// maximum (<c>descriptor.maxConcurrency</c>) always wins; one call never carries more than <see cref="MaxBatchSize"/>.
    /// </summary>
    public int DefaultConcurrency { get; set; } = 16;

    /// <summary>
    /// Most body characters a real-time step sends its component in one call: a batch ends before the message that would
    /// pass it (a message larger than this still goes, alone). Keeps a batch of large messages well under a component
    /// server's request limit (Kestrel's default is 30 MB), so it is not refused whole and retried message by message.
    /// </summary>
    public int MaxBatchBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Most messages a real-time step holds received but not yet processed; beyond it the step's stream waits
    /// (back-pressure), so a burst does not fill the silo's memory.
    /// </summary>
    public int InboxCapacity { get; set; } = 1024;

    /// <summary>
    /// How many times a step tries to hand its outputs to the next steps' streams before it gives up: an ordinary step
    /// then fails the delivery (the stream delivers the message again), a real-time step reports an error event.
    /// </summary>
    public int PublishAttempts { get; set; } = 3;

    /// <summary>
    /// The longest a stream delivery may keep a step busy: a grain call must end well within Orleans'
    /// <see cref="MessagingOptions.ResponseTimeout"/>, or the stream times out and delivers it again (a duplicate).
    /// </summary>
    internal static TimeSpan DeliveryBudget(TimeSpan responseTimeout) => responseTimeout * 0.9;
}

/// <summary>Refuses step options that cannot work, at silo start.</summary>
public sealed class StepOptionsValidator(IOptions<SiloMessagingOptions> messaging) : IValidateOptions<StepOptions>
{
    public ValidateOptionsResult Validate(string? name, StepOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Positive(options.IdleTimeout, nameof(options.IdleTimeout));
        Positive(options.StartTimeout, nameof(options.StartTimeout));
        Positive(options.ColdStartTimeout, nameof(options.ColdStartTimeout));
        Positive(options.ProbeInterval, nameof(options.ProbeInterval));
        Positive(options.InvokeTimeout, nameof(options.InvokeTimeout));
        if (options.LeaseDuration < TimeSpan.FromSeconds(1))
        {
            failures.Add($"{StepOptions.Section}:{nameof(options.LeaseDuration)} must be at least 1 second; it is {options.LeaseDuration}.");
        }

        var retry = options.Retry;
        if (retry is null)
        {
            failures.Add($"{StepOptions.Section}:{nameof(options.Retry)} must be set.");
        }
        else
        {
            if (retry.MaxAttempts < 1)
            {
                failures.Add($"{StepOptions.Section}:Retry:{nameof(retry.MaxAttempts)} must be at least 1; it is {retry.MaxAttempts}.");
            }

            Positive(retry.FirstRetryDelay, $"Retry:{nameof(retry.FirstRetryDelay)}");
            if (retry.MaxRetryDelay < retry.FirstRetryDelay)
            {
                failures.Add($"{StepOptions.Section}:Retry:{nameof(retry.MaxRetryDelay)} ({retry.MaxRetryDelay}) must be at least Retry:{nameof(retry.FirstRetryDelay)} ({retry.FirstRetryDelay}).");
            }
        }

        if (options.DeduplicationWindow < options.InboxCapacity)
        {
            failures.Add($"{StepOptions.Section}:{nameof(options.DeduplicationWindow)} must be at least {nameof(options.InboxCapacity)} ({options.InboxCapacity}); it is {options.DeduplicationWindow}.");
        }

        Positive(options.DeduplicationSaveInterval, nameof(options.DeduplicationSaveInterval));

        if (options.MaxBatchSize < 1)
        {
            failures.Add($"{StepOptions.Section}:{nameof(options.MaxBatchSize)} must be at least 1; it is {options.MaxBatchSize}.");
        }

        if (options.DefaultConcurrency is < 1 or > Client.StepDefinition.ConcurrencyLimit)
        {
            failures.Add($"{StepOptions.Section}:{nameof(options.DefaultConcurrency)} must be from 1 to {Client.StepDefinition.ConcurrencyLimit}; it is {options.DefaultConcurrency}.");
        }

        if (options.MaxBatchBytes < 1)
        {
            failures.Add($"{StepOptions.Section}:{nameof(options.MaxBatchBytes)} must be at least 1; it is {options.MaxBatchBytes}.");
        }

        if (options.InboxCapacity < options.MaxBatchSize)
        {
            failures.Add($"{StepOptions.Section}:{nameof(options.InboxCapacity)} must be at least {nameof(options.MaxBatchSize)} ({options.MaxBatchSize}); it is {options.InboxCapacity}.");
        }

        if (options.PublishAttempts < 1)
        {
            failures.Add($"{StepOptions.Section}:{nameof(options.PublishAttempts)} must be at least 1; it is {options.PublishAttempts}.");
        }

        // An ordinary step's first message waits for a container start and a component call inside one stream
        // delivery, which is a grain call: past the response timeout the stream gives up on it and delivers it again.
        var responseTimeout = messaging.Value.ResponseTimeout;
        var budget = StepOptions.DeliveryBudget(responseTimeout);
        if (options.ColdStartTimeout + options.InvokeTimeout > budget)
        {
            failures.Add(
                $"{StepOptions.Section}:{nameof(options.ColdStartTimeout)} ({options.ColdStartTimeout}) + {StepOptions.Section}:{nameof(options.InvokeTimeout)} " +
                $"({options.InvokeTimeout}) must fit in 90 % of Orleans' grain-call timeout {nameof(SiloMessagingOptions)}.{nameof(SiloMessagingOptions.ResponseTimeout)} " +
                $"({responseTimeout}), that is {budget}: an ordinary step's first message waits for its container to start and for the component's " +
                "answer inside one stream delivery, which is a grain call. Lower the step timeouts or raise ResponseTimeout.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Positive(TimeSpan value, string field)
        {
            if (value <= TimeSpan.Zero)
            {
                failures.Add($"{StepOptions.Section}:{field} must be a positive duration; it is {value}.");
            }
        }
    }
}
