using System.Text.Json;

namespace FlowActors.ComponentProtocol;

/// <summary>
/// One thing a component emits. <see cref="Kind"/> says which fields count:
/// <c>data</c> (Body, Headers) goes on to the next steps; <c>error</c> (Error) fails the execution at this step;
/// <c>snapshot</c> (Body) is kept for the step's next call; <c>httpReply</c> (Status, Headers, Body) answers the
/// webhook request that started the execution; <c>rebound</c> asks the platform to retry the message later (with
/// backoff, within the step's retry policy); <c>poison</c> (Error) refuses the message for good: the platform
/// dead-letters it at once, without retries.
/// </summary>
public sealed record Emit(
    string Kind,
    JsonElement? Body = null,
    IReadOnlyDictionary<string, string>? Headers = null,
    string? Error = null,
    int? Status = null)
{
    public static Emit Data(JsonElement body, IReadOnlyDictionary<string, string>? headers = null) => new(EmitKinds.Data, body, headers);

    public static Emit Fail(string error) => new(EmitKinds.Error, Error: error);

    public static Emit Rebound() => new(EmitKinds.Rebound);

    public static Emit Poison(string error) => new(EmitKinds.Poison, Error: error);
}
