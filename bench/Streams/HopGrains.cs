using System.Diagnostics;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace FlowActors.Bench.Streams;

/// <summary>Publishes the current timestamp on the hop stream keyed like itself, as a real-time step forwards a message.</summary>
internal interface IHopProducerGrain : IGrainWithStringKey
{
    Task PublishAsync(string provider);
}

internal static class HopStreams
{
    public const string Namespace = "bench-hop";
}

internal sealed class HopProducerGrain : Grain, IHopProducerGrain
{
    public Task PublishAsync(string provider) =>
        this.GetStreamProvider(provider)
            .GetStream<long>(StreamId.Create(HopStreams.Namespace, this.GetPrimaryKeyString()))
            .OnNextAsync(Stopwatch.GetTimestamp());
}

/// <summary>Receives hop messages by implicit subscription and reports how long each took to arrive.</summary>
[ImplicitStreamSubscription(HopStreams.Namespace)]
internal sealed class HopConsumerGrain : Grain, IGrainWithStringKey, IStreamSubscriptionObserver, IAsyncObserver<long>
{
    public Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) => handleFactory.Create<long>().ResumeAsync(this);

    public Task OnNextAsync(long sent, StreamSequenceToken? token = null)
    {
        HopProbe.Arrived(Stopwatch.GetElapsedTime(sent));
        return Task.CompletedTask;
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
}

/// <summary>Hands the latency of the one message in flight from the consumer grain back to the benchmark loop.</summary>
internal static class HopProbe
{
    private static TaskCompletionSource<TimeSpan> s_next = New();

    public static Task<TimeSpan> Expect() => (s_next = New()).Task;

    public static void Arrived(TimeSpan elapsed) => s_next.TrySetResult(elapsed);

    // Asynchronous continuations keep the benchmark loop off the consumer grain's thread.
    private static TaskCompletionSource<TimeSpan> New() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
