using Microsoft.Extensions.Options;

namespace FlowActors.Silo.Hosting;

/// <summary>Where a silo keeps its state and how it finds its cluster. Chosen with <c>FlowActors:Profile</c>.</summary>
public enum HostingProfile
{
    /// <summary>One silo on loopback, state in a SQLite file in its data folder (<see cref="EmbeddedProfile"/>).</summary>
    Embedded = 0,

    /// <summary>A cluster of silos on Azure Storage: tables, blobs and queues (<see cref="Azure.AzureProfile"/>).</summary>
    Azure = 1,
}

/// <summary>Reads <see cref="HostingProfile"/> from configuration.</summary>
public static class HostingProfiles
{
    public const string Key = "FlowActors:Profile";

    /// <summary>The configured profile (Embedded when unset); an unknown name is refused, naming the setting.</summary>
    public static HostingProfile Read(IConfiguration configuration)
    {
        var value = configuration[Key];
        if (string.IsNullOrWhiteSpace(value))
        {
            return HostingProfile.Embedded;
        }

        return Enum.TryParse<HostingProfile>(value, ignoreCase: true, out var profile) && Enum.IsDefined(profile)
            ? profile
            : throw new OptionsValidationException(Key, typeof(HostingProfile), [$"{Key} is '{value}'; set 'Embedded' (the default) or 'Azure'."]);
    }
}
