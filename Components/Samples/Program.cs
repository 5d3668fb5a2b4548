using System.Globalization;
using FlowActors.ComponentSdk;

namespace FlowActors.SampleComponents;

/// <summary>
/// The sample components' entry point. A named class rather than top-level statements: the silo references this
/// project (to ship the executable beside it), and two <c>Program</c> types would collide in the OpenAPI document's
/// XML comments.
/// </summary>
internal static class SampleComponentsProgram
{
    public static int Main(string[] args)
    {
        // One executable, several components. The first argument picks which one this process is; a container
        // image, which has one entry point, names it in FLOWACTORS_COMPONENT instead.
        var component = args.FirstOrDefault() ?? Environment.GetEnvironmentVariable("FLOWACTORS_COMPONENT");
        var rest = args.Length > 0 ? args[1..] : args;
        Action<ComponentBuilder>? configure = component switch
        {
            "transform" => TransformComponent.Configure,
            "delay" => DelayComponent.Configure,
            "faulty" => FaultyComponent.Configure,
            "echo" => EchoComponent.Configure,
            "counter" => CounterComponent.Configure,
            "probe" => ProbeComponent.Configure,
            "counting" => CountingComponent.Configure,
            "signer" => SignerComponent.Configure,
            _ => null,
        };

        if (configure is null)
        {
            Console.Error.WriteLine(
                "Usage: FlowActors.SampleComponents transform|delay|faulty|echo|counter|probe|counting|signer  (with FLOWACTORS_PORT set, e.g. FLOWACTORS_PORT=8080)");
            return ComponentHost.BadEnvironmentExitCode;
        }

        // SAMPLE_WARMUP_MS makes any sample slow to become ready, like a component that loads something at start.
        var warmUp = int.TryParse(Environment.GetEnvironmentVariable("SAMPLE_WARMUP_MS"), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? TimeSpan.FromMilliseconds(ms)
            : TimeSpan.Zero;
        // SAMPLE_MAX_CONCURRENCY makes any sample take at most that many messages at once, like a component with a pool.
        var most = int.TryParse(Environment.GetEnvironmentVariable("SAMPLE_MAX_CONCURRENCY"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : (int?)null;
        return ComponentHost.Run(rest, builder =>
        {
            configure(builder);
            foreach (var (action, description) in SampleDescriptions.For(component!))
            {
                builder.Describe(action, description);
            }

            if (most is { } limit)
            {
                builder.MaxConcurrency(limit);
            }

            if (warmUp > TimeSpan.Zero)
            {
                builder.WarmUp(cancellationToken => Task.Delay(warmUp, cancellationToken));
            }
        });
    }
}
