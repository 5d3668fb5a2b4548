using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.ClearScript;
using Microsoft.ClearScript.V8;

namespace FlowActors.Mappings;

/// <summary>
/// Compiles and evaluates JSONata expressions with the official jsonata package, inside a V8 engine of its own. Each
/// expression is compiled once (<see cref="Compile"/>) and named by the index returned. An evaluation is bounded in time
/// and heap (<see cref="JsonataLimits"/>): one that runs over fails with a limit error and the V8 engine is thrown away,
/// then built again, with the same expressions, for the next call; nothing outside this engine notices. Batches go in one
/// engine call; a batch that runs out of time is tried again input by input, so only the input at fault fails.
/// </summary>
/// <remarks>Not thread-safe: one caller at a time (a step activation; <see cref="JsonataPool"/> for shared use).</remarks>
public sealed class JsonataEngine : IDisposable
{
    // A hard limit over the soft one the host watches: V8 ends the process when a runtime exceeds its constraints, so the
    // soft limit (sampled while scripts run) must trip first. One allocation between two samples can outrun it on an idle
    // machine (a 10-million-element range reached 150 MB in 175 ms and ended the test host), so near the hard limit the
    // heap is allowed to grow (HeapExpansionMultiplier) and the next sample stops the script instead.
    private const int HardHeapFactor = 4;
    private const double HeapExpansion = 4;

    private static readonly string JsonataScript = Resource("FlowActors.Mappings.jsonata.min.js");
    private static readonly string HostScript = Resource("FlowActors.Mappings.host.js");

    private readonly JsonataLimits _limits;
    private readonly List<string> _expressions = [];
    private readonly Lock _watch = new();
    private readonly Timer _watchdog;
    private V8ScriptEngine? _v8;
    private ScriptObject? _host;
    private bool _running;
    private bool _interrupted;

    static JsonataEngine()
    {
        V8Settings.GlobalFlags |= V8GlobalFlags.DisableBackgroundWork;
    }

