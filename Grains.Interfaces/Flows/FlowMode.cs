namespace FlowActors.Client;

/// <summary>How a flow's steps run their components.</summary>
[GenerateSerializer, Alias("FlowActors.FlowMode")]
public enum FlowMode
{
    /// <summary>A step's container starts when data arrives and stops when the step goes idle.</summary>
    Ordinary = 0,

    /// <summary>Every step's container starts with the flow and stays up until the flow stops.</summary>
    Realtime = 1,
}
