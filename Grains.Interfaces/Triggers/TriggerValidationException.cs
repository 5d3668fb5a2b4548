namespace FlowActors.Client;

/// <summary>Trigger settings were refused; nothing was stored. <see cref="Errors"/> names every field at fault.</summary>
[GenerateSerializer, Alias("FlowActors.TriggerValidationException")]
public sealed class TriggerValidationException : Exception
{
    public TriggerValidationException(IReadOnlyList<ValidationError> errors)
        : base("The trigger settings are invalid: " + string.Join("; ", errors))
    {
        Errors = errors;
    }

    [Id(0)]
    public IReadOnlyList<ValidationError> Errors { get; }
}
