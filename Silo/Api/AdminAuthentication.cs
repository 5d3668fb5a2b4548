using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using FlowActors.Grains.Interfaces.Sessions;
using FlowActors.Silo.AdminConsole;
using Microsoft.Extensions.Options;

namespace FlowActors.Silo.Api;

/// <summary>
/// Who may use the admin surface: the HTTP API, the admin console and the Orleans dashboard.
/// Programs present the API key in <c>X-Api-Key</c>. Browsers cannot add a header to a navigation, so a person
/// logs in once at <c>/console/login</c> with the key and gets a session cookie, <c>{session id}.{expiry}.{HMAC}</c>,
/// signed with a secret derived from the key. A cookie counts only while its session is active on the server
/// (<see cref="IAdminSessionGrain"/>): logging out ends it for good, and changing the key ends every session. The cookie is
/// never the key itself; it is HttpOnly, SameSite=Strict and, over HTTPS, Secure. Comparisons are constant-time, and a
/// cookie that is not signed costs no grain call.
/// </summary>
public sealed class AdminAuthentication(ApiKey key, TimeProvider time, IOptions<ConsoleOptions> options, IGrainFactory grains)
{
    public const string Cookie = "flowactors_session";

    /// <summary>
    /// Cookie-authenticated API calls that change something must carry this header. SameSite does not tell the ports
    /// of one host apart, so another local web page could otherwise post a form to the API with the cookie; a custom
    /// header needs a CORS preflight, which this server never grants.
    /// </summary>
    public const string ConsoleHeader = "X-FlowActors-Console";

    private readonly byte[] _sessionKey = key.Derive("FlowActors console session v2");

    /// <summary>True for the API key header or an active session: enough to read and to navigate.</summary>
    public async Task<bool> IsAuthenticatedAsync(HttpRequest request) => HasApiKey(request) || await HasSessionAsync(request);

    /// <summary>True for the API key header, or an active session on a safe method or with <see cref="ConsoleHeader"/>.</summary>
    public async Task<bool> IsApiCallAllowedAsync(HttpRequest request) =>
        HasApiKey(request)
        || ((HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || request.Headers.ContainsKey(ConsoleHeader))
            && await HasSessionAsync(request));

    /// <summary>Starts a session and issues its cookie when <paramref name="presentedKey"/> is the API key.</summary>
    public async Task<bool> TrySignInAsync(HttpContext context, string? presentedKey)
    {
        if (!key.Matches(presentedKey))
        {
            return false;
        }

        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var expires = time.GetUtcNow() + options.Value.SessionLifetime;
        await grains.GetGrain<IAdminSessionGrain>(id).StartAsync(expires);
        var signed = $"{id}.{expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}";
        context.Response.Cookies.Append(Cookie, $"{signed}.{Convert.ToHexStringLower(Sign(signed))}", CookieOptions(context.Request, expires));
        return true;
    }

    /// <summary>Ends the request's session, if it has one, and deletes its cookie.</summary>
    public async Task SignOutAsync(HttpContext context)
    {
        if (SessionOf(context.Request) is { } id)
        {
            await grains.GetGrain<IAdminSessionGrain>(id).EndAsync();
        }

        context.Response.Cookies.Delete(Cookie, CookieOptions(context.Request, expires: null));
    }

    private bool HasApiKey(HttpRequest request) =>
        request.Headers[ApiKey.Header] is { Count: 1 } presented && key.Matches(presented[0]);

    private async Task<bool> HasSessionAsync(HttpRequest request) =>
        SessionOf(request) is { } id && await grains.GetGrain<IAdminSessionGrain>(id).IsActiveAsync();

    /// <summary>The session id of a cookie this server signed and that has not expired; null for anything else.</summary>
    private string? SessionOf(HttpRequest request)
    {
        if (!request.Cookies.TryGetValue(Cookie, out var token) || token.Length > 160 || token.Split('.') is not [var id, var seconds, var mac])
        {
            return null;
        }

        Span<byte> presented = stackalloc byte[HMACSHA256.HashSizeInBytes];
        if (mac.Length != presented.Length * 2
            || Convert.FromHexString(mac, presented, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != presented.Length
            || !CryptographicOperations.FixedTimeEquals(presented, Sign($"{id}.{seconds}")))
        {
            return null;
        }

        return long.TryParse(seconds, NumberStyles.None, CultureInfo.InvariantCulture, out var unix)
            && unix < DateTimeOffset.MaxValue.ToUnixTimeSeconds()
            && DateTimeOffset.FromUnixTimeSeconds(unix) > time.GetUtcNow()
                ? id
                : null;
    }

    private byte[] Sign(string text) => HMACSHA256.HashData(_sessionKey, Encoding.ASCII.GetBytes(text));

    private static CookieOptions CookieOptions(HttpRequest request, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = request.IsHttps,
        Path = "/",
        Expires = expires,
    };
}
