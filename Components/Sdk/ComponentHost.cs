using System.Globalization;
using System.Net;
using System.Text.Json;
using FlowActors.ComponentProtocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FlowActors.ComponentSdk;

/// <summary>
/// Runs a component: an HTTP server on <c>127.0.0.1:$FLOWACTORS_PORT</c> serving the component protocol
/// (<c>GET /healthz</c>, <c>POST /invoke</c>, <c>POST /invoke/batch</c>).
/// <code>return ComponentHost.Run(args, c => c.Action("uppercase", ctx => [Emit.Data(...)]));</code>
/// </summary>
public static class ComponentHost
{
    /// <summary>Exit code when the platform started the component without the environment it needs.</summary>
    public const int BadEnvironmentExitCode = 2;

    /// <summary>The argument that prints the component's descriptor (actions and their details) as JSON and exits.</summary>
    public const string DescriptorArgument = "--descriptor";

    /// <summary>Runs until the process is asked to stop; returns the process exit code.</summary>
    public static int Run(string[] args, Action<ComponentBuilder> configure) =>
        RunAsync(args, configure, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Runs until the process is asked to stop or <paramref name="cancellationToken"/> is cancelled.</summary>
    public static async Task<int> RunAsync(string[] args, Action<ComponentBuilder> configure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var component = new ComponentBuilder();
        configure(component);
        if (component.Actions.Count == 0)
        {
            throw new InvalidOperationException("The component declares no action. Declare one with c.Action(\"name\", handler).");
        }

        if (component.Descriptions.Keys.FirstOrDefault(d => !component.Actions.ContainsKey(d)) is { } described)
        {
            throw new InvalidOperationException($"The component describes action '{described}' but serves no such action. Declare it with c.Action(\"{described}\", handler).");
        }

        var descriptor = DescriptorReply.Of(component);
        if (args.Contains(DescriptorArgument, StringComparer.Ordinal))
        {
            // What goes in a deployment's descriptor, printed without serving anything (no FLOWACTORS_PORT needed).
            await Console.Out.WriteLineAsync(JsonSerializer.Serialize(descriptor, SdkJson.Default.DescriptorReply));
            return 0;
        }

        if (!TryReadEnvironment(out var port, out var startConfiguration, out var problem))
        {
            await Console.Error.WriteLineAsync(problem);
            return BadEnvironmentExitCode;
        }

        var builder = WebApplication.CreateSlimBuilder(args);

        // A component's output ends up in the platform's logs, once per line: only what needs attention.
        // Logging__LogLevel__Default=Information in the revision's environment turns it up.
        builder.Logging.SetMinimumLevel(LogLevel.Warning);

        // One entry, one line: the platform forwards each line of output as one log entry.
        builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, port);
        });

        ComponentTelemetry.AddTo(builder);

        // The platform kills what does not stop in time anyway; a hung handler must not hold the process.
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));

        await using var app = builder.Build();
        var ready = false;
        app.Lifetime.ApplicationStarted.Register(() => _ = WarmUpAsync());

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("FlowActors.Component");
        var invoke = new InvokeEndpoint(component.Actions, startConfiguration, component.MaxConcurrencyLimit, logger);
        RequestDelegate health = http =>
        {
            http.Response.StatusCode = Volatile.Read(ref ready) ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
            return Task.CompletedTask;
        };
        app.MapGet(ProtocolPaths.Health, health);
        app.MapGet(ProtocolPaths.Descriptor, (HttpContext http) => http.Response.WriteAsJsonAsync(descriptor, SdkJson.Default.DescriptorReply));
        app.MapPost(ProtocolPaths.Invoke, (RequestDelegate)invoke.InvokeAsync);
        app.MapPost(ProtocolPaths.InvokeBatch, (RequestDelegate)invoke.InvokeBatchAsync);

        await app.RunAsync(cancellationToken);
        return 0;

        async Task WarmUpAsync()
        {
            if (component.WarmUpTask is { } warmUp)
            {
                await warmUp(app.Lifetime.ApplicationStopping);
            }

            Volatile.Write(ref ready, true);
        }
    }

    private static bool TryReadEnvironment(out int port, out JsonElement? configuration, out string problem)
    {
        configuration = null;
        problem = string.Empty;
        var portText = Environment.GetEnvironmentVariable(ProtocolPaths.PortVariable);
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
        {
            problem = $"{ProtocolPaths.PortVariable} is '{portText}', not a port number. The platform sets it; "
                + $"to run the component by hand, set it, e.g. {ProtocolPaths.PortVariable}=8080.";
            return false;
        }

        var configurationText = Environment.GetEnvironmentVariable(ProtocolPaths.ConfigurationVariable);
        if (string.IsNullOrWhiteSpace(configurationText))
        {
            return true;
        }

        try
        {
            using var document = JsonDocument.Parse(configurationText);
            configuration = document.RootElement.Clone();
            return true;
        }
        catch (JsonException exception)
        {
            problem = $"{ProtocolPaths.ConfigurationVariable} is not JSON ({exception.Message}). Set it to the step's configuration object or leave it empty.";
            return false;
        }
    }
}
