using System.Diagnostics;
using FlowActors.ComponentProtocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace FlowActors.ComponentSdk;

/// <summary>
/// A component's spans: one <c>invoke {action}</c> server span per message, parented to the <c>traceparent</c> the
/// platform sent with it, so that the component's work shows in the execution's trace. Exported over OTLP when the
/// standard variables say where (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, and <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>,
/// <c>OTEL_SERVICE_NAME</c>...); without them nothing listens and a span costs nothing.
/// </summary>
internal static class ComponentTelemetry
{
    /// <summary>The component's <see cref="ActivitySource"/>: what a handler's own spans can hang under, too.</summary>
    public const string SourceName = "FlowActors.Component";

    private const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";
    private const string TracesEndpointVariable = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
    private const string ServiceNameVariable = "OTEL_SERVICE_NAME";

    private static readonly ActivitySource Source = new(SourceName, "1.0");
    private static readonly string? Flow = Environment.GetEnvironmentVariable(ProtocolPaths.FlowVariable);
    private static readonly string? Step = Environment.GetEnvironmentVariable(ProtocolPaths.StepVariable);

    /// <summary>Exports the component's spans over OTLP when an endpoint is configured; otherwise adds nothing.</summary>
    public static void AddTo(WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        if (string.IsNullOrWhiteSpace(configuration[EndpointVariable]) && string.IsNullOrWhiteSpace(configuration[TracesEndpointVariable]))
        {
            return;
        }

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource =>
            {
                if (string.IsNullOrWhiteSpace(configuration[ServiceNameVariable]))
                {
                    resource.AddService("flowactors-component");
                }

                resource.AddAttributes(
                [
                    new("flowactors.flow.id", Flow ?? ""),
                    new("flowactors.step.id", Step ?? ""),
                    new("flowactors.component.revision", Environment.GetEnvironmentVariable(ProtocolPaths.RevisionVariable) ?? ""),
                ]);
            })
            .WithTracing(tracing => tracing.AddSource(SourceName).AddOtlpExporter());
    }

    /// <summary>
    /// <c>invoke {action}</c> for one message, under its <see cref="ProtocolMessage.TraceParent"/> (or the request's
    /// <c>traceparent</c> header); null when nobody listens or the platform's span was not sampled.
    /// </summary>
    public static Activity? StartInvoke(string action, ProtocolMessage message, string? headerTraceParent)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var traceParent = message.TraceParent ?? headerTraceParent;
        var parent = traceParent is not null && ActivityContext.TryParse(traceParent, null, isRemote: true, out var context) ? context : default;
        var activity = Source.StartActivity($"invoke {action}", ActivityKind.Server, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("flowactors.flow.id", Flow);
            activity.SetTag("flowactors.step.id", Step);
            activity.SetTag("flowactors.component.action", action);
            activity.SetTag("flowactors.execution.id", message.ExecutionId);
            activity.SetTag("flowactors.message.id", message.Id);
        }

        return activity;
    }

    /// <summary>Marks the span of a message whose handler threw or emitted an error.</summary>
    public static void Fail(Activity? activity, string error)
    {
        activity?.SetStatus(ActivityStatusCode.Error, error);
        activity?.SetTag("error.type", "flowactors.component_error");
    }
}
