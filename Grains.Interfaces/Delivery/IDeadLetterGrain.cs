using FlowActors.Client;

namespace FlowActors.Grains.Interfaces.Delivery;

/// <summary>
/// One flow's dead letters, stored durably (the profile's grain storage): the newest ones up to a configured capacity,
/// with a count of the older ones dropped to make room. Key: the flow id.
/// </summary>
[Alias("FlowActors.IDeadLetterGrain")]
public interface IDeadLetterGrain : IGrainWithStringKey
{
    /// <summary>Stores what a step gave up on. Called by steps before they publish the error events of these messages.</summary>
    Task AddAsync(IReadOnlyList<DeadLetter> deadLetters);

    /// <summary>Up to <paramref name="limit"/> dead letters after skipping <paramref name="offset"/>, the newest first.</summary>
    [ReadOnly]
    Task<DeadLetterPage> ListAsync(int offset, int limit);

    /// <summary>One dead letter, or null when there is none with that id (never stored, replayed, discarded or dropped).</summary>
    [ReadOnly]
    Task<DeadLetter?> GetAsync(string id);

    /// <summary>
    /// Sends the dead letter again to the step that gave up on it and removes it; its execution counts as in flight
    /// again. With <paramref name="revision"/>, only if that step runs that component revision (otherwise
    /// <see cref="FlowStateException"/> says how to get there). Returns the execution id; null when there is no
    /// such dead letter.
    /// </summary>
    Task<string?> ReplayAsync(string id, int? revision);

    /// <summary>Removes the dead letter for good. False when there was none with that id.</summary>
    Task<bool> DiscardAsync(string id);

    /// <summary>How many were stored, kept, dropped for room, replayed and discarded.</summary>
    [ReadOnly]
    Task<DeadLetterCounts> GetCountsAsync();
}
