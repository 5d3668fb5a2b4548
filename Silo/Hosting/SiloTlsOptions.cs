using FlowActors.Client.Hosting;

namespace FlowActors.Silo.Hosting;

/// <summary>
/// The silo's certificate and the cluster's authority (<c>FlowActors:Silo:Tls</c>). With no certificate configured
/// (the embedded profile), the silo makes its own authority and certificates in <see cref="Folder"/> on first start;
/// a production cluster configures <see cref="ClusterCertificateOptions.CertificatePath"/> (or a thumbprint) and
/// <see cref="ClusterCertificateOptions.CertificateAuthorityPath"/>.
/// </summary>
public sealed class SiloTlsOptions : ClusterCertificateOptions
{
    /// <summary>Where the embedded profile keeps the certificates it makes; relative to the content root.</summary>
    public string Folder { get; set; } = ".flowactors/tls";
}

/// <summary>Where the embedded profile put the clients' certificate (null when certificates come from configuration), for the start-up hint.</summary>
public sealed record GeneratedCertificates(string? ClientCertificatePath);
