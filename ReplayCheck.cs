namespace FlowActors.Grains.Interfaces.Webhooks;

/// <summary>The outcome of <see cref="IWebhookReplayGuardGrain.TryRememberAsync"/>.</summary>
[GenerateSerializer, Alias("FlowActors.ReplayCheck")]
public enum ReplayCheck
{
    /// <summary>First time: remembered now.</summary>
    Fresh = 0,

    /// <summary>Seen within the window: a replay.</summary>
    Replayed = 1,

    /// <summary>The flow remembers as many signatures as it may; try again when older ones expire.</summary>
    Full = 2,
}
