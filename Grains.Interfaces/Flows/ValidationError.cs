namespace FlowActors.Client;

/// <summary>One problem with a flow definition.</summary>
/// <param name="Field">Where: a JSON-style path such as <c>steps[1].componentId</c> or <c>edges[0].to</c>.</param>
/// <param name="Message">What is wrong and what was expected.</param>
[GenerateSerializer, Immutable, Alias("FlowActors.ValidationError")]
public sealed record ValidationError([property: Id(0)] string Field, [property: Id(1)] string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}
