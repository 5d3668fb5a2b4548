namespace FlowActors.ComponentProtocol;

/// <summary>The component protocol's endpoints and the environment the platform gives a component.</summary>
public static class ProtocolPaths
{
    /// <summary><c>GET</c>: 200 once the component is ready (the warm-up probe).</summary>
    public const string Health = "/healthz";

    /// <summary>
    /// <c>GET</c> (optional): the actions the component serves and the details it declares for them (configuration
    /// schema, sample input), in the shape of a deployment's <c>descriptor</c>. The platform never calls it: it is for
    /// authors and tools writing deployments.
    /// </summary>
    public const string Descriptor = "/descriptor";

    /// <summary><c>POST</c> an <see cref="InvokeRequest"/>, answered with an <see cref="InvokeResponse"/>.</summary>
    public const string Invoke = "/invoke";

    /// <summary>
    /// <c>POST</c> an <see cref="InvokeBatchRequest"/>, answered with an <see cref="InvokeBatchResponse"/>. Optional: a
    /// component that answers 404 or 405 here gets its messages one by one on <see cref="Invoke"/>.
    /// </summary>
    public const string InvokeBatch = "/invoke/batch";

    /// <summary>
    /// The W3C trace-context header on <see cref="Invoke"/> (the same value as the message's <c>traceParent</c>); a batch
    /// has none, its messages carry theirs.
    /// </summary>
    public const string TraceParentHeader = "traceparent";

    /// <summary>Environment variable: the loopback port the component must listen on.</summary>
    public const string PortVariable = "FLOWACTORS_PORT";

    /// <summary>Environment variables describing the step the component serves.</summary>
    public const string FlowVariable = "FLOWACTORS_FLOW";
    public const string StepVariable = "FLOWACTORS_STEP";
    public const string RevisionVariable = "FLOWACTORS_REVISION";
    public const string ConfigurationVariable = "FLOWACTORS_CONFIGURATION";
}
