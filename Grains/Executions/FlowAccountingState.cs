namespace FlowActors.Grains.Executions;

/// <summary>A flow's counters and the executions it has in flight (at most its backlog), as stored.</summary>
[GenerateSerializer, Alias("FlowActors.FlowAccountingState")]
public sealed class FlowAccountingState
{
    [Id(0)] public long Accepted { get; set; }
    [Id(1)] public long Completed { get; set; }
    [Id(2)] public long Failed { get; set; }
    [Id(3)] public long Rejected { get; set; }
    [Id(4)] public long Replayed { get; set; }
    [Id(5)] public long Expired { get; set; }
    [Id(6)] public long DuplicatesDropped { get; set; }

    /// <summary>Outputs no edge of their step took.</summary>
    [Id(8)] public long Unrouted { get; set; }

    /// <summary>Execution id → when it was accepted (or replayed).</summary>
    [Id(7)] public Dictionary<string, DateTimeOffset> InFlight { get; set; } = [];

    /// <summary>
    /// True while an activation counts (it stores every second), false once it stored its last counts as it ended: an
    /// activation that finds it true took over from one that died with up to a second of counting unstored.
    /// </summary>
    [Id(10)] public bool Counting { get; set; }

    /// <summary>
    /// Executions in flight when an activation died with unstored counts: their outcome may have been counted and lost
    /// with it, so if none comes they are not counted as expired (lost) but as <see cref="OutcomeUnknown"/>.
    /// </summary>
    [Id(11)] public HashSet<string> Uncertain { get; set; } = [];

    /// <summary>Uncertain executions that had no outcome within the in-flight timeout.</summary>
    [Id(12)] public long OutcomeUnknown { get; set; }
}
