namespace FlowActors.Silo.Hosting;

/// <summary>
/// Where the embedded silo listens and which cluster it forms. Bound from <c>FlowActors:Silo</c>; the
/// defaults are Orleans' own, so a client with default settings finds a silo started with default settings.
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

        if (!options.Tls.IsConfigured && string.IsNullOrWhiteSpace(options.Tls.Folder))
        {
            errors.Add($"{Section}:Tls:Folder is empty; name the folder where the silo keeps the certificates it makes (.flowactors/tls by default), or configure {Section}:Tls:CertificatePath.");
        }

        if (!string.IsNullOrWhiteSpace(options.Tls.CertificatePath) && !string.IsNullOrWhiteSpace(options.Tls.CertificateThumbprint))
        {
            errors.Add($"{Section}:Tls:CertificatePath and {Section}:Tls:CertificateThumbprint are both set; configure one of them.");
        }

        return errors.Count == 0
            ? options
            : throw new Microsoft.Extensions.Options.OptionsValidationException(Section, typeof(SiloHostOptions), errors);
    }
}
