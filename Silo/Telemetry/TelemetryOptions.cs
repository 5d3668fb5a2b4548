using OpenTelemetry.Exporter;

namespace FlowActors.Silo.Telemetry;

/// <summary>
/// What the silo does with its traces and metrics. Bound from <c>FlowActors:Telemetry</c>. By default only the
/// console's charts listen (<see cref="ConsoleMetrics"/>); OTLP and Prometheus export are off until an operator turns
/// them on, and with neither, no span is ever created.
/// </summary>
public sealed class TelemetryOptions
{
    public const string Section = "FlowActors:Telemetry";

    /// <summary>The console's charts: the silo keeps the last 15 minutes of its flow and step metrics in memory.</summary>
    public bool ConsoleMetrics { get; set; } = true;

    /// <summary>
    /// Width of one bucket of the console's charts; they show 60 of them (15 minutes at the default). Between 1 second
    /// and 5 minutes.
    /// </summary>
    public TimeSpan ConsoleBucket { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Record spans (FlowActors' and ASP.NET Core's). Unset: on when OTLP export is. True without an exporter creates
    /// spans and drops them, which is what a benchmark of the cost of tracing wants.
    /// </summary>
    public bool? Tracing { get; set; }

    /// <summary>Orleans' own spans for every grain call (including stream deliveries): detailed and many. Off by default.</summary>
    public bool OrleansTracing { get; set; }

    public OtlpSettings Otlp { get; set; } = new();

    public PrometheusSettings Prometheus { get; set; } = new();

    /// <summary>Whether spans are recorded at all.</summary>
    public bool TracingEnabled => Tracing ?? (Otlp.Enabled && Otlp.Traces);

    /// <summary>OTLP export to a collector (the OpenTelemetry Collector, Azure Monitor through it, Jaeger, Tempo...).</summary>
    public sealed class OtlpSettings
    {
        public bool Enabled { get; set; }

        /// <summary>
        /// The collector, e.g. <c>http://127.0.0.1:4317</c> (gRPC) or <c>http://127.0.0.1:4318</c> (HTTP). Unset: the
        /// standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> variable, else the protocol's default on localhost.
        /// </summary>
        public Uri? Endpoint { get; set; }

        /// <summary>Grpc or HttpProtobuf. Unset: <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, else Grpc.</summary>
        public OtlpExportProtocol? Protocol { get; set; }

        public bool Traces { get; set; } = true;

        public bool Metrics { get; set; } = true;
    }

    /// <summary>A Prometheus scrape endpoint on the silo's HTTP port.</summary>
    public sealed class PrometheusSettings
    {
        public bool Enabled { get; set; }

        public string Path { get; set; } = "/metrics";

        /// <summary>
        /// Serve the endpoint without the admin API key. Off: a scraper presents the key as <c>X-Api-Key</c> or
        /// <c>Authorization: Bearer {key}</c>. Turn it on only where the port is reachable by the scraper alone.
        /// </summary>
        public bool AllowAnonymous { get; set; }
    }

    /// <summary>Reads the options and refuses what cannot work, naming the setting.</summary>
    public static TelemetryOptions From(IConfiguration configuration)
    {
        var options = configuration.GetSection(Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        var errors = new List<string>();
        if (options.Otlp.Endpoint is { } endpoint && (!endpoint.IsAbsoluteUri || endpoint.Scheme is not ("http" or "https")))
        {
            errors.Add($"{Section}:Otlp:Endpoint is '{endpoint}'; set an http:// or https:// URL of an OTLP collector, e.g. http://127.0.0.1:4317.");
        }

        if (options.ConsoleBucket < TimeSpan.FromSeconds(1) || options.ConsoleBucket > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{Section}:ConsoleBucket is {options.ConsoleBucket}; set between 00:00:01 and 00:05:00 (the charts show 60 buckets).");
        }

        if (options.Otlp.Protocol is { } protocol && !Enum.IsDefined(protocol))
        {
            errors.Add($"{Section}:Otlp:Protocol is '{protocol}'; set Grpc or HttpProtobuf.");
        }

        if (options.Prometheus.Enabled && (string.IsNullOrWhiteSpace(options.Prometheus.Path) || !options.Prometheus.Path.StartsWith('/')
            || options.Prometheus.Path.StartsWith("/api", StringComparison.OrdinalIgnoreCase)
            || options.Prometheus.Path.StartsWith("/health", StringComparison.OrdinalIgnoreCase)))
        {
            errors.Add($"{Section}:Prometheus:Path is '{options.Prometheus.Path}'; set a path of its own starting with '/', e.g. /metrics.");
        }

        return errors.Count == 0
            ? options
            : throw new Microsoft.Extensions.Options.OptionsValidationException(Section, typeof(TelemetryOptions), errors);
    }
}
