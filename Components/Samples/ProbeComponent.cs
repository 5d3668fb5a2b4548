using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.Json;
using FlowActors.ComponentProtocol;
using FlowActors.ComponentSdk;

namespace FlowActors.SampleComponents;

/// <summary>
/// <c>probe</c> (test-only): reports what this component can reach from where it runs, so the isolation tests can ask
/// from inside a component, and an operator can check a deployment's boundary. The body names what to try:
/// <c>{"connect":[{"host":"127.0.0.1","port":11111}],"read":["/srv/silo/.flowactors"]}</c>; the output says what
/// happened to each (<c>connected</c>, <c>refused</c>, <c>unreachable</c>, <c>timeout</c>; <c>read N bytes</c>,
/// <c>listed N entries</c>, <c>denied</c>, <c>missing</c>), plus the user it runs as, its network interfaces and the
/// names (never the values) of its environment variables. It only connects and reads: it sends nothing and changes
/// nothing.
/// </summary>
internal static class ProbeComponent
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(2);

    public static void Configure(ComponentBuilder component) =>
        component.Action("probe", async context =>
        {
            var buffer = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteString("user", StatusLine("Uid"));
                writer.WriteString("group", StatusLine("Gid"));
                writer.WriteStartArray("interfaces");
                foreach (var network in NetworkInterface.GetAllNetworkInterfaces())
                {
                    writer.WriteStringValue(network.Name);
                }

                writer.WriteEndArray();
                writer.WriteStartArray("environment");
                foreach (var name in Environment.GetEnvironmentVariables().Keys.Cast<string>().Order(StringComparer.Ordinal))
                {
                    writer.WriteStringValue(name);
                }

                writer.WriteEndArray();
                writer.WriteStartArray("connect");
                foreach (var target in Items(context.Body, "connect"))
                {
                    var host = target.TryGetProperty("host", out var h) && h.GetString() is { } text ? text : "127.0.0.1";
                    var port = target.GetProperty("port").GetInt32();
                    writer.WriteStartObject();
                    writer.WriteString("host", host);
                    writer.WriteNumber("port", port);
                    writer.WriteString("outcome", await ConnectAsync(host, port, context.Aborted));
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteStartArray("read");
                foreach (var path in Items(context.Body, "read"))
                {
                    writer.WriteStartObject();
                    writer.WriteString("path", path.GetString());
                    writer.WriteString("outcome", Read(path.GetString()!));
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            using var document = JsonDocument.Parse(buffer.WrittenMemory);
            return [Emit.Data(document.RootElement.Clone(), context.Message.Headers)];
        });

    private static IEnumerable<JsonElement> Items(JsonElement body, string name) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out var items) && items.ValueKind == JsonValueKind.Array
            ? items.EnumerateArray()
            : [];

    private static async Task<string> ConnectAsync(string host, int port, CancellationToken aborted)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        deadline.CancelAfter(ConnectTimeout);
        try
        {
            var address = IPAddress.Parse(host);
            using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(address, port), deadline.Token);
            return "connected";
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "refused",
                SocketError.NetworkUnreachable or SocketError.HostUnreachable or SocketError.AddressNotAvailable => "unreachable",
                _ => $"failed: {e.SocketErrorCode}",
            };
        }
        catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
        {
            return "timeout";
        }
    }

    private static string Read(string path)
    {
        try
        {
            return Directory.Exists(path)
                ? $"listed {Directory.GetFileSystemEntries(path).Length} entries"
                : string.Create(CultureInfo.InvariantCulture, $"read {File.ReadAllBytes(path).Length} bytes");
        }
        catch (UnauthorizedAccessException)
        {
            return "denied";
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return "missing";
        }
        catch (IOException e)
        {
            return $"failed: {e.Message}";
        }
    }

    /// <summary>The real id from <c>/proc/self/status</c> (<c>Uid: real effective saved fs</c>).</summary>
    private static string StatusLine(string name) =>
        File.ReadLines("/proc/self/status")
            .Where(line => line.StartsWith(name + ":", StringComparison.Ordinal))
            .Select(line => line[(name.Length + 1)..].Trim().Split('\t', ' ')[0])
            .FirstOrDefault() ?? "unknown";
}
