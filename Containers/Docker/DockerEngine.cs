using Docker.DotNet;
using Microsoft.Extensions.Logging;
using VersionResponse = Docker.DotNet.Models.VersionResponse;

namespace FlowActors.Containers.Docker;

/// <summary>
/// The connection to the engine: created on first use with a negotiated API version, then shared. A failed
/// connection is not cached, so a silo started before its engine recovers once the engine answers.
/// </summary>
internal sealed partial class DockerEngine(DockerRuntimeOptions options, ILogger logger) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private DockerClientConfiguration? _configuration;
    private DockerClient? _client;

    public Version? ApiVersion { get; private set; }

    public async Task<IDockerClient> GetClientAsync(CancellationToken cancellationToken)
    {
        if (_client is { } ready)
        {
            return ready;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            return _client ??= await ConnectAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>True when the engine answers <c>/_ping</c> within <paramref name="timeout"/> (used to choose a runtime).</summary>
    public static async Task<bool> AnswersAsync(string endpoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var config = new DockerClientConfiguration(new Uri(endpoint), defaultTimeout: timeout);
        using var unversioned = config.CreateClient();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await unversioned.System.PingAsync(deadline.Token);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private async Task<DockerClient> ConnectAsync(CancellationToken cancellationToken)
    {
        _configuration ??= new DockerClientConfiguration(new Uri(options.Endpoint), defaultTimeout: options.ApiTimeout);
        VersionResponse engine;
        try
        {
            // /version is the one call every engine answers without a version prefix.
            using var unversioned = _configuration.CreateClient();
            engine = await unversioned.System.GetVersionAsync(cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TimeoutException or System.Net.Sockets.SocketException
                                  or DockerApiException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException(
                $"The Docker engine at {options.Endpoint} does not answer ({e.Message}). Start it (scripts/ensure-docker.sh does " +
                $"so here), point {DockerRuntimeOptions.SectionName}:Endpoint at it, or set FlowActors:Containers:Kind=Process.", e);
        }

        var clientMax = DockerApiVersion.Parse(options.MaxApiVersion)!;
        var engineMax = DockerApiVersion.Parse(engine.APIVersion) ?? clientMax;
        var engineMin = DockerApiVersion.Parse(engine.MinAPIVersion);
        ApiVersion = DockerApiVersion.Negotiate(clientMax, engineMax, engineMin);
        if (ApiVersion > clientMax)
        {
            LogApiRaised(logger, engine.Version, engine.MinAPIVersion, clientMax.ToString());
        }

        LogConnected(logger, options.Endpoint, engine.Version, engine.APIVersion, ApiVersion.ToString());
        return _configuration.CreateClient(ApiVersion);
    }

    public ValueTask DisposeAsync()
    {
        _client?.Dispose();
        _configuration?.Dispose();
        _gate.Dispose();
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(EventId = 2010, Level = LogLevel.Information, Message = "Connected to Docker engine {Endpoint} (Engine {EngineVersion}, API {EngineApi}); speaking API {ApiVersion}")]
    private static partial void LogConnected(ILogger logger, string endpoint, string engineVersion, string engineApi, string apiVersion);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Warning, Message = "Docker engine {EngineVersion} refuses API versions below {EngineMin}, newer than this client's models ({ClientMax}); speaking the engine's minimum")]
    private static partial void LogApiRaised(ILogger logger, string engineVersion, string engineMin, string clientMax);
}
