namespace FlowActors.Grains.Interfaces.Webhooks;

/// <summary>A silo's copy of the webhook registry, told of every change (<see cref="IWebhookRegistryGrain.SubscribeAsync"/>).</summary>
[Alias("FlowActors.IWebhookObserver")]
public interface IWebhookObserver : IGrainObserver
{
    /// <summary>One change: version <see cref="WebhookChange.Version"/> of the registry.</summary>
    Task OnChangedAsync(WebhookChange change);
}
