namespace FlowActors.Client;

/// <summary>
/// A file a component revision runs (its script, its dll: a path its launch names), with the content it had when the
/// revision was deployed. The local-process runtime refuses to start the revision once the file has other content, so
/// a revision keeps running the code it was deployed with, or says that it cannot.
/// </summary>
/// <param name="Path">The path as the launch gives it (<c>./greet.js</c>, <c>/opt/c/main.py</c>), resolved on each silo.</param>
/// <param name="Sha256">The file's SHA-256 at deployment, lowercase hex.</param>
[GenerateSerializer, Immutable, Alias("FlowActors.PinnedFile")]
public sealed record PinnedFile(
    [property: Id(0)] string Path,
    [property: Id(1)] string Sha256);
