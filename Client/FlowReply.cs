namespace FlowActors.Client;

/// <summary>What came back for a message sent with <see cref="IFlowActorsClient.SendAndWaitAsync"/>.</summary>
/// <param name="ExecutionId">The execution the message started; it goes on even when the wait timed out.</param>
/// <param name="Event">The execution's first event (output, HTTP reply or error), or null when none came in time.</param>
public sealed record FlowReply(string ExecutionId, FlowEvent? Event)
{
    /// <summary>No event arrived within the timeout.</summary>
    public bool TimedOut => Event is null;

    /// <summary>A step failed; <see cref="FlowEvent.Error"/> says which and why.</summary>
    public bool Failed => Event?.Kind == FlowEventKind.Error;

    /// <summary>The reply's JSON body, or null for an error or a timeout.</summary>
    public string? Body => Event?.Message?.Body;
}
