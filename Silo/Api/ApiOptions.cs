namespace FlowActors.Silo.Api;

/// <summary>The HTTP API. Bound from <c>FlowActors:Api</c>.</summary>
public sealed class ApiOptions
{
    public const string Section = "FlowActors:Api";

    /// <summary>
    /// The admin API key. When empty, the silo makes one at first start and keeps it in
    /// <see cref="KeyFile"/>, readable only by its owner; it is never logged.
    /// </summary>
    public string? Key { get; set; }

    /// <summary>Where a generated key is kept.</summary>
    public string KeyFile { get; set; } = ".flowactors/api-key";

    /// <summary>Longest a caller may wait for a flow's reply.</summary>
    public TimeSpan MaxReplyWait { get; set; } = TimeSpan.FromSeconds(30);
}
