using Orleans.Streams.Core;

namespace FlowActors.Tests.Streaming;

/// <summary>Consumes the probe stream with its own key, by implicit subscription, and reports each item to <see cref="ProbeSink"/>.</summary>
public interface IStreamProbeGrain : IGrainWithStringKey
{
    /// <summary>The silo this activation runs on.</summary>
    Task<string> GetSiloAsync();
}

/// <summary>Publishes on a stream from inside a silo.</summary>
public interface IStreamProducerGrain : IGrainWithStringKey
{
    /// <summary>The silo this activation runs on.</summary>
    Task<string> GetSiloAsync();

    /// <summary>Publishes <paramref name="count"/> consecutive integers from <paramref name="first"/>, one at a time.</summary>
    Task PublishAsync(string provider, string streamKey, int first, int count);
}

internal static class ProbeStreams
{
    public const string Namespace = "probe";

    public static IAsyncStream<int> Of(IStreamProvider provider, string key) => provider.GetStream<int>(StreamId.Create(Namespace, key));
}

[ImplicitStreamSubscription(ProbeStreams.Namespace)]
internal sealed class StreamProbeGrain : Grain, IStreamProbeGrain, IStreamSubscriptionObserver, IAsyncObserver<int>
{
    public Task<string> GetSiloAsync() => Task.FromResult(RuntimeIdentity);

    public Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) => handleFactory.Create<int>().ResumeAsync(this);

    public Task OnNextAsync(int item, StreamSequenceToken? token = null)
    {
        ProbeSink.Record(this.GetPrimaryKeyString(), item);
        return Task.CompletedTask;
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
}

internal sealed class StreamProducerGrain : Grain, IStreamProducerGrain
{
    public Task<string> GetSiloAsync() => Task.FromResult(RuntimeIdentity);

    public async Task PublishAsync(string provider, string streamKey, int first, int count)
    {
        var stream = ProbeStreams.Of(this.GetStreamProvider(provider), streamKey);
        for (var i = first; i < first + count; i++)
        {
            await stream.OnNextAsync(i);
        }
    }
}
