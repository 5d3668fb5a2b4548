using FlowActors.Mappings;
using Microsoft.Extensions.Options;

namespace FlowActors.Grains.Mappings;

/// <summary>
/// The silo's shared JSONata engines, for work that no step owns: checking a draft's expressions when it is saved, and
/// evaluating an expression on a sample (the console's preview). Steps run their own engines (<see cref="StepExpressions"/>).
/// </summary>
public sealed class SharedExpressions(IOptions<MappingOptions> options) : IDisposable
{
    private readonly JsonataPool _pool = new(options.Value.Limits);

    /// <summary>Null when <paramref name="expression"/> compiles; otherwise what is wrong, with the position.</summary>
    public ExpressionError? Check(string expression) => _pool.Check(expression);

    /// <summary>Evaluates <paramref name="expression"/> on one input, with the bindings of <paramref name="constants"/>.</summary>
    public ExpressionValue Evaluate(string expression, JsonataInput input, string constants, bool test) =>
        _pool.Evaluate(expression, input, constants, test);

    public void Dispose() => _pool.Dispose();
}
