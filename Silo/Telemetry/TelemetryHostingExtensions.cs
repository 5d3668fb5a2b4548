using FlowActors.Silo.Api;
using FlowActors.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orleans.Diagnostics;

namespace FlowActors.Silo.Telemetry;

/// <summary>
/// Wires FlowActors' spans and metrics (<see cref="FlowActivities"/>, <see cref="FlowMetrics"/>), with ASP.NET Core's
/// and Orleans', to what <see cref="TelemetryOptions"/> asks for: the console's charts, OTLP, a Prometheus scrape endpoint.
/// </summary>
public static partial class TelemetryHostingExtensions
{
    private static readonly string[] OrleansMeters = ["Microsoft.Orleans"];

    /// <summary>
    /// What listens to the platform's telemetry, as <paramref name="options"/> say. Any host: the silo's web host, and
    /// the benchmark's plain one (whose <c>FlowActors__Telemetry__*</c> variables switch tracing and metrics on and off).
    /// </summary>
    public static TBuilder AddFlowActorsTelemetry<TBuilder>(this TBuilder builder, TelemetryOptions options)
        where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        services.AddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        if (options.ConsoleMetrics)
        {
            // A hosted service so that it listens from the start, not from the first page that asks.
            services.AddSingleton<MetricsWindow>();
            services.AddHostedService(provider => provider.GetRequiredService<MetricsWindow>());
        }

        var exportsMetrics = (options.Otlp.Enabled && options.Otlp.Metrics) || options.Prometheus.Enabled;
        if (!options.TracingEnabled && !exportsMetrics)
        {
            return builder; // nothing listens beyond the console: no provider, no cost
        }

        var otel = services.AddOpenTelemetry().ConfigureResource(resource => resource
            .AddService("flowactors-silo", serviceInstanceId: $"{Environment.MachineName}:{builder.Configuration["FlowActors:Silo:SiloPort"] ?? "11111"}"));
        if (options.TracingEnabled)
        {
            otel.WithTracing(tracing =>
            {
                tracing.AddSource(TelemetryNames.Source).AddAspNetCoreInstrumentation(aspNet =>
                {
                    // The console polls every few seconds and probes call health all day: neither is worth a trace.
                    aspNet.Filter = context => !context.Request.Path.StartsWithSegments("/health")
                        && !context.Request.Path.StartsWithSegments("/console")
                        && !context.Request.Path.StartsWithSegments("/api/overview")
                        && !context.Request.Path.StartsWithSegments(options.Prometheus.Path);
                });
                if (options.OrleansTracing)
                {
                    tracing.AddSource(ActivitySources.ApplicationGrainActivitySourceName, ActivitySources.RuntimeActivitySourceName);
                }

                if (options.Otlp.Enabled && options.Otlp.Traces)
                {
                    tracing.AddOtlpExporter(otlp => Configure(otlp, options.Otlp));
                }
            });
        }

        if (exportsMetrics)
        {
            otel.WithMetrics(metrics =>
            {
                metrics.AddMeter(TelemetryNames.Source).AddMeter(OrleansMeters).AddAspNetCoreInstrumentation();
                if (options.Otlp.Enabled && options.Otlp.Metrics)
                {
                    metrics.AddOtlpExporter(otlp => Configure(otlp, options.Otlp));
                }

                if (options.Prometheus.Enabled)
                {
                    metrics.AddPrometheusExporter();
                }
            });
        }

        return builder;
    }

    /// <summary>Orleans' grain-call spans, when <see cref="TelemetryOptions.OrleansTracing"/> asks for them.</summary>
    public static ISiloBuilder AddFlowActorsTelemetry(this ISiloBuilder silo, TelemetryOptions options)
    {
        if (options.TracingEnabled && options.OrleansTracing)
        {
            silo.AddActivityPropagation();
        }

        return silo;
    }

    /// <summary>The Prometheus scrape endpoint, behind the admin API key unless an operator allowed anonymous scrapes.</summary>
    public static WebApplication MapFlowActorsTelemetry(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<TelemetryOptions>();
        LogTelemetry(
            app.Logger,
            options.TracingEnabled,
            options.Otlp.Enabled ? $"{options.Otlp.Endpoint?.ToString() ?? "OTEL_EXPORTER_OTLP_ENDPOINT"} ({(options.Otlp.Traces ? "traces " : "")}{(options.Otlp.Metrics ? "metrics" : "")})" : "off",
            options.Prometheus.Enabled ? $"{options.Prometheus.Path} ({(options.Prometheus.AllowAnonymous ? "anonymous" : "API key")})" : "off",
            options.ConsoleMetrics);
        if (options.Prometheus.Enabled)
        {
            app.MapPrometheusScrapingEndpoint(options.Prometheus.Path, meterProvider: null, optionsName: null, configureBranchedPipeline: branch =>
            {
                if (!options.Prometheus.AllowAnonymous)
                {
                    branch.Use(ScrapeAsync);
                }
            });
        }

        return app;
    }

    private static void Configure(OtlpExporterOptions otlp, TelemetryOptions.OtlpSettings settings)
    {
        if (settings.Protocol is { } protocol)
        {
            otlp.Protocol = protocol;
        }

        if (settings.Endpoint is { } endpoint)
        {
            otlp.Endpoint = endpoint;
        }
    }

    [LoggerMessage(EventId = 6000, Level = LogLevel.Information,
        Message = "Telemetry: tracing {Tracing}, OTLP export {Otlp}, Prometheus {Prometheus}, console charts {ConsoleMetrics}")]
    private static partial void LogTelemetry(ILogger logger, bool tracing, string otlp, string prometheus, bool consoleMetrics);

    /// <summary>The API key (header or bearer token, which is what Prometheus' <c>authorization</c> setting sends) or a console session.</summary>
    private static async Task ScrapeAsync(HttpContext context, RequestDelegate next)
    {
        var caller = await context.RequestServices.GetRequiredService<AdminAuthentication>().AuthenticateAsync(context, bearer: true);
        if (caller.IsAuthenticated)
        {
            await next(context);
            return;
        }

        context.Response.Headers.WWWAuthenticate = "Bearer";
        await (caller.Kind == CallerKind.Throttled ? ApiProblems.TooManyWrongKeys(caller.RetryAfter) : ApiProblems.Unauthorized()).ExecuteAsync(context);
    }
}
