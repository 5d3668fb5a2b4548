namespace FlowActors.Silo.Webhooks;

/// <summary>
/// Two listeners, two origins: the admin API, console and dashboard on <c>--urls</c> (5080), webhooks on
/// <see cref="WebhookOptions.Url"/> (5081). A browser keeps the scripts, storage and responses of one origin from
/// another, so a page a flow replies with cannot read the console or call it as the console (cookies are the exception:
/// they are shared by every port of a host, which is why a reply may not set them). Requests are told apart by the port
/// they arrived on, which the caller cannot forge (unlike the Host header).
/// </summary>
public sealed class WebhookListener(int port)
{
    public const string DefaultAdminUrl = "http://127.0.0.1:5080";

    /// <summary>The webhook listener's port.</summary>
    public int Port { get; } = port;

    /// <summary>The port of an http(s) listener URL (such as <c>http://127.0.0.1:5081</c> or <c>http://*:5081</c>), or null.</summary>
    public static int? PortOf(string? url)
    {
        try
        {
            var address = BindingAddress.Parse(url ?? "");
            return address.Scheme is "http" or "https" && address.Port is > 0 and <= 65535 ? address.Port : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
