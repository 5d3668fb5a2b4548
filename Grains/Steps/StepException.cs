namespace FlowActors.Grains.Steps;

/// <summary>A step could not do its work; the message already names the step and says why.</summary>
[GenerateSerializer, Alias("FlowActors.StepException")]
public sealed class StepException : Exception
{
    public StepException(string message)
        : base(message)
    {
    }

    public StepException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
