using System.Diagnostics;
using System.Text.Json;
using FlowActors.Client;
using FlowActors.Grains.Flows;
using FlowActors.Grains.Interfaces.Trials;
using FlowActors.Grains.Mappings;
using FlowActors.Mappings;
using Orleans.Concurrency;

namespace FlowActors.Grains.Trials;

/// <summary>Evaluates an expression on a sample with the silo's shared engines (see <see cref="IExpressionGrain"/>).</summary>
[StatelessWorker]
public sealed class ExpressionGrain(SharedExpressions expressions) : Grain, IExpressionGrain
{
    public Task<ExpressionTrial> EvaluateAsync(ExpressionSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentException.ThrowIfNullOrWhiteSpace(sample.Expression, nameof(sample.Expression));
        MessageBody.ThrowIfNotJson(sample.Input);
        var started = Stopwatch.GetTimestamp();
        var value = expressions.Evaluate(sample.Expression, new JsonataInput(sample.Input, sample.Headers, null), Constants(sample), sample.Condition);
        var error = value.Error;
        return Task.FromResult(new ExpressionTrial(
            value.Json, value.IsUndefined, error?.Message, error?.Code, error?.Position, Stopwatch.GetElapsedTime(started)));
    }

    private static string Constants(ExpressionSample sample)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("flowId", sample.FlowId);
            writer.WriteString("stepId", sample.StepId);
            writer.WritePropertyName("configuration");
            if (sample.Configuration is { } configuration)
            {
                MessageBody.ThrowIfNotJson(configuration);
                writer.WriteRawValue(configuration);
            }
            else
            {
                writer.WriteNullValue();
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