    public JsonataEngine(JsonataLimits? limits = null)
    {
        _limits = limits ?? JsonataLimits.Default;
        _watchdog = new Timer(_ => Interrupt(), null, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary>How many times a limit made this engine throw its V8 engine away.</summary>
    public int Rebuilds { get; private set; }

    /// <summary>
    /// Compiles <paramref name="expression"/>: its index for <see cref="Evaluate"/>, or the syntax error (with jsonata's
    /// code and the position it points at). An expression longer than <see cref="JsonataLimits.MaxExpressionLength"/>
    /// is refused unread.
    /// </summary>
    public (int Index, ExpressionError? Error) Compile(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        if (expression.Length > JsonataLimits.MaxExpressionLength)
        {
            return (-1, new ExpressionError("length", null,
                $"The expression is {expression.Length} characters long; at most {JsonataLimits.MaxExpressionLength} are accepted."));
        }

        var answer = Call(() => (string)Host().InvokeMethod("compile", expression));
        using var document = JsonDocument.Parse(answer);
        if (document.RootElement.TryGetProperty("error", out var error))
        {
            return (-1, ReadError(error));
        }

        _expressions.Add(expression);
        return (_expressions.Count - 1, null);
    }

    /// <summary>
    /// Evaluates expressions <paramref name="expressions"/> (indexes from <see cref="Compile"/>) on every input, with the
    /// bindings <paramref name="constants"/> (a JSON object, e.g. <c>{"flowId":"orders"}</c>) beside each input's own.
    /// With <paramref name="test"/>, each result is read as a condition (jsonata's <c>$boolean</c>): <c>true</c> or <c>false</c>.
    /// Never throws for what an expression does: errors and limits are results.
    /// </summary>
    /// <returns>Per input, per expression: <c>result[input * expressions.Count + expression]</c>.</returns>
    public ExpressionValue[] Evaluate(IReadOnlyList<int> expressions, IReadOnlyList<JsonataInput> inputs, string constants = "{}", bool test = false)
    {
        ArgumentNullException.ThrowIfNull(expressions);
        ArgumentNullException.ThrowIfNull(inputs);
        var indexes = JsonSerializer.Serialize(expressions);
        var results = new ExpressionValue[inputs.Count * expressions.Count];
        if (results.Length == 0)
        {
            return results;
        }

        if (TryRun(indexes, inputs, 0, inputs.Count, constants, test, results, expressions.Count) is { } limit)
        {
            if (inputs.Count == 1)
            {
                Array.Fill(results, new ExpressionValue(null, limit));
                return results;
            }

            // One input may be at fault: each goes alone, with the whole time limit.
            for (var k = 0; k < inputs.Count; k++)
            {
                if (TryRun(indexes, inputs, k, 1, constants, test, results, expressions.Count) is { } alone)
                {
                    Array.Fill(results, new ExpressionValue(null, alone), k * expressions.Count, expressions.Count);
                }
            }
        }

        return results;
    }

    /// <summary>Runs inputs [start, start + count) in one call and fills their results; the limit error if one tripped.</summary>
    private ExpressionError? TryRun(
        string indexes, IReadOnlyList<JsonataInput> inputs, int start, int count, string constants, bool test, ExpressionValue[] results, int width)
    {
        var batch = InputsJson(inputs, start, count);
        string? answer;
        try
        {
            answer = Call(() =>
            {
                var host = Host();
                host.InvokeMethod("run", indexes, batch, constants, test);
                return host.InvokeMethod("take") as string; // after run returned: V8 ran jsonata's microtasks in between
            });
        }
        catch (JsonataLimitException e)
        {
            return e.Error;
        }

        if (answer is null)
        {
            // Cannot happen with jsonata's own functions (every promise settles in the call's microtasks); say so if it does.
            var error = new ExpressionError("unsettled", null, "The evaluation did not settle within its engine call.");
            Array.Fill(results, new ExpressionValue(null, error), start * width, count * width);
            return null;
        }

        using var document = JsonDocument.Parse(answer);
        var k = start * width;
        foreach (var row in document.RootElement.EnumerateArray())
        {
            foreach (var cell in row.EnumerateArray())
            {
                results[k++] = Read(cell);
            }
        }

        return null;
    }

    private static ExpressionValue Read(JsonElement cell)
    {
        switch (cell.ValueKind)
        {
            case JsonValueKind.True:
                return new ExpressionValue("true", null);
            case JsonValueKind.False:
                return new ExpressionValue("false", null);
        }

        if (cell.TryGetProperty("v", out var value))
        {
            return new ExpressionValue(value.GetRawText(), null);
        }

        return cell.TryGetProperty("e", out var error) ? new ExpressionValue(null, ReadError(error)) : default;
    }

    private static ExpressionError ReadError(JsonElement error) => new(
        error.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String ? code.GetString() : null,
        error.TryGetProperty("position", out var position) && position.ValueKind == JsonValueKind.Number ? position.GetInt32() : null,
        error.TryGetProperty("message", out var message) ? message.GetString() ?? "" : "");

    /// <summary>The inputs as the host script reads them: <c>[{"b": body, "h": headers, "x": executionId}, …]</c>.</summary>
    private static string InputsJson(IReadOnlyList<JsonataInput> inputs, int start, int count)
    {
        var buffer = new ArrayBufferWriter<byte>(256 * count);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            for (var k = start; k < start + count; k++)
            {
                var input = inputs[k];
                writer.WriteStartObject();
                writer.WritePropertyName("b"u8);
                writer.WriteRawValue(input.Body, skipInputValidation: true);
                if (input.Headers is { Count: > 0 } headers)
                {
                    writer.WriteStartObject("h"u8);
                    foreach (var (name, value) in headers)
                    {
                        writer.WriteString(name, value);
                    }

                    writer.WriteEndObject();
                }

                if (input.ExecutionId is { } executionId)
                {
                    writer.WriteString("x"u8, executionId);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// One host call into V8 under the time limit. A limit that trips throws <see cref="JsonataLimitException"/> and
    /// throws the V8 engine away: its state after an interrupted or starved call is not worth trusting.
    /// </summary>
    private T Call<T>(Func<T> call)
    {
        lock (_watch)
        {
            _running = true;
            _interrupted = false;
        }

        _watchdog.Change(_limits.Timeout, Timeout.InfiniteTimeSpan);
        try
        {
            return call();
        }
        catch (ScriptEngineException e) when (IsOutOfMemory(e))
        {
            Discard();
            throw new JsonataLimitException(new ExpressionError(ExpressionError.MemoryCode, null,
                $"The expression needed more than the engine's {_limits.MaxHeapBytes / (1024 * 1024)} MB of memory (FlowActors:Mappings:MaxHeapMegabytes) and was stopped."));
        }
        catch (ScriptInterruptedException) when (_interrupted)
        {
            Discard();
            throw new JsonataLimitException(new ExpressionError(ExpressionError.TimeoutCode, null,
                $"The expression ran longer than {_limits.Timeout.TotalMilliseconds:0} ms (FlowActors:Mappings:Timeout) and was stopped."));
        }
        finally
        {
            _watchdog.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            lock (_watch)
            {
                _running = false;
            }
        }
    }

    private static bool IsOutOfMemory(ScriptEngineException e) =>
        e.Message.Contains("memory limit", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("heap", StringComparison.OrdinalIgnoreCase);

    private void Interrupt()
    {
        lock (_watch)
        {
            if (_running && _v8 is { } v8)
            {
                _interrupted = true;
                v8.Interrupt();
            }
        }
    }

    /// <summary>The host script's object, after building the V8 engine (again) and compiling every expression into it.</summary>
    private ScriptObject Host()
    {
        if (_host is { } host)
        {
            return host;
        }

        var v8 = new V8ScriptEngine(
            new V8RuntimeConstraints
            {
                MaxOldSpaceSize = (int)(_limits.MaxHeapBytes * HardHeapFactor / (1024 * 1024)),
                HeapExpansionMultiplier = HeapExpansion,
            },
            V8ScriptEngineFlags.DisableGlobalMembers);
        v8.MaxRuntimeHeapSize = (UIntPtr)_limits.MaxHeapBytes;
        v8.RuntimeHeapSizeSampleInterval = TimeSpan.FromMilliseconds(10);
        v8.Execute("jsonata.min.js", JsonataScript);
        v8.Execute("host.js", HostScript);
        host = (ScriptObject)v8.Script.flowactors;
        foreach (var expression in _expressions)
        {
            host.InvokeMethod("compile", expression); // compiled before: compiles again, at the same index
        }

        lock (_watch)
        {
            _v8 = v8;
        }

        return _host = host;
    }

    private void Discard()
    {
        Rebuilds++;
        V8ScriptEngine? v8;
        lock (_watch)
        {
            v8 = _v8;
            _v8 = null;
        }

        _host = null;
        v8?.Dispose();
    }

    public void Dispose()
    {
        _watchdog.Dispose();
        lock (_watch)
        {
            _v8?.Dispose();
            _v8 = null;
        }

        _host = null;
    }

    private static string Resource(string name)
    {
        using var stream = typeof(JsonataEngine).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The Mappings assembly lacks its resource '{name}'; build it with npm on PATH.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>A limit stopped an engine call.</summary>
    private sealed class JsonataLimitException(ExpressionError error) : Exception(error.Message)
    {
        public ExpressionError Error { get; } = error;
    }
}
