namespace FlowActors.Client;

/// <summary>
/// How a step retries a message whose processing failed (the component call failed, or the component rebounded it),
/// set on a flow (for all its steps) and on a step (over the flow's). A field left null takes the flow's value, then
/// the silo's (<c>FlowActors:Steps:Retry</c>: 5 attempts, 1 s doubling up to 5 min, with jitter).
/// </summary>
/// <param name="MaxAttempts">Tries in all, the first included; after the last failed one the message is dead-lettered.</param>
/// <param name="FirstRetryDelay">The wait before the second try; each further wait doubles, with jitter.</param>
/// <param name="MaxRetryDelay">The longest wait between two tries.</param>
/// <param name="KeepOrder">
/// Real-time flows: a message being retried holds back the messages behind it, so that the step's outputs keep its
/// input's order (and so every sender's). Off by default: the messages behind a retried one go on. Ordinary flows never
/// hold messages back.
/// </param>
[GenerateSerializer, Immutable, Alias("FlowActors.DeliveryPolicy")]
public sealed record DeliveryPolicy(
    [property: Id(0)] int? MaxAttempts = null,
    [property: Id(1)] TimeSpan? FirstRetryDelay = null,
    [property: Id(2)] TimeSpan? MaxRetryDelay = null,
    [property: Id(3)] bool? KeepOrder = null)
{
    /// <summary>This policy's fields, with those it leaves null taken from <paramref name="fallback"/>.</summary>
    public DeliveryPolicy Over(DeliveryPolicy? fallback) => fallback is null ? this : new(
        MaxAttempts ?? fallback.MaxAttempts,
        FirstRetryDelay ?? fallback.FirstRetryDelay,
        MaxRetryDelay ?? fallback.MaxRetryDelay,
        KeepOrder ?? fallback.KeepOrder);
}
