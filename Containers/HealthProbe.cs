using System.Net;
using FlowActors.ComponentProtocol;
using FlowActors.Containers.Isolation;

namespace FlowActors.Containers;

/// <summary>
/// Asks a component whether it is ready (<c>GET /healthz</c> answers 200). Shared by the runtimes, whose
/// <see cref="IContainerRuntime.ProbeAsync"/> is the warm-up probe and tells a dead container from a failed call.
/// </summary>
/// <param name="networks">Where isolated components listen; connections to them are made inside their namespace.</param>
public sealed class HealthProbe(TimeSpan timeout, ComponentNetworks? networks = null) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        UseProxy = false,
        ConnectTimeout = timeout,
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        ConnectCallback = networks is null ? null : networks.ConnectAsync,
    })
    {
        Timeout = timeout,
    };

    /// <summary>True when the component at <paramref name="endpoint"/> answers its health probe with 200 within the timeout.</summary>
    public async Task<bool> IsHealthyAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        try
        {
            using var response = await _http.GetAsync(new Uri(endpoint, ProtocolPaths.Health), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception exception) when (exception is HttpRequestException || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }

    public void Dispose() => _http.Dispose();
}
