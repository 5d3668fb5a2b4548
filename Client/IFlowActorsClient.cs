
namespace FlowActors.Client;

/// <summary>
/// The FlowActors SDK: components, flows, messages and executions, without Orleans types. Refusals surface as
/// <see cref="FlowValidationException"/> (a definition is wrong: every field named), <see cref="TriggerValidationException"/>
/// (trigger settings are wrong: every field named), <see cref="FlowStateException"/>
/// (the flow's lifecycle does not allow it: the message says what to do first), <see cref="FlowBusyException"/> (the
/// flow's backlog is full: send again after its <see cref="FlowBusyException.RetryAfter"/>) and <see cref="ArgumentException"/>.
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

    /// <summary>
    /// Validates and stores a draft of <paramref name="flowId"/>, creating the flow if it is new. A step's
    /// configuration is the JSON text of an object: <see cref="StepConfiguration.From"/> writes it from one.
    /// </summary>
    Task SaveDraftAsync(string flowId, FlowDefinition draft, CancellationToken cancellationToken = default);

    /// <summary>The flow's draft, or null when it has none.</summary>
    Task<FlowDefinition?> GetDraftAsync(string flowId, CancellationToken cancellationToken = default);

    /// <summary>Publishes the draft as a new revision.</summary>
    Task<PublishedFlow> PublishAsync(string flowId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts the newest published revision. An ordinary flow runs at once; a real-time flow warms up first
    /// (<see cref="FlowLifecycle.WarmingUp"/>): <see cref="WaitUntilRunningAsync"/> waits for it.
    /// </summary>
    Task StartAsync(string flowId, CancellationToken cancellationToken = default);

    /// <summary>Stops the flow.</summary>
    Task StopAsync(string flowId, CancellationToken cancellationToken = default);

    /// <summary>Switches between ordinary and real-time; only while the flow is stopped.</summary>
    Task SetModeAsync(string flowId, FlowMode mode, CancellationToken cancellationToken = default);

    /// <summary>The flow's lifecycle, mode, revisions and steps.</summary>
    Task<FlowStatus> GetStatusAsync(string flowId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Waits until the flow is <paramref name="lifecycle"/> and returns its status. Throws <see cref="FlowStateException"/>
    /// when the flow fails instead (its error in the message), <see cref="TimeoutException"/> after
    /// <paramref name="timeout"/> (two minutes when null), naming the lifecycle it was in.
    /// </summary>
    Task<FlowStatus> WaitForLifecycleAsync(string flowId, FlowLifecycle lifecycle, TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Waits until the flow runs (a real-time flow: until every step is warm) and returns its status; see
    /// <see cref="WaitForLifecycleAsync"/>.
    /// </summary>
    Task<FlowStatus> WaitUntilRunningAsync(string flowId, TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>The status of every flow that has a draft, by flow id.</summary>
    Task<IReadOnlyList<FlowStatus>> ListFlowsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends a JSON body to the flow and returns the execution id, without waiting for the execution. Its outputs
    /// can be read later with <see cref="GetExecutionAsync"/>.
    /// </summary>
    Task<string> SendAsync(string flowId, string jsonBody, IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends a JSON body and waits up to <paramref name="timeout"/> (the configured <c>ReplyTimeout</c> when null)
    /// for the execution's first output, HTTP reply or error; with <paramref name="until"/>, for the first of its
    /// events that matches (e.g. <c>e =&gt; e.Kind is FlowEventKind.HttpReply or FlowEventKind.Error</c>). A predicate
    /// that throws fails this call with its exception.
    /// </summary>
    Task<FlowReply> SendAndWaitAsync(
        string flowId,
        string jsonBody,
        TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string>? headers = null,
        Func<FlowEvent, bool>? until = null,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// The flow's events (outputs, HTTP replies, errors) as they happen: <c>await foreach (var e in client.FollowAsync(id, ct))</c>.
    /// Subscribing starts when this is called and is in place before the first <c>MoveNextAsync</c> completes (which
    /// throws if it could not subscribe). Messages sent through this client after the call wait for the
    /// subscription, so "follow, then send" never misses their events; events of messages others sent meanwhile may be.
    /// The events can be enumerated once. The subscription ends when the enumeration ends or
    /// <paramref name="cancellationToken"/> is cancelled (so cancel it if you never enumerate). A reader that falls
    /// more than <c>FollowBufferCapacity</c> events behind gets <see cref="FollowOverflowException"/> after the buffered ones.
    /// </summary>
    IAsyncEnumerable<FlowEvent> FollowAsync(string flowId, CancellationToken cancellationToken = default);

    /// <summary>The flow's recent executions, most recently updated first, with per-step timings, errors and outputs.</summary>
    Task<IReadOnlyList<ExecutionRecord>> GetRecentExecutionsAsync(string flowId, int limit = 50, CancellationToken cancellationToken = default);

    /// <summary>
    /// One execution with its outputs (bodies kept up to <c>FlowActors:Executions:MaxOutputBytes</c>, truncation
    /// marked), or null when it is unknown, not finished a step yet, or no longer kept.
    /// </summary>
    Task<ExecutionRecord?> GetExecutionAsync(string flowId, string executionId, CancellationToken cancellationToken = default);

    /// <summary>Creates or replaces the secret of the flow's webhook (<c>/hooks/{flowId}</c>) and returns it.</summary>
    Task<string> RotateWebhookSecretAsync(string flowId, CancellationToken cancellationToken = default);

    /// <summary>Removes the flow's webhook.</summary>
    Task DeleteWebhookAsync(string flowId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The flow's exact counters: accepted, completed, failed, dead-lettered, duplicates dropped, in flight (and
    /// rejected, replayed, expired, outcome unknown). Unlike the recent executions, these are never trimmed.
    /// </summary>
    Task<FlowCounters> GetCountersAsync(string flowId, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="limit"/> of the flow's dead letters after skipping <paramref name="offset"/>, the newest first.</summary>
    Task<DeadLetterPage> ListDeadLettersAsync(string flowId, int offset = 0, int limit = 50, CancellationToken cancellationToken = default);

    /// <summary>One dead letter (body, headers, step, error, attempts), or null when there is none with that id.</summary>
    Task<DeadLetter?> GetDeadLetterAsync(string flowId, string deadLetterId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends the dead letter again to the step that gave up on it, and removes it; returns its execution id, or null
    /// when there is no such dead letter. With <paramref name="revision"/>, only if that step runs that component
    /// revision (otherwise <see cref="FlowStateException"/> says how to get there).
    /// </summary>
    Task<string?> ReplayDeadLetterAsync(string flowId, string deadLetterId, int? revision = null, CancellationToken cancellationToken = default);

    /// <summary>Removes the dead letter for good; false when there was none with that id.</summary>
    Task<bool> DiscardDeadLetterAsync(string flowId, string deadLetterId, CancellationToken cancellationToken = default);

    /// <summary>The flow's webhook, Service Bus trigger and schedule (secrets left out).</summary>
    Task<TriggersOverview> GetTriggersAsync(string flowId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates or updates the flow's Service Bus trigger; while the flow runs, it receives (and reconnects after an
    /// update). The connection string is write-only: it is never returned, and a null one keeps the stored one. Invalid
    /// settings throw <see cref="TriggerValidationException"/> naming every field.
    /// </summary>
    Task<ServiceBusTriggerInfo> SetServiceBusTriggerAsync(string flowId, ServiceBusTriggerSettings settings, CancellationToken cancellationToken = default);

    /// <summary>The flow's Service Bus trigger without its secret, or null when it has none.</summary>
    Task<ServiceBusTriggerInfo?> GetServiceBusTriggerAsync(string flowId, CancellationToken cancellationToken = default);

    /// <summary>Closes and forgets the flow's Service Bus trigger.</summary>
    Task RemoveServiceBusTriggerAsync(string flowId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates or replaces the flow's schedule: while the flow runs, each tick invokes its entry step's trigger. Invalid
    /// settings throw <see cref="TriggerValidationException"/> naming every field.
    /// </summary>
    Task<ScheduleInfo> SetScheduleAsync(string flowId, ScheduleSettings settings, CancellationToken cancellationToken = default);

    /// <summary>The flow's schedule with its counters and snapshot, or null when it has none.</summary>
    Task<ScheduleInfo?> GetScheduleAsync(string flowId, CancellationToken cancellationToken = default);

    /// <summary>Stops and forgets the flow's schedule, snapshot included.</summary>
    Task RemoveScheduleAsync(string flowId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates the named credential or replaces all its fields (a rotation): afterwards it has exactly
    /// <paramref name="fields"/>. Values are write-only: they are sealed on arrival and never returned; running flows
    /// hand the new values to their next component call. Throws <see cref="ArgumentException"/> naming the field.
    /// </summary>
    Task<CredentialInfo> SetCredentialAsync(string credentialId, IReadOnlyDictionary<string, string> fields, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sets some fields of an existing or new credential and keeps the others; a null value removes that field.
    /// </summary>
    Task<CredentialInfo> UpdateCredentialAsync(string credentialId, IReadOnlyDictionary<string, string?> fields, CancellationToken cancellationToken = default);

    /// <summary>The credential's field names and when they changed (never the values), or null when there is none such.</summary>
    Task<CredentialInfo?> GetCredentialAsync(string credentialId, CancellationToken cancellationToken = default);

    /// <summary>Every credential (names and times only), by id.</summary>
    Task<IReadOnlyList<CredentialInfo>> ListCredentialsAsync(CancellationToken cancellationToken = default);

    /// <summary>Removes the credential; false when there was none. Steps that name it fail their next call until it is set again.</summary>
    Task<bool> DeleteCredentialAsync(string credentialId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Tries step <paramref name="stepId"/> of the flow's draft on a sample body: its mapping, its component (the newest
    /// revision, in a process or container of the try's own, stopped before this returns) and the conditions of its
    /// edges. Nothing is counted and nothing reaches the next step; the flow need not run or be published. A step that
    /// fails says so in <see cref="StepTrial.Error"/>; a flow without a draft throws <see cref="FlowStateException"/>, a
    /// step the draft lacks <see cref="ArgumentException"/>.
    /// </summary>
    Task<StepTrial> TryStepAsync(
        string flowId, string stepId, string jsonBody, IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default);

    /// <summary>Tries the whole draft on a sample body, step by step from its entry step, as <see cref="TryStepAsync"/> tries one.</summary>
    Task<DraftTrial> TryDraftAsync(
        string flowId, string jsonBody, IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Evaluates a JSONata expression on a sample with the silo's own engine, as a mapping (its value) or as an edge
    /// condition (true or false): no component, no flow. Errors, syntax ones with their position, are in the result.
    /// </summary>
    Task<ExpressionTrial> EvaluateExpressionAsync(ExpressionSample sample, CancellationToken cancellationToken = default);
}
