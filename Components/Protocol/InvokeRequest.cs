using System.Text.Json;

namespace FlowActors.ComponentProtocol;

/// <summary>
/// Body of <c>POST /invoke</c>: the platform asks a component to run one of its actions (or triggers) on a message.
/// </summary>
/// <param name="Action">The trigger or action the step names.</param>
/// <param name="Message">The message to process.</param>
/// <param name="Configuration">The step's configuration (a JSON object), or null.</param>
/// <param name="Snapshot">The last snapshot the step emitted, or null.</param>
/// <param name="Credential">The named credential the step uses, or null when it names none.</param>
public sealed record InvokeRequest(
    string Action,
    ProtocolMessage Message,
    JsonElement? Configuration,
    JsonElement? Snapshot,
    ProtocolCredential? Credential = null);
