namespace FlowActors.Grains.Interfaces.Containers;

/// <summary>
/// A running container held by one holder (a step activation) until <see cref="ExpiresAt"/>, which the
/// holder renews. A container whose lease expired or whose holder is gone may be reaped.
/// </summary>
/// <param name="Endpoint">Base address of the component's HTTP endpoint, e.g. <c>http://127.0.0.1:41234/</c>.</param>
[GenerateSerializer, Immutable, Alias("FlowActors.ContainerLease")]
public sealed record ContainerLease(
    [property: Id(0)] string LeaseId,
    [property: Id(1)] string ContainerId,
    [property: Id(2)] string Holder,
    [property: Id(3)] Uri Endpoint,
    [property: Id(4)] DateTimeOffset AcquiredAt,
    [property: Id(5)] DateTimeOffset ExpiresAt);
