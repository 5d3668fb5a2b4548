using FlowActors.Client;

namespace FlowActors.Containers;

/// <summary>What a step asks a runtime to start.</summary>
/// <param name="Holder">Who holds the lease: the step grain's key plus its activation, e.g. <c>orders/enrich@a1b2</c>.</param>
/// <param name="Configuration">The step's configuration (a JSON object) or null.</param>
/// <param name="LeaseDuration">How long the lease lasts unless renewed.</param>
public sealed record ContainerRequest(
    string FlowId,
    string StepId,
    ComponentRevision Revision,
    string? Configuration,
    string Holder,
    TimeSpan LeaseDuration);
