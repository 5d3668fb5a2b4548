using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FlowActors.Tests.Infrastructure;

/// <summary>
/// Posts a large body over a raw socket, as an attacker's script would: no <c>Expect: 100-continue</c>, the body sent
/// whatever the server answers, with a declared length or chunked. HttpClient hides what matters here (it may stop
/// sending, or report a reset instead of the answer that came before it).
/// </summary>
public static class LargePost
{
    /// <summary>
    /// 64 KiB: one form field (<c>f=aaa…&amp;</c>), so that a body of them is a form a server reads whole, field by field,
    /// rather than one it refuses early for a single oversized field.
    /// </summary>
    private static readonly byte[] Chunk = Encoding.ASCII.GetBytes("f=" + new string('a', (64 * 1024) - 3) + "&");

    /// <summary>What came back: a status code, or why none did ("reset", "closed").</summary>
    public static async Task<string> SendAsync(Uri server, string path, long bodyBytes, bool chunked, string contentType = "application/x-www-form-urlencoded")
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(server.Host), server.Port));
        var head = $"POST {path} HTTP/1.1\r\nHost: {server.Authority}\r\nContent-Type: {contentType}\r\n"
            + (chunked ? "Transfer-Encoding: chunked\r\n" : $"Content-Length: {bodyBytes.ToString(CultureInfo.InvariantCulture)}\r\n") + "\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(head));

        // The answer may come before the body is sent; read it while sending.
        var answer = ReadStatusAsync(socket);
        try
        {
            for (var sent = 0L; sent < bodyBytes && !answer.IsCompleted; sent += Chunk.Length)
            {
                var size = (int)Math.Min(Chunk.Length, bodyBytes - sent);
                if (chunked)
                {
                    await socket.SendAsync(Encoding.ASCII.GetBytes($"{size:x}\r\n"));
                }

                await socket.SendAsync(Chunk.AsMemory(0, size));
                if (chunked)
                {
                    await socket.SendAsync("\r\n"u8.ToArray());
                }
            }

            if (chunked && !answer.IsCompleted)
            {
                await socket.SendAsync("0\r\n\r\n"u8.ToArray());
            }
        }
        catch (SocketException)
        {
            // The server stopped reading and closed: what it answered first is what counts.
        }

        return await answer;
    }

    private static async Task<string> ReadStatusAsync(Socket socket)
    {
        var buffer = new byte[1024];
        var length = 0;
        try
        {
            while (length < buffer.Length)
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(length));
                if (read == 0)
                {
                    break;
                }

                length += read;
                var text = Encoding.ASCII.GetString(buffer, 0, length);
                if (text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) && text.Length >= 12)
                {
                    return text[9..12];
                }
            }

            return "closed";
        }
        catch (SocketException)
        {
            return "reset";
        }
    }
}
