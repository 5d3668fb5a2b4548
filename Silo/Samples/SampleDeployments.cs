using FlowActors.Client;
using FlowActors.SampleComponents;

namespace FlowActors.Silo.Samples;

/// <summary>
/// Deployments of the sample components (Components/Samples): one executable that serves the component named by its
/// first argument as a local process, or by FLOWACTORS_COMPONENT in the <c>flowactors/samples:test</c> image. Used by
/// the embedded profile's sample flows and by tests. docs/components.md lists each one's actions and settings.
/// </summary>
public static class SampleDeployments
{
    /// <summary>
    /// The sample executable, relative to the local-process runtime's components directory (the silo's own
    /// directory unless configured), where the build copies it: no deployment holds a build path.
    /// </summary>
    public const string SampleAssembly = "./FlowActors.SampleComponents.dll";

    /// <summary>Uppercases a configured field (<c>{"field":"name"}</c>) or every string field: action <c>uppercase</c>.</summary>
    public static ComponentDeployment Transform(string? tag = null) => Deployment("transform", tag, actions: ["uppercase"]);

    /// <summary>Waits <c>configuration.ms</c> milliseconds, like a call to an outside API: action <c>delay</c>.</summary>
    public static ComponentDeployment Delay(string? tag = null) => Deployment("delay", tag, actions: ["delay"]);

    /// <summary>
    /// Counts each message's effect once in a ledger directory (configuration <c>{"ledger":"/dir","ms":300}</c>), and
    /// rebounds or refuses messages whose body asks it to: action <c>count</c>. For delivery tests and the bench.
    /// </summary>
    public static ComponentDeployment Counting() => Deployment("counting", tag: null, actions: ["count"]);

    /// <summary>
    /// Needs the step's credential (field <c>apiKey</c>), like a call to an outside API: action <c>sign</c> refuses a key
    /// whose SHA-256 is not configuration <c>keySha256</c> and passes the body on with an HMAC <c>signature</c> under the key.
    /// </summary>
    public static ComponentDeployment Signer(string? tag = null) => Deployment("signer", tag, actions: ["sign"]);

    /// <summary>Crashes, hangs, answers garbage or reports an error when the body asks it to: action <c>maybeFail</c>.</summary>
    public static ComponentDeployment Faulty(string? tag = null) => Deployment("faulty", tag, actions: ["maybeFail"]);

    /// <summary>
    /// Passes the body on (<c>echo</c>), answers the webhook with it (<c>reply</c>) or passes on each element of an array
    /// (<c>split</c>). With <paramref name="warmUp"/>
    /// it takes that long to become ready, like a component that loads something at start.
    /// </summary>
    public static ComponentDeployment Echo(string? tag = null, TimeSpan? warmUp = null) =>
        Deployment("echo", tag, actions: ["echo", "reply", "split"], warmUp);

    /// <summary>
    /// A polling trigger for schedules: <c>count</c> emits the next numbers of a counter kept in its snapshot
    /// (configuration <c>start</c>, <c>per</c>, <c>delayMs</c>).
    /// </summary>
    public static ComponentDeployment Counter(string? tag = null) => Deployment("counter", tag, actions: [], triggers: ["count"]);

    /// <summary>
    /// Test-only: reports what it can reach from where it runs (TCP ports, files, its user, interfaces and environment
    /// names): action <c>probe</c>. The isolation tests deploy it to check the component boundary from inside.
    /// </summary>
    public static ComponentDeployment Probe() => Deployment("probe", tag: null, actions: ["probe"]);

    /// <summary>
    /// The Node.js sample (Components/Node/samples/greet.js, shipped under components/node): <c>greet</c> (configuration
    /// <c>{"greeting":"Hi"}</c>), <c>count</c> (in its snapshot) and <c>reply</c>. Needs <c>node</c> on the silo's PATH.
    /// </summary>
    public static ComponentDeployment NodeGreet() => new(
        new ComponentLaunch("flowactors/node-samples:test", "node", ["./components/node/samples/greet.js"], new Dictionary<string, string>()),
        new ComponentDescriptor(Triggers: [], Actions: ["greet", "count", "reply"]));

    /// <summary>
    /// The shell component (Components/Shell, shipped under components/shell): <c>echo</c> and <c>uppercase</c> (every
    /// string value), in busybox's shell with its nc and awk. Needs <c>busybox</c> on the silo's PATH.
    /// </summary>
    public static ComponentDeployment Shell() => new(
        new ComponentLaunch("flowactors/busybox-echo:test", "busybox", ["sh", "./components/shell/serve"], new Dictionary<string, string>()),
        new ComponentDescriptor(Triggers: [], Actions: ["echo", "uppercase"]));

    /// <summary>
    /// The Service Bus component (Components/ServiceBus, shipped beside the silo): <c>send</c> sends each input to a
    /// queue or topic (configuration in docs/triggers.md).
    /// </summary>
    public static ComponentDeployment ServiceBusSend() => new(
        new ComponentLaunch("flowactors/servicebus:test", "dotnet", ["./FlowActors.ServiceBusComponent.dll"], new Dictionary<string, string>()),
        new ComponentDescriptor(Triggers: [], Actions: ["send"]));

    private static ComponentDeployment Deployment(string component, string? tag, string[] actions, TimeSpan? warmUp = null, string[]? triggers = null)
    {
        // The component is also named in the environment: a container image has one entry point and no arguments.
        var environment = new Dictionary<string, string> { ["FLOWACTORS_COMPONENT"] = component };
        if (tag is not null)
        {
            environment["FLOWACTORS_TAG"] = tag;
        }

        if (warmUp is { } delay)
        {
            environment["SAMPLE_WARMUP_MS"] = ((int)delay.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var launch = new ComponentLaunch(
            Image: $"flowactors/samples:test",
            Command: "dotnet",
            Arguments: [SampleAssembly, component],
            Environment: environment);
        return new ComponentDeployment(launch, new ComponentDescriptor(Triggers: triggers ?? [], Actions: actions, Details: Details(component)));
    }

    /// <summary>The sample's own descriptions of its actions (<see cref="SampleDescriptions"/>), as a descriptor's details.</summary>
    private static Dictionary<string, ActionDetails>? Details(string component)
    {
        var described = SampleDescriptions.For(component);
        return described.Count == 0
            ? null
            : described.ToDictionary(d => d.Key, d => new ActionDetails(d.Value.ConfigurationSchema, d.Value.SampleInput, d.Value.Title), StringComparer.Ordinal);
    }
}
