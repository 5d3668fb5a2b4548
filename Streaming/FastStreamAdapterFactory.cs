using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Providers.Streams.Common;
using Orleans.Serialization;
using Orleans.Streams;

namespace FlowActors.Streaming;

/// <summary>
/// The queue adapter of a fast-streams provider: producers enqueue into per-queue grains, pulling agents read them
/// through <see cref="FastStreamReceiver"/>. Queue mapping and caching are Orleans' own
/// (<see cref="HashRingBasedStreamQueueMapper"/>, <see cref="SimpleQueueAdapterCache"/>).
/// </summary>
internal sealed partial class FastStreamAdapterFactory : IQueueAdapterFactory, IQueueAdapter
{
    private readonly FastStreamsOptions _options;
    private readonly IGrainFactory _grainFactory;
    private readonly Serializer<FastStreamPayload> _serializer;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly HashRingBasedStreamQueueMapper _mapper;
    private readonly SimpleQueueAdapterCache _cache;
    private readonly IStreamFailureHandler _failureHandler = new NoOpStreamDeliveryFailureHandler();
    private readonly ConcurrentDictionary<QueueId, IFastStreamQueueGrain> _queues = new();

    private FastStreamAdapterFactory(string name, FastStreamsOptions options, IServiceProvider services)
    {
        Name = name;
        _options = options;
        _grainFactory = services.GetRequiredService<IGrainFactory>();
        _serializer = services.GetRequiredService<Serializer<FastStreamPayload>>();
        _loggerFactory = services.GetRequiredService<ILoggerFactory>();
        _logger = _loggerFactory.CreateLogger<FastStreamAdapterFactory>();
        _mapper = new HashRingBasedStreamQueueMapper(new HashRingStreamQueueMapperOptions { TotalQueueCount = options.QueueCount }, name);
        _cache = new SimpleQueueAdapterCache(new SimpleQueueCacheOptions { CacheSize = options.CacheSize }, name, _loggerFactory);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    /// <remarks>Only what is still in an agent's cache can be replayed; the queue keeps nothing once read.</remarks>
    public bool IsRewindable => false;

    /// <inheritdoc />
    public StreamProviderDirection Direction => StreamProviderDirection.ReadWrite;

    /// <summary>Creates the factory of the provider <paramref name="name"/>; Orleans calls it once per silo or client.</summary>
    public static FastStreamAdapterFactory Create(IServiceProvider services, string name) =>
        new(name, services.GetRequiredService<IOptionsMonitor<FastStreamsOptions>>().Get(name), services);

    /// <inheritdoc />
    public Task<IQueueAdapter> CreateAdapter() => Task.FromResult<IQueueAdapter>(this);

    /// <inheritdoc />
    public IQueueAdapterCache GetQueueAdapterCache() => _cache;

    /// <inheritdoc />
    public IStreamQueueMapper GetStreamQueueMapper() => _mapper;

    /// <inheritdoc />
    public Task<IStreamFailureHandler> GetDeliveryFailureHandler(QueueId queueId) => Task.FromResult(_failureHandler);

    /// <inheritdoc />
    public IQueueAdapterReceiver CreateReceiver(QueueId queueId) =>
        new FastStreamReceiver(QueueOf(queueId), queueId, _options, _serializer, _loggerFactory.CreateLogger<FastStreamReceiver>());

    /// <inheritdoc />
    public async Task QueueMessageBatchAsync<T>(StreamId streamId, IEnumerable<T> events, StreamSequenceToken? token, Dictionary<string, object>? requestContext)
    {
        if (token is not null)
        {
            throw new ArgumentException($"Fast streams provider '{Name}' assigns sequence numbers itself; publish without a sequence token.", nameof(token));
        }

        var payload = _serializer.SerializeToArray(new FastStreamPayload(events.Cast<object>().ToList(), requestContext));
        try
        {
            await QueueOf(_mapper.GetQueueForStream(streamId)).Enqueue(new FastStreamMessage(streamId, payload, 0));
        }
        catch (Exception exception)
        {
            LogEnqueueFailed(_logger, Name, streamId, exception);
            throw;
        }
    }

    private IFastStreamQueueGrain QueueOf(QueueId queueId) =>
        _queues.GetOrAdd(queueId, static (id, factory) => factory._grainFactory.GetGrain<IFastStreamQueueGrain>($"{factory.Name}/{id}"), this);

    [LoggerMessage(EventId = 3150, Level = LogLevel.Warning, Message = "Fast streams provider {Provider} could not enqueue on stream {StreamId}")]
    private static partial void LogEnqueueFailed(ILogger logger, string provider, StreamId streamId, Exception exception);
}
