using System.Globalization;
using FlowActors.ComponentProtocol;
using FlowActors.ComponentSdk;

namespace FlowActors.SampleComponents;

/// <summary>
/// <c>delay</c>: stands for a call to an outside API. Waits <c>configuration.ms</c> (else body
/// <c>delayMs</c>, else nothing) milliseconds, then passes the body on. Its output carries header
/// <see cref="InFlightHeader"/>: how many calls were in flight at this component when this one started (itself
/// included), so tests and the bench see the concurrency a step really gave it.
/// </summary>
internal static class DelayComponent
{
    public const string InFlightHeader = "delay.inFlight";

    private static int s_inFlight;

    public static void Configure(ComponentBuilder component) =>
        component.Action("delay", async context =>
        {
            var milliseconds = context.ConfigurationNumber("ms") ?? BodyDelay(context);
            var inFlight = Interlocked.Increment(ref s_inFlight);
            try
            {
                if (milliseconds > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(milliseconds), context.Aborted);
                }
            }
            finally
            {
                Interlocked.Decrement(ref s_inFlight);
            }

            var headers = new Dictionary<string, string>(context.Message.Headers ?? new Dictionary<string, string>(), StringComparer.Ordinal)
            {
                [InFlightHeader] = inFlight.ToString(CultureInfo.InvariantCulture),
            };
            return [Emit.Data(Bodies.Rewrite(context.Body), headers)];
        });

    private static long BodyDelay(ActionContext context) =>
        context.Body.ValueKind == System.Text.Json.JsonValueKind.Object
        && context.Body.TryGetProperty("delayMs", out var value)
        && value.TryGetInt64(out var milliseconds)
            ? milliseconds
            : 0;
}
