using Orleans.Runtime.Placement;
using Orleans.TestingHost;

namespace FlowActors.Tests.Infrastructure;

/// <summary>
/// Puts a grain's first activation on a chosen silo, for tests that must stop the silo a grain lives on: Orleans'
/// placement honours a hint in the request context, where the default (resource-optimized) placement alone could put
/// every activation on the other silo of a busy machine.
/// </summary>
internal static class Placement
{
    public static async Task OnAsync(InProcessSiloHandle silo, Func<Task> firstCall)
    {
        RequestContext.Set(IPlacementDirector.PlacementHintKey, silo.SiloAddress);
        try
        {
            await firstCall();
        }
        finally
        {
            RequestContext.Remove(IPlacementDirector.PlacementHintKey);
        }
    }

    /// <inheritdoc cref="OnAsync(InProcessSiloHandle, Func{Task})"/>
    public static async Task<T> OnAsync<T>(InProcessSiloHandle silo, Func<Task<T>> firstCall)
    {
        var answer = default(T)!;
        await OnAsync(silo, async () => { answer = await firstCall(); }); // a block: an expression lambda would pick this overload again
        return answer;
    }
}
