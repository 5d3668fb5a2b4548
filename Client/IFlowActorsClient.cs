using FlowActors.Grains.Interfaces.Components;
using FlowActors.Grains.Interfaces.Executions;
using FlowActors.Grains.Interfaces.Flows;
using FlowActors.Grains.Interfaces.Messages;

namespace FlowActors.Client;

/// <summary>
/// The FlowActors SDK: components, flows, messages and executions, without Orleans types. Refusals surface as
/// <see cref="FlowValidationException"/> (a definition is wrong: every field named), <see cref="FlowStateException"/>
/// (the flow's lifecycle does not allow it: the message says what to do first) and <see cref="ArgumentException"/>.
/// Cancellation stops the caller's wait; an operation already delivered to the cluster may still complete.
/// </summary>
public interface IFlowActorsClient
{
    /// <summary>Deploys a new revision of <paramref name="componentId"/> and returns it.</summary>
    Task<ComponentRevision> DeployComponentAsync(string componentId, ComponentDeployment deployment, CancellationToken cancellationToken = default);

    /// <summary>Every revision of <paramref name="componentId"/>, oldest first; empty when none was deployed.</summary>
    Task<IReadOnlyList<ComponentRevision>> ListComponentRevisionsAsync(string componentId, CancellationToken cancellationToken = default);

    /// <summary>The newest revision of every deployed component, by component id.</summary>
    Task<IReadOnlyList<ComponentRevision>> ListComponentsAsync(CancellationToken cancellationToken = default);

    /// <summary>Validates and stores a draft of <paramref name="flowId"/>, creating the flow if it is new.</summary>
    Task SaveDraftAsync(string flowId, FlowDefinition draft, CancellationToken cancellationToken = default);

    /// <summary>The flow's draft, or null when it has none.</summary>
    Task<FlowDefinition?> GetDraftAsync(string flowId, CancellationToken cancellationToken = default);

    /// <summary>Publishes the draft as a new revision.</summary>
    Task<PublishedFlow> PublishAsync(string flowId, CancellationToken cancellationToken = default);

    /// <summary>Starts the newest published revision; a real-time flow warms up first (see <see cref="FlowStatus.Lifecycle"/>).</summary>
    Task StartAsync(string flowId, CancellationToken cancellationToken = default);

    /// <summary>Stops the flow.</summary>
    Task StopAsync(string flowId, CancellationToken cancellationToken = default);

    /// <summary>Switches between ordinary and real-time; only while the flow is stopped.</summary>
    Task SetModeAsync(string flowId, FlowMode mode, CancellationToken cancellationToken = default);

    /// <summary>The flow's lifecycle, mode, revisions and steps.</summary>
    Task<FlowStatus> GetStatusAsync(string flowId, CancellationToken cancellationToken = default);

    /// <summary>The status of every flow that has a draft, by flow id.</summary>
    Task<IReadOnlyList<FlowStatus>> ListFlowsAsync(CancellationToken cancellationToken = default);

    /// <summary>Sends a JSON body to the flow and returns the execution id, without waiting for the execution.</summary>
    Task<string> SendAsync(string flowId, string jsonBody, IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends a JSON body and waits up to <paramref name="timeout"/> (the configured <c>ReplyTimeout</c> when null)
    /// for the execution's first output, HTTP reply or error.
    /// </summary>
    Task<FlowReply> SendAndWaitAsync(
        string flowId, string jsonBody, TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Subscribes to the flow's events (outputs, HTTP replies, errors) and returns them, from the moment this
    /// task completes, as they happen: send after awaiting it and nothing is missed. The subscription ends when
    /// the enumeration ends or <paramref name="cancellationToken"/> is cancelled (so cancel it if you never enumerate).
    /// </summary>
    Task<IAsyncEnumerable<FlowEvent>> FollowAsync(string flowId, CancellationToken cancellationToken = default);

    /// <summary>The flow's recent executions, most recently updated first, with per-step timings and errors.</summary>
    Task<IReadOnlyList<ExecutionRecord>> GetRecentExecutionsAsync(string flowId, int limit = 50, CancellationToken cancellationToken = default);

    /// <summary>One execution, or null when it is unknown or no longer kept.</summary>
    Task<ExecutionRecord?> GetExecutionAsync(string flowId, string executionId, CancellationToken cancellationToken = default);

    /// <summary>Creates or replaces the secret of the flow's webhook (<c>/hooks/{flowId}</c>) and returns it.</summary>
    Task<string> RotateWebhookSecretAsync(string flowId, CancellationToken cancellationToken = default);

    /// <summary>Removes the flow's webhook.</summary>
    Task DeleteWebhookAsync(string flowId, CancellationToken cancellationToken = default);
}
