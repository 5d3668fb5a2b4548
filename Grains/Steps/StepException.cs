namespace FlowActors.Grains.Steps;

/// <summary>A step could not do its work; the message already names the step and says why.</summary>
[GenerateSerializer, Alias("FlowActors.StepException")]
public sealed class StepException : Exception
{
    /// <summary>
    /// True when trying again would fail the same way (the step's component cannot start: <see cref="Containers.ComponentStartException"/>),
    /// so a message that meets it is dead-lettered at once rather than retried.
    /// </summary>
    [Id(0)]
    public bool Certain { get; init; }

    /// <summary>True when <paramref name="exception"/> says a try would fail again the same way.</summary>
    public static bool IsCertain(Exception exception) =>
        exception is Containers.ComponentStartException or StepException { Certain: true };

    public StepException(string message)
        : base(message)
    {
    }

    public StepException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
