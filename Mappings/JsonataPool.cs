using System.Collections.Concurrent;

namespace FlowActors.Mappings;

/// <summary>
/// Engines for callers that share them (checking expressions when a draft is saved, evaluating a sample for the
/// console): a caller takes one, or a new one when none is free, and gives it back. Expressions compiled here are not
/// kept: each use compiles what it evaluates, and an engine is reset after <see cref="MaxCompiledPerEngine"/> of them.
/// </summary>
public sealed class JsonataPool(JsonataLimits limits) : IDisposable
{
    /// <summary>Expressions an engine compiles before it is replaced by a fresh one (each compiled expression stays in its heap).</summary>
    public const int MaxCompiledPerEngine = 1000;

    // Engines kept idle; more may exist while in use.
    private const int MaxIdle = 2;

    private readonly ConcurrentBag<(JsonataEngine Engine, int Compiled)> _idle = [];

    /// <summary>Null when <paramref name="expression"/> compiles; otherwise its syntax error with jsonata's position.</summary>
    public ExpressionError? Check(string expression) => Use(engine => engine.Compile(expression).Error, compiles: 1);

    /// <summary>Compiles <paramref name="expression"/> and evaluates it on <paramref name="input"/>; the compile error, or the value.</summary>
    public ExpressionValue Evaluate(string expression, JsonataInput input, string constants = "{}", bool test = false) => Use(engine =>
    {
        var (index, error) = engine.Compile(expression);
        return error is not null ? new ExpressionValue(null, error) : engine.Evaluate([index], [input], constants, test)[0];
    }, compiles: 1);

    private T Use<T>(Func<JsonataEngine, T> use, int compiles)
    {
        var (engine, compiled) = _idle.TryTake(out var idle) ? idle : (new JsonataEngine(limits), 0);
        try
        {
            return use(engine);
        }
        finally
        {
            compiled += compiles;
            if (compiled < MaxCompiledPerEngine && _idle.Count < MaxIdle)
            {
                _idle.Add((engine, compiled));
            }
            else
            {
                engine.Dispose();
            }
        }
    }

    public void Dispose()
    {
        while (_idle.TryTake(out var idle))
        {
            idle.Engine.Dispose();
        }
    }
}
