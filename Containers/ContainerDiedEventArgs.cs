namespace FlowActors.Containers;

/// <summary>A held container stopped without being asked to (crash, OOM kill, <c>docker kill</c>).</summary>
/// <param name="exitCode">The process's exit code when the runtime knows it.</param>
public sealed class ContainerDiedEventArgs(string containerId, string leaseId, string flowId, string stepId, int? exitCode) : EventArgs
{
    public string ContainerId { get; } = containerId;
    public string LeaseId { get; } = leaseId;
    public string FlowId { get; } = flowId;
    public string StepId { get; } = stepId;
    public int? ExitCode { get; } = exitCode;
}
