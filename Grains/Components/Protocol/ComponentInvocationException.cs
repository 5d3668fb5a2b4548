namespace FlowActors.Grains.Components.Protocol;

/// <summary>
/// A call to a component failed. The message says what happened in plain words and names the component's
/// endpoint; callers add the step. It fails that one execution, never the silo.
/// </summary>
[GenerateSerializer, Alias("FlowActors.ComponentInvocationException")]
public sealed class ComponentInvocationException : Exception
{
    public ComponentInvocationException(ComponentFailure failure, string message, Exception? innerException = null)
        : base(message, innerException) => Failure = failure;

    [Id(0)]
    public ComponentFailure Failure { get; private set; }
}
