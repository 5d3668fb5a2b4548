using FlowActors.Silo.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;

namespace FlowActors.Tests.Telemetry;

/// <summary>The telemetry settings: bound from configuration, refused with the setting's name when they cannot work.</summary>
[TestClass]
[TestCategory("Telemetry")]
public sealed class TelemetryOptionsTests
{
    [TestMethod]
    public void Defaults_ChartTheConsole_AndExportNothing()
    {
        var options = TelemetryOptions.From(Configuration());

        Assert.IsTrue(options.ConsoleMetrics);
        Assert.IsFalse(options.TracingEnabled, "no span without an exporter asking for them");
        Assert.IsFalse(options.Otlp.Enabled);
        Assert.IsFalse(options.Prometheus.Enabled);
        Assert.IsFalse(options.Prometheus.AllowAnonymous);
    }

    [TestMethod]
    public void Otlp_TurnsTracingOn_UnlessTracingIsSetOff()
    {
        var on = TelemetryOptions.From(Configuration(("Otlp:Enabled", "true"), ("Otlp:Endpoint", "http://127.0.0.1:4318"), ("Otlp:Protocol", "HttpProtobuf")));
        Assert.IsTrue(on.TracingEnabled);
        Assert.AreEqual(OtlpExportProtocol.HttpProtobuf, on.Otlp.Protocol);
        Assert.AreEqual(new Uri("http://127.0.0.1:4318"), on.Otlp.Endpoint);

        Assert.IsFalse(TelemetryOptions.From(Configuration(("Otlp:Enabled", "true"), ("Tracing", "false"))).TracingEnabled);
        Assert.IsTrue(TelemetryOptions.From(Configuration(("Tracing", "true"))).TracingEnabled, "on without an exporter: spans made and dropped");
    }

    [TestMethod]
    [DataRow("Otlp:Endpoint", "ftp://collector", "FlowActors:Telemetry:Otlp:Endpoint")]
    [DataRow("ConsoleBucket", "00:00:00.5", "FlowActors:Telemetry:ConsoleBucket")]
    [DataRow("ConsoleBucket", "01:00:00", "FlowActors:Telemetry:ConsoleBucket")]
    public void Unusable_IsRefused_NamingTheSetting(string setting, string value, string named)
    {
        var failure = Assert.ThrowsExactly<OptionsValidationException>(() => TelemetryOptions.From(Configuration((setting, value))));

        Assert.Contains(named, failure.Message);
    }

    [TestMethod]
    public void PrometheusPath_MustBeItsOwn_NotTheApisOrTheProbes()
    {
        var failure = Assert.ThrowsExactly<OptionsValidationException>(
            () => TelemetryOptions.From(Configuration(("Prometheus:Enabled", "true"), ("Prometheus:Path", "/api/metrics"))));

        Assert.Contains("FlowActors:Telemetry:Prometheus:Path", failure.Message);
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>($"{TelemetryOptions.Section}:{s.Key}", s.Value)))
            .Build();
}
