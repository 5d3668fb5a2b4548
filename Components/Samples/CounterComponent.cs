using System.Buffers;
using System.Text.Json;
using FlowActors.ComponentProtocol;
using FlowActors.ComponentSdk;

namespace FlowActors.SampleComponents;

/// <summary>
/// A polling trigger, <c>count</c>: each call (a schedule's tick) emits the next numbers of a counter that lives in its
/// snapshot, then the snapshot for the next call. Configuration: <c>start</c> (the first number, 1 by default),
/// <c>per</c> (numbers per tick, 1 by default, 0 for none), <c>delayMs</c> (how long a tick takes, to try overruns).
/// Each message is <c>{"count": n, "tick": due time}</c>; the snapshot is <c>{"next": n + 1}</c>.
/// </summary>
internal static class CounterComponent
{
    public static void Configure(ComponentBuilder component) =>
        component.Action("count", async context =>
        {
            var next = context.Snapshot is { ValueKind: JsonValueKind.Object } snapshot
                && snapshot.TryGetProperty("next", out var stored) && stored.TryGetInt64(out var value)
                    ? value
                    : context.ConfigurationNumber("start") ?? 1;
            var per = context.ConfigurationNumber("per") ?? 1;
            if (context.ConfigurationNumber("delayMs") is > 0 and var delay)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(delay), context.Aborted);
            }

            var tick = context.Body.ValueKind == JsonValueKind.Object && context.Body.TryGetProperty("tick", out var due) ? due.GetString() : null;
            var emits = new List<Emit>();
            for (var i = 0; i < per; i++)
            {
                emits.Add(Emit.Data(Json(writer =>
                {
                    writer.WriteNumber("count", next + i);
                    if (tick is not null)
                    {
                        writer.WriteString("tick", tick);
                    }
                }), context.Message.Headers));
            }

            emits.Add(new Emit(EmitKinds.Snapshot, Json(writer => writer.WriteNumber("next", next + per))));
            return emits;
        });

    private static JsonElement Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }
}
