using System.Security.Cryptography.X509Certificates;

namespace FlowActors.Client.Hosting;

/// <summary>What a cluster member presents (<paramref name="Certificate"/>, with its private key) and whom it trusts.</summary>
public sealed record ClusterCredentials(X509Certificate2 Certificate, X509Certificate2Collection Authorities);
