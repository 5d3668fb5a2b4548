using FlowActors.Client.Hosting;

namespace FlowActors.Silo.Hosting;

/// <summary>
/// The silo's certificate and the cluster's authority (<c>FlowActors:Silo:Tls</c>). With no certificate configured
/// (the embedded profile), the silo makes its own authority and certificates in <see cref="Folder"/> on first start;
/// a cluster configures <see cref="ClusterCertificateOptions.CertificatePath"/> (or a thumbprint) and
/// <see cref="ClusterCertificateOptions.CertificateAuthorityPath"/>, so that all its silos share one authority.
/// </summary>
public sealed class SiloTlsOptions : ClusterCertificateOptions
{
    /// <summary>
    /// Where the silo keeps the certificates it makes, relative to the content root; empty: <c>tls</c> in the data folder
    /// (<c>.flowactors/tls</c>). The Azure profile makes certificates only where this is set, to a folder every silo of the
    /// cluster shares (several silos on one machine): silos that each made their own could not talk to each other.
    /// </summary>
    public string? Folder { get; set; }
}

/// <summary>Where the embedded profile put the clients' certificate (null when certificates come from configuration), for the start-up hint.</summary>
public sealed record GeneratedCertificates(string? ClientCertificatePath);
