using FlowActors.Client;

namespace FlowActors.Grains.Delivery;

/// <summary>A message a step waits to try again, and its tries so far (stored by ordinary steps, so a retry survives the activation).</summary>
/// <param name="Message">The message as the step received it.</param>
/// <param name="Attempts">Its failed tries, oldest first.</param>
/// <param name="FirstTried">When the step first took it.</param>
/// <param name="Due">When to try it again.</param>
[GenerateSerializer, Immutable, Alias("FlowActors.PendingRetry")]
public sealed record PendingRetry(
    [property: Id(0)] FlowMessage Message,
    [property: Id(1)] IReadOnlyList<DeliveryAttempt> Attempts,
    [property: Id(2)] DateTimeOffset FirstTried,
    [property: Id(3)] DateTimeOffset Due);
