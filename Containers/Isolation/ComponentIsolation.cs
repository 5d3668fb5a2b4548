using System.Globalization;
using FlowActors.Containers.Processes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FlowActors.Containers.Isolation;

/// <summary>
/// What this silo can do to keep components away from its control plane, decided once at start from
/// <see cref="ComponentIsolationOptions"/> and what the silo may do: give each component a network namespace of its
/// own (needs CAP_SYS_ADMIN and CAP_NET_ADMIN; a container's, opened through its process, CAP_SYS_PTRACE too), and run
/// local component processes as an unprivileged user (needs CAP_SETUID and CAP_SETGID, and util-linux's setpriv). Root
/// has them all; a silo run as another user can be given them (deploy/vm/flowactors-silo.service). The runtimes say at
/// start what their components will not get (<see cref="Announce"/>).
/// </summary>
public sealed partial class ComponentIsolation
{
    private const int CapSetGid = 6;
    private const int CapSetUid = 7;
    private const int CapSysPtrace = 19;

    private static readonly Lazy<string?> NamespaceFailure = new(TryNamespaces);

    private readonly ComponentIsolationOptions _options;
    private readonly ILogger _logger;

    public ComponentIsolation(ComponentNetworks networks, IOptions<ComponentIsolationOptions> options, ILogger<ComponentIsolation> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        Networks = networks;
        _options = options.Value;
        _logger = logger;
        if (_options.Mode == ComponentIsolationMode.Off)
        {
            NetworkLimitation = $"{ComponentIsolationOptions.SectionName}:Mode is Off";
            ContainerNetworkLimitation = NetworkLimitation;
            UserLimitation = NetworkLimitation;
            return;
        }

        NetworkLimitation = NamespaceFailure.Value;
        IsolatesNetwork = NetworkLimitation is null;
        ContainerNetworkLimitation = NetworkLimitation ?? (HasCapabilities(1UL << CapSysPtrace)
            ? null
            : $"the silo runs as uid {LinuxNative.EffectiveUserId()} without CAP_SYS_PTRACE, which opening a container's /proc/PID/ns/net needs (its process runs as another user)");
        var user = ProcessUser.Parse(_options.ProcessUser)
            ?? throw new InvalidOperationException($"{ComponentIsolationOptions.SectionName}:ProcessUser '{_options.ProcessUser}' is not a numeric uid:gid other than root; use e.g. 65534:65534.");
        UserLimitation = CanChangeUser();
        ProcessUser = UserLimitation is null ? user : null;
    }

    /// <summary>Where components listen when they have namespaces of their own; the clients that call them connect through it.</summary>
    public ComponentNetworks Networks { get; }

    /// <summary>True when every local component process gets a network namespace of its own that only the silo reaches.</summary>
    public bool IsolatesNetwork { get; }

    /// <summary>Why local component processes share the silo's network, or null when they do not.</summary>
    public string? NetworkLimitation { get; }

    /// <summary>True when every container gets a network namespace of its own that only the silo reaches.</summary>
    public bool IsolatesContainerNetwork => ContainerNetworkLimitation is null;

    /// <summary>Why containers share the silo's network, or null when they do not.</summary>
    public string? ContainerNetworkLimitation { get; }

    /// <summary>The user local component processes run as, or null when they run as the silo's user.</summary>
    public ProcessUser? ProcessUser { get; }

    /// <summary>Why local component processes run as the silo's user, or null when they do not.</summary>
    public string? UserLimitation { get; }

    /// <summary>
    /// Says once, at the start of <paramref name="runtime"/>, what its components will not get, and refuses to go on when
    /// <see cref="ComponentIsolationOptions.Mode"/> is <see cref="ComponentIsolationMode.Required"/>.
    /// </summary>
    /// <param name="containers">
    /// The runtime runs containers, whose namespaces the silo opens through their processes (Docker), rather than local
    /// processes, which it runs as <see cref="ProcessUser"/> (Docker has its own user setting).
    /// </param>
    public void Announce(string runtime, bool containers)
    {
        var missing = new List<string>();
        var changesUser = !containers;
        if ((containers ? ContainerNetworkLimitation : NetworkLimitation) is { } network)
        {
            missing.Add($"components share the silo's network and can connect to its gateway, silo and admin ports ({network})");
        }

        if (changesUser && UserLimitation is not null)
        {
            missing.Add($"component processes run as the silo's user and can read its files, .flowactors/ included ({UserLimitation})");
        }

        if (missing.Count == 0)
        {
            LogIsolated(_logger, runtime, changesUser ? $", as user {ProcessUser}" : "");
            return;
        }

        var what = string.Join("; ", missing);
        if (_options.Mode == ComponentIsolationMode.Required)
        {
            throw new InvalidOperationException(
                $"{ComponentIsolationOptions.SectionName}:Mode is Required, but the {runtime} runtime cannot isolate components: {what}. "
                + "Run the silo as root (or give it CAP_SYS_ADMIN, CAP_NET_ADMIN and CAP_SYS_PTRACE for containers, CAP_SYS_ADMIN, CAP_NET_ADMIN, "
                + "CAP_SETUID and CAP_SETGID for local processes), or set the mode to Auto.");
        }

        LogNotIsolated(_logger, runtime, what);
    }

    /// <summary>Tries, once per process, to make a network namespace with its loopback up: the one real test of the capabilities.</summary>
    private static string? TryNamespaces()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "network namespaces are Linux only";
        }

        try
        {
            NamespaceThread.RunAsync(() =>
            {
                using var network = NetworkNamespace.CreateAndEnter();
                return true;
            }).GetAwaiter().GetResult();
            return null;
        }
        catch (Exception exception) when (exception is System.ComponentModel.Win32Exception or IOException or DllNotFoundException or EntryPointNotFoundException)
        {
            return $"the silo cannot create network namespaces: {exception.Message}; that needs root, or CAP_SYS_ADMIN and CAP_NET_ADMIN";
        }
    }

    private static string? CanChangeUser()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "changing users is supported on Linux only";
        }

        if (ComponentLauncher.Current.Setpriv is null)
        {
            return "setpriv with --pdeathsig (util-linux 2.33 or newer) is not on the silo's PATH";
        }

        if (ComponentLauncher.Current.Bash is null)
        {
            return "bash, which applies a component's environment after the change of user, is not on the silo's PATH";
        }

        return HasCapabilities((1UL << CapSetUid) | (1UL << CapSetGid))
            ? null
            : $"the silo runs as uid {LinuxNative.EffectiveUserId()} without CAP_SETUID and CAP_SETGID, so it cannot start processes as another user; run it as root";
    }

    /// <summary>True when the silo's effective capabilities (<c>CapEff</c> in <c>/proc/self/status</c>) include all of <paramref name="mask"/>.</summary>
    private static bool HasCapabilities(ulong mask)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        var effective = File.ReadLines("/proc/self/status")
            .Where(line => line.StartsWith("CapEff:", StringComparison.Ordinal))
            .Select(line => ulong.Parse(line.AsSpan("CapEff:".Length).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture))
            .FirstOrDefault();
        return (effective & mask) == mask;
    }

    [LoggerMessage(EventId = 2250, Level = LogLevel.Information, Message = "{Runtime} runtime: each component gets a network namespace of its own that only this silo reaches{User}")]
    private static partial void LogIsolated(ILogger logger, string runtime, string user);

    [LoggerMessage(EventId = 2251, Level = LogLevel.Warning, Message = "{Runtime} runtime: components are NOT isolated from this silo: {What}. See docs/security.md, \"The component boundary\"")]
    private static partial void LogNotIsolated(ILogger logger, string runtime, string what);
}
