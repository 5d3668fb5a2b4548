using FlowActors.Containers;
using FlowActors.Grains.Interfaces.Messages;
using FlowActors.Grains.Interfaces.Steps;
using Microsoft.Extensions.DependencyInjection;

namespace FlowActors.Grains.Steps;

/// <summary>
/// Tells a step grain when the runtime sees its container die, so that a real-time step replaces it before
/// the next message arrives rather than after that message fails.
/// </summary>
internal sealed class ContainerDeathRouter(IServiceProvider services, IGrainFactory grains) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ContainerDeathRouter), ServiceLifecycleStage.Active, Start, Stop);

    private IContainerDeathNotifier? Notifier => services.GetService<IContainerDeathNotifier>();

    private Task Start(CancellationToken cancellationToken)
    {
        if (Notifier is { } notifier)
        {
            notifier.ContainerDied += OnContainerDied;
        }

        return Task.CompletedTask;
    }

    private Task Stop(CancellationToken cancellationToken)
    {
        if (Notifier is { } notifier)
        {
            notifier.ContainerDied -= OnContainerDied;
        }

        return Task.CompletedTask;
    }

    private void OnContainerDied(object? sender, ContainerDiedEventArgs e) =>
        grains.GetGrain<IStepGrain>(FlowStreams.StepKey(e.FlowId, e.StepId)).ContainerDiedAsync(e.ContainerId).Ignore();
}
