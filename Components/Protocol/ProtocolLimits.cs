namespace FlowActors.ComponentProtocol;

/// <summary>
/// Limits that the platform and components apply alike, so that what one side accepts the other can read.
/// </summary>
public static class ProtocolLimits
{
    /// <summary>
    /// How deeply a message body may nest (arrays and objects). The platform refuses deeper bodies where they enter
    /// (HTTP API, webhooks: 400), so a body that got in always fits a component's request.
    /// </summary>
    public const int MaxBodyDepth = 64;

    /// <summary>
    /// The levels a protocol envelope adds around a body (<c>{"messages":[{"body":…}]}</c> of a batch request,
    /// <c>{"results":[{"emits":[{"body":…}]}]}</c> of a batch reply), with room to spare.
    /// </summary>
    public const int EnvelopeDepth = 8;

    /// <summary>The depth both sides read protocol requests and replies with: a body at <see cref="MaxBodyDepth"/> plus its envelope.</summary>
    public const int MaxDepth = MaxBodyDepth + EnvelopeDepth;
}
