using System.Collections.Concurrent;
using System.Text.Json;
using FlowActors.ComponentProtocol;
using FlowActors.ComponentSdk;

namespace FlowActors.SampleComponents;

/// <summary>
/// <c>count</c>: stands for an integration with a side effect (a payment, an order) that keeps an idempotency key, so
/// that delivery tests can count effects. Each message's effect is one line with its message id in
/// <c>{configuration.ledger}/effects.log</c>, written once per id: a call for an id already there (the platform tried
/// again after a call it could not see the end of) writes a line to <c>repeats.log</c> instead and answers as before.
/// The ledger is a file, so it outlives the process: a replacement process knows what the killed one did.
/// Waits <c>configuration.ms</c> milliseconds per message; a body <c>"transient": k</c> rebounds the first k calls
/// for the message (in this process), and <c>"poison": true</c> refuses it for good.
/// </summary>
internal static class CountingComponent
{
    private static readonly Lock Gate = new();
    private static readonly ConcurrentDictionary<string, int> Calls = new(StringComparer.Ordinal);
    private static HashSet<string>? s_done;

    public static void Configure(ComponentBuilder component) =>
        component.Action("count", async context =>
        {
            var ledger = context.ConfigurationString("ledger")
                ?? throw new InvalidOperationException("The count action needs configuration 'ledger' (a directory).");
            var id = context.Message.Id;
            var calls = Calls.AddOrUpdate(id, 1, (_, n) => n + 1);
            if (context.ConfigurationNumber("ms") is > 0 and var ms)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(ms), context.Aborted);
            }

            if (Flag(context.Body, "poison"))
            {
                return [Emit.Poison($"message {Number(context.Body, "n")} is poison (the body says so)")];
            }

            if (calls <= Number(context.Body, "transient"))
            {
                return [Emit.Rebound()];
            }

            lock (Gate)
            {
                s_done ??= Load(ledger);
                File.AppendAllText(Path.Combine(ledger, s_done.Add(id) ? "effects.log" : "repeats.log"), id + "\n");
            }

            Calls.TryRemove(id, out _);
            return [Emit.Data(context.Body, context.Message.Headers)];
        });

    private static HashSet<string> Load(string ledger)
    {
        var effects = Path.Combine(ledger, "effects.log");
        return File.Exists(effects) ? new HashSet<string>(File.ReadAllLines(effects), StringComparer.Ordinal) : new(StringComparer.Ordinal);
    }

    private static bool Flag(JsonElement body, string name) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    private static long Number(JsonElement body, string name) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out var value) && value.TryGetInt64(out var n) ? n : 0;
}
