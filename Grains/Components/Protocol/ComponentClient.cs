// TEMPORARY STUB (not committed): replaced by the components branch.
using FlowActors.ComponentProtocol;
using FlowActors.Grains.Interfaces.Messages;
namespace FlowActors.Grains.Components.Protocol;
public enum ComponentFailure { Unreachable, Timeout, BadStatus, MalformedReply }
public sealed class ComponentInvocationException(ComponentFailure failure, string message) : Exception(message) { public ComponentFailure Failure { get; } = failure; }
public sealed class ComponentClient
{
    public Task<IReadOnlyList<Emit>> InvokeAsync(Uri endpoint, string action, FlowMessage message, string? configurationJson, string? snapshotJson, TimeSpan timeout, CancellationToken ct) => throw new NotImplementedException();
    public Task<bool> IsHealthyAsync(Uri endpoint, CancellationToken ct) => throw new NotImplementedException();
}
