using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace FlowActors.Streaming;

/// <summary>Which provider carries a cluster's flow streams (<c>FlowActors:Streams:Kind</c>).</summary>
public enum FlowStreamsKind
{
    /// <summary>Fast streams, in memory: the embedded profile's.</summary>
    Fast = 0,
}

/// <summary>
/// Adds the stream provider that carries flows, as configuration section <c>FlowActors:Streams</c> says, to a silo or
/// a client. Silos and the clients that send to or follow their flows must use the same provider with the same
/// settings; reading one section through one method on both sides keeps them so. <c>Kind</c> chooses the provider
/// (<see cref="FlowStreamsKind"/>, <c>Fast</c> by default); <c>FlowActors:Streams:Fast</c> holds the
/// <see cref="FastStreamsOptions"/> (<c>QueueCount</c> must match on both sides).
/// </summary>
public static class FlowStreamsConfiguration
{
    public const string Section = "FlowActors:Streams";

    /// <summary>The kind configuration asks for; an unknown kind throws, naming the setting.</summary>
    public static FlowStreamsKind KindFrom(IConfiguration configuration)
    {
        var value = configuration[$"{Section}:Kind"];
        if (string.IsNullOrWhiteSpace(value))
        {
            return FlowStreamsKind.Fast;
        }

        return Enum.TryParse<FlowStreamsKind>(value, ignoreCase: true, out var kind) && Enum.IsDefined(kind)
            ? kind
            : throw new OptionsValidationException(Section, typeof(FlowStreamsKind),
                [$"{Section}:Kind is '{value}'; set one of: {string.Join(", ", Enum.GetNames<FlowStreamsKind>())}. Silos and clients must agree."]);
    }

    /// <summary>Adds provider <paramref name="name"/> to a silo, as <paramref name="configuration"/> says.</summary>
    public static ISiloBuilder AddFlowStreams(this ISiloBuilder silo, string name, IConfiguration configuration)
    {
        // Fast is the only kind so far: reading it still refuses a kind this build does not know.
        KindFrom(configuration);
        return silo.AddFastStreams(name, fast => fast.ConfigureFastStreams(options => Bind(configuration, options)));
    }

    /// <summary>Adds provider <paramref name="name"/> to a client, as <paramref name="configuration"/> says.</summary>
    public static IClientBuilder AddFlowStreams(this IClientBuilder client, string name, IConfiguration configuration)
    {
        KindFrom(configuration);
        return client.AddFastStreams(name, fast => fast.ConfigureFastStreams(options => Bind(configuration, options)));
    }

    private static void Bind(IConfiguration configuration, FastStreamsOptions options) =>
        configuration.GetSection($"{Section}:Fast").Bind(options);
}
