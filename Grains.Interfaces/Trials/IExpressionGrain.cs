using FlowActors.Client;

namespace FlowActors.Grains.Interfaces.Trials;

/// <summary>
/// Evaluates a JSONata expression on a sample with the silo's own engine (the one steps run): what an editor previews
/// while a mapping or condition is written. Stateless, any key (use 0).
/// </summary>
[Alias("FlowActors.IExpressionGrain")]
public interface IExpressionGrain : IGrainWithIntegerKey
{
    /// <summary>The expression's value on the sample, or its error (a syntax error with its position).</summary>
    Task<ExpressionTrial> EvaluateAsync(ExpressionSample sample);
}
