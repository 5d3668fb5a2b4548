using System.Text.Json;
using FlowActors.ComponentProtocol;
using Microsoft.AspNetCore.Http;

namespace FlowActors.ComponentSdk;

/// <summary>What an action handler gets: the message, the step's configuration and snapshot.</summary>
public sealed class ActionContext(InvokeRequest request, JsonElement? startConfiguration, HttpContext httpContext)
{
    /// <summary>The action the step names.</summary>
    public string Action => request.Action;

    public ProtocolMessage Message => request.Message;

    /// <summary>The message body (a JSON document).</summary>
    public JsonElement Body => request.Message.Body;

    /// <summary>
    /// The step's configuration: the one sent with this call, else the one the component was started with
    /// (<see cref="ProtocolPaths.ConfigurationVariable"/>), else null.
    /// </summary>
    public JsonElement? Configuration => request.Configuration ?? startConfiguration;

    /// <summary>The last snapshot the step emitted, or null.</summary>
    public JsonElement? Snapshot => request.Snapshot;

    /// <summary>
    /// The named credential the step uses (<c>"credential"</c> on the step), as it is for this call; null when the step
    /// names none. Read its fields with <c>Credential["apiKey"]</c>; never log them.
    /// </summary>
    public ProtocolCredential? Credential => request.Credential;

    /// <summary>The step's credential; throws, saying how to give the step one, when it names none.</summary>
    public ProtocolCredential RequireCredential() => request.Credential
        ?? throw new InvalidOperationException($"Action '{request.Action}' needs a credential: name one on the step (\"credential\": \"<id>\") and create it with PUT /api/credentials/<id>.");

    /// <summary>Cancelled when the platform gives up on this call (timeout, shutdown): pass it to outside calls.</summary>
    public CancellationToken Aborted => httpContext.RequestAborted;

    /// <summary>
    /// The raw HTTP exchange. Only for components that must step outside the protocol (test components that
    /// answer garbage on purpose); a handler that writes the response itself must return no emits.
    /// </summary>
    public HttpContext HttpContext => httpContext;

    /// <summary>A string property of the configuration, or null when there is none.</summary>
    public string? ConfigurationString(string name) =>
        Configuration is { ValueKind: JsonValueKind.Object } configuration
        && configuration.TryGetProperty(name, out var value)
        && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>A number property of the configuration, or null when there is none.</summary>
    public long? ConfigurationNumber(string name) =>
        Configuration is { ValueKind: JsonValueKind.Object } configuration
        && configuration.TryGetProperty(name, out var value)
        && value.TryGetInt64(out var number)
            ? number
            : null;
}
