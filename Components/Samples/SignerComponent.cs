using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FlowActors.ComponentProtocol;
using FlowActors.ComponentSdk;

namespace FlowActors.SampleComponents;

/// <summary>
/// <c>sign</c>: stands for a call to an outside API that needs a key. It takes the key from the step's credential
/// (field <c>apiKey</c>), refuses the call when the key is wrong (configuration <c>{"keySha256": "&lt;hex&gt;"}</c>: the
/// SHA-256 of the only key the "API" accepts) and passes the body on with <c>signature</c> (HMAC-SHA256 of the body's
/// JSON text under the key, hex) and <c>credentialRevision</c>, so a caller who knows the key can check which key signed.
/// </summary>
internal static class SignerComponent
{
    public static void Configure(ComponentBuilder component) =>
        component.Action("sign", context =>
        {
            if (context.Credential is not { } credential || !credential.TryGet("apiKey", out var key))
            {
                return [Emit.Fail("401 Unauthorized: the step has no credential with an 'apiKey' field; name one on the step (\"credential\": \"<id>\").")];
            }

            var keyBytes = Encoding.UTF8.GetBytes(key);
            if (context.ConfigurationString("keySha256") is { } accepted
                && !CryptographicOperations.FixedTimeEquals(SHA256.HashData(keyBytes), Convert.FromHexString(accepted)))
            {
                return [Emit.Fail($"401 Unauthorized: the API does not accept credential '{credential.Id}' (revision {credential.Revision}).")];
            }

            var signature = Convert.ToHexStringLower(HMACSHA256.HashData(keyBytes, Encoding.UTF8.GetBytes(context.Body.GetRawText())));
            return [Emit.Data(Signed(context.Body, signature, credential.Revision), context.Message.Headers)];
        });

    private static JsonElement Signed(JsonElement body, string signature, long revision)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (body.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in body.EnumerateObject().Where(p => !p.NameEquals("signature") && !p.NameEquals("credentialRevision")))
                {
                    property.WriteTo(writer);
                }
            }

            writer.WriteString("signature", signature);
            writer.WriteNumber("credentialRevision", revision);
            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }
}
