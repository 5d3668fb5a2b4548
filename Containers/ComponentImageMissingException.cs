namespace FlowActors.Containers;

/// <summary>A component's image is neither present nor pullable. The message names the image and how to provide it.</summary>
[GenerateSerializer, Alias("FlowActors.ComponentImageMissingException")]
public sealed class ComponentImageMissingException : ComponentStartException
{
    public ComponentImageMissingException(string message) : base(message) { }

    public ComponentImageMissingException(string message, Exception innerException) : base(message, innerException) { }
}
