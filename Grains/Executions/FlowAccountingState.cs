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
}
