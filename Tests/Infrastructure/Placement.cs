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
}
