using System.Text;
using System.Text.Json;

namespace FlowActors.Grains.Flows;

/// <summary>Checks that a message body is one JSON document before it enters a flow.</summary>
public static class MessageBody
{
    public static void ThrowIfNotJson(string? body)
    {
        if (body is null)
        {
            throw new ArgumentException("The message has no body: expected a JSON document.", "body");
        }

        try
        {
            // The reader refuses an empty body and anything after the first document as well.
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(body));
            while (reader.Read())
            {
            }
        }
        catch (JsonException e)
        {
            throw new ArgumentException(
                $"The message body is not valid JSON (line {e.LineNumber + 1}, position {e.BytePositionInLine + 1}).", "body");
        }
    }
}
