using System.Collections.Concurrent;
using Azure.Identity;
using Azure.Messaging.ServiceBus;

namespace FlowActors.ServiceBusComponent;

/// <summary>
/// The senders the component sends with: one client per namespace and one sender per entity, kept for the life of the
/// process (opening an AMQP connection per message would cost more than the send). Tests make it with a client factory
/// of their own, built on the SDK's test seams.
/// </summary>
public sealed class ServiceBusSenders(Func<SendSettings, ServiceBusClient> createClient) : IAsyncDisposable
{
    private static readonly ServiceBusClientOptions Options = new()
    {
        RetryOptions = new ServiceBusRetryOptions { Mode = ServiceBusRetryMode.Exponential, MaxRetries = 3 },
    };

    private readonly ConcurrentDictionary<string, Lazy<ServiceBusClient>> _clients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Client, string Entity), ServiceBusSender> _senders = new();

    /// <summary>Real clients: by connection string, or by namespace with <see cref="DefaultAzureCredential"/>.</summary>
    public ServiceBusSenders()
        : this(settings => settings.ConnectionString is { } connectionString
            ? new ServiceBusClient(connectionString, Options)
            : new ServiceBusClient(settings.FullyQualifiedNamespace, new DefaultAzureCredential(), Options))
    {
    }

    /// <summary>The sender for the settings' entity; throws <see cref="ArgumentException"/>/<see cref="FormatException"/> for a connection string the SDK refuses.</summary>
    public ServiceBusSender Get(SendSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var key = settings.ConnectionString ?? settings.FullyQualifiedNamespace!;
        var client = _clients.GetOrAdd(key, _ => new Lazy<ServiceBusClient>(() => createClient(settings)));
        try
        {
            return _senders.GetOrAdd((key, settings.Entity), k => client.Value.CreateSender(k.Entity));
        }
        catch
        {
            _clients.TryRemove(key, out _); // a client that could not be made is tried again at the next message
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var sender in _senders.Values)
        {
            await sender.DisposeAsync();
        }

        foreach (var client in _clients.Values.Where(c => c.IsValueCreated))
        {
            await client.Value.DisposeAsync();
        }
    }
}
