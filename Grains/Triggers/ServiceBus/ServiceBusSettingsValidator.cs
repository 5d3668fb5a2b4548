using System.Text.RegularExpressions;
using Azure.Messaging.ServiceBus;
using FlowActors.Client;

namespace FlowActors.Grains.Triggers.ServiceBus;

/// <summary>
/// Checks Service Bus trigger settings. Pure. Errors name the field and what was expected, and never repeat the
/// connection string (it is a secret, and error messages are shown and logged).
/// </summary>
public static partial class ServiceBusSettingsValidator
{
    public const int MaxConcurrency = 64;
    public const int MaxPrefetch = 1000;

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._\-/]{0,259}$")]
    private static partial Regex EntityName();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._\-]{0,49}$")]
    private static partial Regex SubscriptionName();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9\-]*(\.[A-Za-z0-9\-]+)+$")]
    private static partial Regex HostName();

    /// <summary>
    /// The settings to store: <paramref name="incoming"/>, keeping <paramref name="stored"/>'s connection string when
    /// none is given and no namespace replaces it (the secret is write-only: an update need not send it again).
    /// </summary>
    public static ServiceBusTriggerSettings Merge(ServiceBusTriggerSettings incoming, ServiceBusTriggerSettings? stored)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        return incoming is { ConnectionString: null, FullyQualifiedNamespace: null } && stored?.ConnectionString is { } kept
            ? incoming with { ConnectionString = kept }
            : incoming;
    }

    public static IReadOnlyList<ValidationError> Validate(ServiceBusTriggerSettings? settings)
    {
        var errors = new List<ValidationError>();
        if (settings is null)
        {
            errors.Add(new("serviceBus", "Service Bus settings are required."));
            return errors;
        }

        switch (settings)
        {
            case { ConnectionString: null, FullyQualifiedNamespace: null }:
                errors.Add(new("connectionString",
                    "Give a 'connectionString', or a 'fullyQualifiedNamespace' (e.g. \"contoso.servicebus.windows.net\") for the silo to sign in with DefaultAzureCredential."));
                break;
            case { ConnectionString: not null, FullyQualifiedNamespace: not null }:
                errors.Add(new("fullyQualifiedNamespace", "Give a 'connectionString' or a 'fullyQualifiedNamespace', not both."));
                break;
            case { ConnectionString: { } connectionString }:
                ValidateConnectionString(connectionString, settings, errors);
                break;
            case { FullyQualifiedNamespace: { } host } when !HostName().IsMatch(host):
                errors.Add(new("fullyQualifiedNamespace", $"'{host}' is not a host name: give the namespace's host, e.g. \"contoso.servicebus.windows.net\" (no scheme, no path)."));
                break;
        }

        ValidateEntity(settings, errors);
        if (settings.Concurrency is < 1 or > MaxConcurrency)
        {
            errors.Add(new("concurrency", $"The concurrency is {settings.Concurrency}; it must be 1 to {MaxConcurrency}."));
        }

        if (settings.Prefetch is < 0 or > MaxPrefetch)
        {
            errors.Add(new("prefetch", $"The prefetch is {settings.Prefetch}; it must be 0 to {MaxPrefetch}."));
        }

        return errors;
    }

    /// <summary>The namespace's host name, for showing: from the connection string's endpoint, or as configured.</summary>
    public static string NamespaceOf(ServiceBusTriggerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.FullyQualifiedNamespace is { } host)
        {
            return host;
        }

        try
        {
            return ServiceBusConnectionStringProperties.Parse(settings.ConnectionString!).FullyQualifiedNamespace;
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            return "(invalid connection string)";
        }
    }

    private static void ValidateConnectionString(string connectionString, ServiceBusTriggerSettings settings, List<ValidationError> errors)
    {
        ServiceBusConnectionStringProperties properties;
        try
        {
            properties = ServiceBusConnectionStringProperties.Parse(connectionString);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            // The parser's own message may quote the string: not repeated here.
            errors.Add(new("connectionString",
                "This is not a Service Bus connection string: expected \"Endpoint=sb://NAMESPACE.servicebus.windows.net/;SharedAccessKeyName=NAME;SharedAccessKey=KEY\"."));
            return;
        }

        if (properties.Endpoint is null || (properties.SharedAccessKey is null && properties.SharedAccessSignature is null))
        {
            errors.Add(new("connectionString",
                "The connection string needs an Endpoint and a SharedAccessKeyName with its SharedAccessKey (or a SharedAccessSignature)."));
        }

        if (properties.EntityPath is { Length: > 0 } entity && entity != (settings.Queue ?? settings.Topic))
        {
            errors.Add(new("connectionString",
                $"The connection string is scoped to entity '{entity}', not to the configured {(settings.Queue is null ? "topic" : "queue")}: use a namespace-level connection string, or configure '{entity}'."));
        }
    }

    private static void ValidateEntity(ServiceBusTriggerSettings settings, List<ValidationError> errors)
    {
        switch (settings)
        {
            case { Queue: null, Topic: null }:
                errors.Add(new("queue", "Give a 'queue', or a 'topic' and its 'subscription'."));
                return;
            case { Queue: not null, Topic: not null }:
                errors.Add(new("topic", "Give a 'queue', or a 'topic' and its 'subscription', not both."));
                return;
            case { Queue: not null, Subscription: not null }:
                errors.Add(new("subscription", "A queue has no subscriptions: leave 'subscription' out, or give the 'topic' it belongs to instead of the queue."));
                return;
            case { Topic: not null, Subscription: null }:
                errors.Add(new("subscription", "A topic is received from through one of its subscriptions: give 'subscription'."));
                return;
        }

        if ((settings.Queue ?? settings.Topic) is { } entity && !EntityName().IsMatch(entity))
        {
            errors.Add(new(settings.Queue is null ? "topic" : "queue",
                $"'{entity}' is not a Service Bus entity name: 1-260 letters, digits, '.', '-', '_' or '/', starting with a letter or digit."));
        }

        if (settings.Subscription is { } subscription && !SubscriptionName().IsMatch(subscription))
        {
            errors.Add(new("subscription", $"'{subscription}' is not a subscription name: 1-50 letters, digits, '.', '-' or '_', starting with a letter or digit."));
        }
    }
}
