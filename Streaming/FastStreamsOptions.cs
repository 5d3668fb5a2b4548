namespace FlowActors.Streaming;

/// <summary>
/// Tunables of a fast-streams provider (<see cref="FastStreamsHostingExtensions.AddFastStreams(Orleans.Hosting.ISiloBuilder, string, Action{ISiloFastStreamsConfigurator}?)"/>).
/// Silos and clients of one cluster must agree on <see cref="QueueCount"/>: it decides which queue a stream maps to.
/// </summary>
public sealed class FastStreamsOptions
{
    /// <summary>Number of queues the streams are spread over; each has one pulling agent and one queue grain.</summary>
    public int QueueCount { get; set; } = 8;

    /// <summary>
    /// How long a read of an empty queue waits for an enqueue before returning nothing. Longer means fewer idle
    /// wake-ups (idle CPU); it bounds nothing on the hot path, since an enqueue ends the wait at once.
    /// </summary>
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Most messages one read takes from a queue.</summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>
    /// The pulling agent's timer period (<c>StreamPullingAgentOptions.GetQueueMsgsTimerPeriod</c>). It is only the
    /// gap after a read returned nothing (a wait timed out, a new stream's registration was pending, the cache was
    /// under pressure), so it stays short; the waiting read, not the timer, keeps an idle agent quiet.
    /// </summary>
    public TimeSpan PullingPeriod { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Most messages a queue holds before enqueues fail: back-pressure for producers instead of unbounded memory.</summary>
    public int MaxQueueLength { get; set; } = 100_000;

    /// <summary>Messages each pulling agent's cache holds (Orleans' <c>SimpleQueueCache</c>); reads pause while it is under pressure.</summary>
    public int CacheSize { get; set; } = 4096;
}
