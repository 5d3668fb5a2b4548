using System.Text.Json;

namespace FlowActors.ComponentProtocol;

/// <summary>
/// Body of <c>POST /invoke/batch</c>: the platform asks a component to run one action on several messages in one
/// round trip, so the HTTP and JSON framing is paid once per batch instead of once per message.
/// </summary>
/// <param name="Action">The trigger or action the step names.</param>
/// <param name="Messages">
/// The messages to process. The component answers them in this order; it starts them in this order too, at most
/// <paramref name="Concurrency"/> at once.
/// </param>
/// <param name="Configuration">The step's configuration (a JSON object), or null.</param>
/// <param name="Snapshot">
/// The last snapshot the step emitted before this batch, or null. Every message of the batch sees it; a snapshot
/// emitted during the batch reaches the step's next call.
/// </param>
/// <param name="Credential">The named credential the step uses, or null when it names none: the same for every message.</param>
/// <param name="Concurrency">
/// How many of the messages the component may process at once (the step's concurrency, within the component's declared
/// maximum); null or 1: one after the other, each after the one before has finished.
/// </param>
public sealed record InvokeBatchRequest(
    string Action,
    IReadOnlyList<ProtocolMessage> Messages,
    JsonElement? Configuration,
    JsonElement? Snapshot,
    ProtocolCredential? Credential = null,
    int? Concurrency = null);
