using FlowActors.Containers;

namespace FlowActors.Tests.Infrastructure;

/// <summary>A runtime's death events that never come: as with events missed while Docker's event stream reconnects.</summary>
internal sealed class NoDeathEvents : IContainerDeathNotifier
{
    public event EventHandler<ContainerDiedEventArgs>? ContainerDied
    {
        add { }
        remove { }
    }
}
