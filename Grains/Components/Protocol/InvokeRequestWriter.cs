using System.Buffers;
using System.Text.Json;
using FlowActors.Client;
using FlowActors.Grains.Credentials;

namespace FlowActors.Grains.Components.Protocol;

/// <summary>
/// Writes an <see cref="ComponentProtocol.InvokeRequest"/> straight from a <see cref="FlowMessage"/>: the body,
/// configuration and snapshot are JSON text already, so they are copied in raw instead of parsed into
/// elements and serialized again. Property names follow <see cref="ComponentProtocol.ProtocolJson"/> (camelCase).
/// </summary>
internal static class InvokeRequestWriter
{
    private static readonly JsonEncodedText ActionName = JsonEncodedText.Encode("action");
    private static readonly JsonEncodedText MessageName = JsonEncodedText.Encode("message");
    private static readonly JsonEncodedText IdName = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText BodyName = JsonEncodedText.Encode("body");
    private static readonly JsonEncodedText HeadersName = JsonEncodedText.Encode("headers");
    private static readonly JsonEncodedText ExecutionIdName = JsonEncodedText.Encode("executionId");
    private static readonly JsonEncodedText TraceParentName = JsonEncodedText.Encode("traceParent");
    private static readonly JsonEncodedText ConfigurationName = JsonEncodedText.Encode("configuration");
    private static readonly JsonEncodedText SnapshotName = JsonEncodedText.Encode("snapshot");
    private static readonly JsonEncodedText CredentialName = JsonEncodedText.Encode("credential");
    private static readonly JsonEncodedText RevisionName = JsonEncodedText.Encode("revision");
    private static readonly JsonEncodedText FieldsName = JsonEncodedText.Encode("fields");

    private static readonly JsonEncodedText MessagesName = JsonEncodedText.Encode("messages");
    private static readonly JsonEncodedText ConcurrencyName = JsonEncodedText.Encode("concurrency");

    public static void Write(
        IBufferWriter<byte> buffer, string action, FlowMessage message, string? configurationJson, string? snapshotJson, ComponentCredential? credential = null)
    {
        using var writer = new Utf8JsonWriter(buffer);
        writer.WriteStartObject();
        writer.WriteString(ActionName, action);
        writer.WritePropertyName(MessageName);
        WriteMessage(writer, message);
        WriteStepState(writer, configurationJson, snapshotJson, credential);
        writer.WriteEndObject();
    }

    /// <summary>Writes an <see cref="ComponentProtocol.InvokeBatchRequest"/>: the same shape with a <c>messages</c> array.</summary>
    /// <param name="concurrency">How many of the messages the component may run at once; 1 (written as nothing): one after the other.</param>
    public static void WriteBatch(
        IBufferWriter<byte> buffer, string action, IReadOnlyList<FlowMessage> messages, string? configurationJson, string? snapshotJson,
        ComponentCredential? credential = null, int concurrency = 1)
    {
        using var writer = new Utf8JsonWriter(buffer);
        writer.WriteStartObject();
        writer.WriteString(ActionName, action);
        writer.WriteStartArray(MessagesName);
        foreach (var message in messages)
        {
            WriteMessage(writer, message);
        }

        writer.WriteEndArray();
        if (concurrency > 1)
        {
            writer.WriteNumber(ConcurrencyName, concurrency);
        }

        WriteStepState(writer, configurationJson, snapshotJson, credential);
        writer.WriteEndObject();
    }

    private static void WriteMessage(Utf8JsonWriter writer, FlowMessage message)
    {
        writer.WriteStartObject();
        writer.WriteString(IdName, message.Id);
        WriteRaw(writer, BodyName, message.Body, $"The body of message '{message.Id}'");
        if (message.Headers.Count > 0)
        {
            writer.WriteStartObject(HeadersName);
            foreach (var (name, value) in message.Headers)
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
        }

        writer.WriteString(ExecutionIdName, message.ExecutionId);
        if (message.TraceParent is { } traceParent)
        {
            writer.WriteString(TraceParentName, traceParent);
        }

        writer.WriteEndObject();
    }

    private static void WriteStepState(Utf8JsonWriter writer, string? configurationJson, string? snapshotJson, ComponentCredential? credential)
    {
        if (!string.IsNullOrWhiteSpace(configurationJson))
        {
            WriteRaw(writer, ConfigurationName, configurationJson, "The step's configuration");
        }

        if (!string.IsNullOrWhiteSpace(snapshotJson))
        {
            WriteRaw(writer, SnapshotName, snapshotJson, "The step's snapshot");
        }

        if (credential is not null)
        {
            // In the request body only, never in a header, the environment or a command line.
            writer.WriteStartObject(CredentialName);
            writer.WriteString(IdName, credential.Id);
            writer.WriteNumber(RevisionName, credential.Revision);
            writer.WriteStartObject(FieldsName);
            foreach (var (name, value) in credential.Fields)
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }
    }

    private static void WriteRaw(Utf8JsonWriter writer, JsonEncodedText name, string json, string what)
    {
        writer.WritePropertyName(name);
        try
        {
            // Validation is a forward-only scan, no document: cheap, and a broken body fails here with its
            // name instead of reaching the component as a 400 that names nothing.
            writer.WriteRawValue(json);
        }
        catch (JsonException exception)
        {
            throw new ArgumentException($"{what} is not JSON: {exception.Message}", exception);
        }
    }
}
