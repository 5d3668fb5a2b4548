namespace FlowActors.Grains.Triggers.ServiceBus;

/// <summary>What a trigger's receivers did, counted from their own threads.</summary>
internal sealed class ServiceBusTriggerCounters
{
    private long _received;
    private long _completed;
    private long _abandoned;
    private long _deadLettered;
    private long _renewed;

    public long Received => Interlocked.Read(ref _received);

    public long Completed => Interlocked.Read(ref _completed);

    public long Abandoned => Interlocked.Read(ref _abandoned);

    public long DeadLettered => Interlocked.Read(ref _deadLettered);

    public long Renewed => Interlocked.Read(ref _renewed);

    public string? LastError { get; set; }

    public void AddReceived(int count) => Interlocked.Add(ref _received, count);

    public void AddCompleted() => Interlocked.Increment(ref _completed);

    public void AddAbandoned() => Interlocked.Increment(ref _abandoned);

    public void AddDeadLettered() => Interlocked.Increment(ref _deadLettered);

    public void AddRenewed() => Interlocked.Increment(ref _renewed);
}
