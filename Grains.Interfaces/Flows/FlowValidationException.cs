namespace FlowActors.Client;

/// <summary>A flow definition was refused; nothing was stored. <see cref="Errors"/> names every field at fault.</summary>
[GenerateSerializer, Alias("FlowActors.FlowValidationException")]
public sealed class FlowValidationException : Exception
{
    public FlowValidationException(IReadOnlyList<ValidationError> errors)
        : base("The flow definition is invalid: " + string.Join("; ", errors))
    {
        Errors = errors;
    }

    [Id(0)]
    public IReadOnlyList<ValidationError> Errors { get; }
}
