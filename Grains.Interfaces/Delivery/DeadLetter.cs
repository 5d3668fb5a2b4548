namespace FlowActors.Client;

/// <summary>
/// A message a step gave up on: its retries ran out, or its component marked it as poison. Kept durably per flow with
/// everything needed to inspect it and to replay it to <paramref name="StepId"/>.
/// </summary>
/// <param name="Id">The message's id at this hop (stable across redeliveries), so a replay is de-duplicated like any other.</param>
/// <param name="FlowId">The flow the message belongs to.</param>
/// <param name="StepId">The step that gave up on it: a replay goes there.</param>
/// <param name="Message">The message as the step received it (body, headers, execution, trace, path).</param>
/// <param name="Error">Why the step gave up (the last attempt's error).</param>
/// <param name="Attempts">Every attempt, oldest first.</param>
/// <param name="DeadLetteredAt">When the step gave up.</param>
/// <param name="Poison">True when the component refused the message for good rather than failing it.</param>
[GenerateSerializer, Immutable, Alias("FlowActors.DeadLetter")]
public sealed record DeadLetter(
    [property: Id(0)] string Id,
    [property: Id(1)] string FlowId,
    [property: Id(2)] string StepId,
    [property: Id(3)] FlowMessage Message,
    [property: Id(4)] string Error,
    [property: Id(5)] IReadOnlyList<DeliveryAttempt> Attempts,
    [property: Id(6)] DateTimeOffset DeadLetteredAt,
    [property: Id(7)] bool Poison = false);

/// <summary>One try of a step at a message.</summary>
/// <param name="At">When the attempt ended.</param>
/// <param name="Error">What went wrong.</param>
/// <param name="ComponentRevision">The component revision that was called; null when no container was reached.</param>
[GenerateSerializer, Immutable, Alias("FlowActors.DeliveryAttempt")]
public sealed record DeliveryAttempt(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string Error,
    [property: Id(2)] int? ComponentRevision = null);
