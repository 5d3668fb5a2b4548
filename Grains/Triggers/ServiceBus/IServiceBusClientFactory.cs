using Azure.Identity;
using Azure.Messaging.ServiceBus;
using FlowActors.Client;

namespace FlowActors.Grains.Triggers.ServiceBus;

/// <summary>
/// Makes the Service Bus client a trigger receives with. The seam between the trigger and Azure: the silo registers
/// <see cref="ServiceBusClientFactory"/>; tests replace it with one whose clients are fakes built on the SDK's own test
/// seams, so that the trigger's real receiving and settling code runs without a namespace.
/// </summary>
public interface IServiceBusClientFactory
{
    ServiceBusClient Create(ServiceBusTriggerSettings settings);
}

/// <summary>Real clients: by connection string, or by namespace with <see cref="DefaultAzureCredential"/>.</summary>
public sealed class ServiceBusClientFactory : IServiceBusClientFactory
{
    private static readonly ServiceBusClientOptions Options = new()
    {
        // The SDK retries transient failures itself, within each receive and settle call.
        RetryOptions = new ServiceBusRetryOptions { Mode = ServiceBusRetryMode.Exponential, MaxRetries = 3 },
    };

    public ServiceBusClient Create(ServiceBusTriggerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.ConnectionString is { } connectionString
            ? new ServiceBusClient(connectionString, Options)
            : new ServiceBusClient(settings.FullyQualifiedNamespace, new DefaultAzureCredential(), Options);
    }
}
