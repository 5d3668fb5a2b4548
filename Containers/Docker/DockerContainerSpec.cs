using System.Globalization;
using System.Text;
using Docker.DotNet.Models;
using FlowActors.ComponentProtocol;
using FlowActors.Containers.Leases;

namespace FlowActors.Containers.Docker;

/// <summary>
/// Turns a step's request into the engine's create-container body. Pure, so the hardening can be checked without an
/// engine; the Docker tests check that the engine applied it.
/// </summary>
public static class DockerContainerSpec
{
    /// <param name="ownNetwork">
    /// The container gets a network namespace of its own with only <c>lo</c> (<c>--network none</c>), which the silo enters
    /// to connect to it; otherwise it shares the host's network.
    /// </param>
    public static CreateContainerParameters Create(
        ContainerRequest request, string image, DockerRuntimeOptions options, ContainerOwner owner, string leaseId, int port, bool ownNetwork = true)
    {
        var revision = request.Revision;
        var labels = ContainerLabels.Create(owner, request, leaseId);
        var memory = options.MemoryMegabytes * 1024L * 1024L;
        return new CreateContainerParameters
        {
            Name = ContainerName(request, leaseId),
            Image = image,
            // Arguments belong to Command when a revision has one (the local-process launch); an image-only revision passes them to the image.
            Cmd = revision.Launch.Command is null && revision.Launch.Arguments.Count > 0 ? [.. revision.Launch.Arguments] : null,
            Env = Environment(request, port),
            Labels = labels,
            User = string.IsNullOrWhiteSpace(options.User) ? null : options.User,
            HostConfig = new HostConfig
            {
                // No published ports, and the component bound to 127.0.0.1 in every case. With a namespace of its own
                // (Network "none": only lo) nothing but the silo, which connects from inside it, reaches the component,
                // and the component reaches nothing; an operator's egress network adds a way out, not a way in. On the
                // host's network (isolation off or impossible) it could connect to every port on the host's loopback,
                // the silo's included.
                NetworkMode = ownNetwork ? options.Network : "host",
                CapDrop = ["ALL"],
                SecurityOpt = ["no-new-privileges"],
                ReadonlyRootfs = options.ReadOnlyRootFilesystem,
                Tmpfs = new Dictionary<string, string>
                {
                    ["/tmp"] = $"rw,noexec,nosuid,nodev,size={options.TmpfsMegabytes}m",
                },
                Memory = memory,
                MemorySwap = memory,
                NanoCPUs = (long)(options.Cpus * 1_000_000_000),
                PidsLimit = options.PidsLimit,
                Init = options.UseInit,
                // The lease holder decides when a component restarts (and retries its message); the engine must not.
                RestartPolicy = new RestartPolicy { Name = RestartPolicyKind.No },
            },
        };
    }

    /// <summary>Platform variables win over the revision's own: the port in particular must be the one leased.</summary>
    private static List<string> Environment(ContainerRequest request, int port)
    {
        var variables = new Dictionary<string, string>(request.Revision.Launch.Environment, StringComparer.Ordinal)
        {
            [ProtocolPaths.PortVariable] = port.ToString(CultureInfo.InvariantCulture),
            [ProtocolPaths.FlowVariable] = request.FlowId,
            [ProtocolPaths.StepVariable] = request.StepId,
            [ProtocolPaths.RevisionVariable] = request.Revision.Revision.ToString(CultureInfo.InvariantCulture),
        };
        if (request.Configuration is not null)
        {
            variables[ProtocolPaths.ConfigurationVariable] = request.Configuration;
        }

        return [.. variables.Select(pair => $"{pair.Key}={pair.Value}")];
    }

    /// <summary>A readable, unique name (<c>fa-orders-enrich-1a2b3c4d</c>) so that <c>docker ps</c> tells operators whose container it is.</summary>
    public static string ContainerName(ContainerRequest request, string leaseId)
    {
        var name = new StringBuilder("fa-");
        foreach (var c in $"{request.FlowId}-{request.StepId}")
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
            if (name.Length >= 80)
            {
                break;
            }
        }

        return name.Append('-').Append(leaseId.AsSpan(0, Math.Min(8, leaseId.Length))).ToString();
    }
}
