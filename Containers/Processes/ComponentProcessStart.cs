using System.Diagnostics;
using System.Globalization;
using FlowActors.ComponentProtocol;
using FlowActors.Containers.Isolation;

namespace FlowActors.Containers.Processes;

/// <summary>What starts a component process: how to start it, and what to write to its standard input (its environment, <see cref="ComponentLauncher"/>).</summary>
internal sealed record ComponentStart(ProcessStartInfo Process, byte[] Input);

/// <summary>Builds the command line and environment of a component process.</summary>
internal static class ComponentProcessStart
{
    // A component handles one call at a time on a machine shared with the silo and other components:
    // workstation, non-concurrent GC keeps each process small, and no PGO instrumentation for short lives.
    private static readonly KeyValuePair<string, string>[] SmallFootprint =
    [
        new("DOTNET_gcServer", "0"),
        new("DOTNET_gcConcurrent", "0"),
        new("DOTNET_TieredPGO", "0"),
    ];

    /// <param name="workingDirectory">The folder components run in (<see cref="ComponentWorkingDirectory"/>).</param>
    /// <param name="user">The user to run it as (<see cref="ComponentLauncher"/>), or null for the silo's.</param>
    public static ComponentStart Create(
        ContainerRequest request, int port, LocalProcessRuntimeOptions options, ComponentLauncher launcher, string workingDirectory, ProcessUser? user = null)
    {
        var executable = Executable(request, options);

        var start = new ProcessStartInfo
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,

            // Not the silo's directory: a component must not pick up the silo's appsettings.json (or any other
            // file of the silo) as its own, just as a container sees only its image.
            WorkingDirectory = workingDirectory,
        };
        var input = launcher.Apply(
            start, executable, Arguments(request, options), ComponentLauncher.ProcessName(request.FlowId, request.StepId, executable), Environment(request, port, options), user);
        return new ComponentStart(start, input);
    }

    /// <summary>The silo's allow-listed variables, the small-footprint defaults, the revision's, then the platform's, each overriding the one before.</summary>
    private static Dictionary<string, string> Environment(ContainerRequest request, int port, LocalProcessRuntimeOptions options)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in options.InheritedEnvironmentVariables)
        {
            if (System.Environment.GetEnvironmentVariable(name) is { } value)
            {
                environment[name] = value;
            }
        }

        foreach (var (name, value) in SmallFootprint)
        {
            environment[name] = value;
        }

        // The revision may override the defaults above, but not what the platform tells the component below.
        foreach (var (name, value) in request.Revision.Launch.Environment)
        {
            environment[name] = value;
        }

        environment[ProtocolPaths.PortVariable] = port.ToString(CultureInfo.InvariantCulture);
        environment[ProtocolPaths.FlowVariable] = request.FlowId;
        environment[ProtocolPaths.StepVariable] = request.StepId;
        environment[ProtocolPaths.RevisionVariable] = request.Revision.Revision.ToString(CultureInfo.InvariantCulture);
        environment[ProtocolPaths.ConfigurationVariable] = request.Configuration ?? string.Empty;
        return environment;
    }

    /// <summary>The absolute path of the revision's command; throws naming the revision when there is none or it is not an executable file.</summary>
    public static string Executable(ContainerRequest request, LocalProcessRuntimeOptions options)
    {
        var revision = request.Revision;
        var launch = revision.Launch;
        if (string.IsNullOrWhiteSpace(launch.Command))
        {
            throw new ComponentStartException(
                $"Component '{revision.ComponentId}' revision {revision.Revision} has no command to run as a local process. "
                + "Deploy it with ComponentLaunch.Command (e.g. 'dotnet' with the component's dll as first argument), "
                + "or run it on the Docker runtime.");
        }

        var command = LaunchPaths.Resolve(launch.Command, options.ComponentsDirectory);
        return ComponentLauncher.FindExecutable(DotnetHost.Resolve(command)) ?? throw new ComponentStartException(
            $"Could not start component '{revision.ComponentId}' revision {revision.Revision} for step '{request.FlowId}/{request.StepId}': "
            + $"its command '{launch.Command}' is not an executable file (an absolute path, a path starting with './' under the "
            + $"components directory {options.ComponentsDirectory}, or a name on the silo's PATH). Check the revision's ComponentLaunch.Command.");
    }

    /// <summary>The revision's arguments, with its <c>./</c> paths resolved under the components directory (<see cref="LaunchPaths"/>).</summary>
    public static IReadOnlyList<string> Arguments(ContainerRequest request, LocalProcessRuntimeOptions options) =>
        [.. request.Revision.Launch.Arguments.Select(argument => LaunchPaths.Resolve(argument, options.ComponentsDirectory))];

    /// <summary>The command line as the revision gives it, for error messages.</summary>
    public static string Describe(ContainerRequest request) =>
        string.Join(' ', [request.Revision.Launch.Command, .. request.Revision.Launch.Arguments]);
}
