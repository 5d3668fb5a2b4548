namespace FlowActors.Client;

/// <summary>
/// Exact per-flow counts of executions, kept apart from the bounded execution history. An execution is in flight from
/// the moment the flow accepts its message until its first outcome: an output, an HTTP reply, an error, or its message
/// ending at a step that emitted nothing. Later outcomes of the same execution (fan-out) do not count again.
/// </summary>
/// <param name="Accepted">Messages the flow accepted (each starts an execution).</param>
/// <param name="Completed">Executions whose first outcome was an output, an HTTP reply, or an end without output.</param>
/// <param name="Failed">Executions whose first outcome was an error (dead-lettered ones included).</param>
/// <param name="InFlight">Accepted or replayed executions with no outcome yet; bounded by the flow's backlog.</param>
/// <param name="Rejected">Messages refused because the backlog was full (429/503, <see cref="FlowBusyException"/>).</param>
/// <param name="Replayed">Dead letters sent again: each puts its execution back in flight.</param>
/// <param name="Expired">
/// Executions that had no outcome within the in-flight timeout although the flow's counting was there all along: lost
/// with a silo. No longer in flight.
/// </param>
/// <param name="DuplicatesDropped">Redelivered messages steps had already processed and dropped.</param>
/// <param name="DeadLettered">Messages steps gave up on and stored as dead letters.</param>
/// <param name="Unrouted">Outputs that no edge of their step took (each ends its branch; its execution shows it).</param>
/// <param name="OutcomeUnknown">
/// Executions that had no outcome within the in-flight timeout while the silo that counted this flow had died since
/// they were accepted: their outcome may have been counted there and lost with its last second of counting, so they are
/// not counted as lost. No longer in flight.
/// </param>
[GenerateSerializer, Immutable, Alias("FlowActors.FlowCounters")]
public sealed record FlowCounters(
    [property: Id(0)] long Accepted,
    [property: Id(1)] long Completed,
    [property: Id(2)] long Failed,
    [property: Id(3)] int InFlight,
    [property: Id(4)] long Rejected,
    [property: Id(5)] long Replayed,
    [property: Id(6)] long Expired,
    [property: Id(7)] long DuplicatesDropped,
    [property: Id(8)] long DeadLettered = 0,
    [property: Id(9)] long Unrouted = 0,
    [property: Id(10)] long OutcomeUnknown = 0);
