namespace FlowActors.Silo.Hosting;

/// <summary>
/// Where the silo listens, which cluster it forms and where it keeps its files. Bound from <c>FlowActors:Silo</c>;
/// the defaults are Orleans' own, so a client with default settings finds a silo started with default settings.
/// </summary>
public sealed class SiloHostOptions
{
    public const string Section = "FlowActors:Silo";

    /// <summary>Silo-to-silo port on 127.0.0.1.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>The port clients (the SDK) connect to on 127.0.0.1.</summary>
    public int GatewayPort { get; set; } = 30000;

    public string ClusterId { get; set; } = "dev";

    public string ServiceId { get; set; } = "flowactors";

    /// <summary>
    /// The silo's own folder, relative to its content root (the <c>Silo/</c> folder under <c>dotnet run</c>): the
    /// embedded profile's database (<c>flowactors.db</c>) and the generated admin key (<c>api-key</c>) live here.
    /// </summary>
    public string DataFolder { get; set; } = ".flowactors";

    /// <summary>
    /// The address other silos and clients reach this silo at (Azure profile; the embedded profile is loopback only).
    /// Empty: the host's first IPv4 address, as Orleans chooses it.
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>Azure profile: listen on every address of the host (0.0.0.0) rather than the advertised one only.</summary>
    public bool ListenOnAnyAddress { get; set; }

    /// <summary>The data folder as an absolute path.</summary>
    public string DataFolderPath(string contentRoot) => Path.GetFullPath(DataFolder, contentRoot);

    /// <summary>The silo's certificate for mutual TLS with other silos and with clients (<c>FlowActors:Silo:Tls</c>).</summary>
    public SiloTlsOptions Tls { get; set; } = new();

    /// <summary>Reads the options from configuration and refuses values the silo could not start with, naming the setting.</summary>
    public static SiloHostOptions From(IConfiguration configuration)
    {
        var options = configuration.GetSection(Section).Get<SiloHostOptions>() ?? new SiloHostOptions();
        var errors = new List<string>();
        foreach (var (name, port) in new[] { (nameof(SiloPort), options.SiloPort), (nameof(GatewayPort), options.GatewayPort) })
        {
            if (port is < 1 or > 65535)
            {
                errors.Add($"{Section}:{name} is {port}; set a free TCP port between 1 and 65535.");
            }
        }

        if (options.SiloPort == options.GatewayPort)
        {
            errors.Add($"{Section}:SiloPort and {Section}:GatewayPort are both {options.SiloPort}; give them different ports.");
        }

        if (string.IsNullOrWhiteSpace(options.ClusterId) || string.IsNullOrWhiteSpace(options.ServiceId))
        {
            errors.Add($"{Section}:ClusterId and {Section}:ServiceId must not be empty.");
        }

        if (!string.IsNullOrWhiteSpace(options.Tls.CertificatePath) && !string.IsNullOrWhiteSpace(options.Tls.CertificateThumbprint))
        {
            errors.Add($"{Section}:Tls:CertificatePath and {Section}:Tls:CertificateThumbprint are both set; configure one of them.");
        }

        if (string.IsNullOrWhiteSpace(options.DataFolder))
        {
            errors.Add($"{Section}:DataFolder is empty; set a folder the silo may write to (.flowactors by default).");
        }

        if (!string.IsNullOrEmpty(options.AdvertisedAddress) && !System.Net.IPAddress.TryParse(options.AdvertisedAddress, out _))
        {
            errors.Add($"{Section}:AdvertisedAddress is '{options.AdvertisedAddress}'; set the IP address the other silos reach this one at (the VM's private address), or leave it empty to use the host's.");
        }

        return errors.Count == 0
            ? options
            : throw new Microsoft.Extensions.Options.OptionsValidationException(Section, typeof(SiloHostOptions), errors);
    }
}
