namespace FlowActors.Client;

/// <summary>
/// What to run for a component revision. The Docker runtime runs <see cref="Image"/>; the local-process
/// runtime runs <see cref="Command"/> with <see cref="Arguments"/>. Both pass <see cref="Environment"/>.
/// A revision may carry both, so the same deployment runs on either runtime; the image then gets no
/// arguments (they belong to the command), and an image-only revision passes <see cref="Arguments"/> to the image.
/// </summary>
[GenerateSerializer, Immutable, Alias("FlowActors.ComponentLaunch")]
public sealed record ComponentLaunch(
    [property: Id(0)] string? Image,
    [property: Id(1)] string? Command,
    [property: Id(2)] IReadOnlyList<string> Arguments,
    [property: Id(3)] IReadOnlyDictionary<string, string> Environment);
