using Microsoft.Extensions.Options;

namespace FlowActors.Client.Hosting;

/// <summary>Refuses options the client could never connect with, naming the setting and the fix.</summary>
internal sealed class FlowActorsClientOptionsValidator : IValidateOptions<FlowActorsClientOptions>
{
    public ValidateOptionsResult Validate(string? name, FlowActorsClientOptions options)
    {
        var errors = new List<string>();
        const string s = FlowActorsClientOptions.Section;
        if (!Enum.IsDefined(options.Clustering))
        {
            errors.Add($"{s}:Clustering is '{options.Clustering}'; set 'Localhost' or 'AzureTable'.");
        }

        if (options.Clustering == FlowActorsClustering.Localhost && options.GatewayPort is < 1 or > 65535)
        {
            errors.Add($"{s}:GatewayPort is {options.GatewayPort}; set the silo's gateway port (1-65535, 30000 by default).");
        }

        if (options.Clustering == FlowActorsClustering.AzureTable)
        {
            var byConnectionString = !string.IsNullOrWhiteSpace(options.AzureTableConnectionString);
            if (!byConnectionString && options.AzureTableServiceUri is null)
            {
                errors.Add($"{s}:AzureTableConnectionString is empty; with Clustering 'AzureTable' set the storage account's connection string (UseDevelopmentStorage=true for Azurite), " +
                    $"or {s}:AzureTableServiceUri to reach the table with DefaultAzureCredential.");
            }
            else if (byConnectionString && options.AzureTableServiceUri is not null)
            {
                errors.Add($"{s}:AzureTableConnectionString and {s}:AzureTableServiceUri are both set; use one of them, not both.");
            }

            if (options.AzureTableServiceUri is { IsAbsoluteUri: false } or { Scheme: not ("https" or "http") })
            {
                errors.Add($"{s}:AzureTableServiceUri is '{options.AzureTableServiceUri}'; set an absolute https URI such as https://ACCOUNT.table.core.windows.net/.");
            }

            if (!AzureResourceNames.IsValidPrefix(options.AzureResourcePrefix))
            {
                errors.Add($"{s}:AzureResourcePrefix is '{options.AzureResourcePrefix}'; set the silos' FlowActors:Azure:ResourcePrefix (3-24 lowercase letters or digits, starting with a letter).");
            }
        }

        if (string.IsNullOrWhiteSpace(options.ClusterId) || string.IsNullOrWhiteSpace(options.ServiceId))
        {
            errors.Add($"{s}:ClusterId and {s}:ServiceId must be set to the silos' values ('dev' and 'flowactors' for the embedded silo).");
        }

        if (options.ReplyTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{s}:ReplyTimeout is {options.ReplyTimeout}; set a positive time such as 00:00:30.");
        }

        if (options.FollowBufferCapacity is < 1 or > 1_000_000)
        {
            errors.Add($"{s}:FollowBufferCapacity is {options.FollowBufferCapacity}; set between 1 and 1000000 events.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
