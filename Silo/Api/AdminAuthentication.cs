using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using FlowActors.Silo.AdminConsole;
using Microsoft.Extensions.Options;

namespace FlowActors.Silo.Api;

/// <summary>
/// Who may use the admin surface: the HTTP API, the admin console and the Orleans dashboard.
/// Programs present the API key in <c>X-Api-Key</c>. Browsers cannot add a header to a navigation, so a person
/// logs in once at <c>/console/login</c> with the key and gets a session cookie, <c>{expiry}.{HMAC of expiry}</c>,
/// signed with a secret derived from the key: the cookie is never the key itself, it expires, and changing the key
/// ends every session. The cookie is HttpOnly, SameSite=Strict and, over HTTPS, Secure. Comparisons are constant-time.
/// </summary>
public sealed class AdminAuthentication(ApiKey key, TimeProvider time, IOptions<ConsoleOptions> options)
{
    public const string Cookie = "flowactors_session";

    /// <summary>
    /// Cookie-authenticated API calls that change something must carry this header. SameSite does not tell the ports
    /// of one host apart, so another local web page could otherwise post a form to the API with the cookie; a custom
    /// header needs a CORS preflight, which this server never grants.
    /// </summary>
    public const string ConsoleHeader = "X-FlowActors-Console";

    private readonly byte[] _sessionKey = key.Derive("FlowActors console session v1");

    /// <summary>True for the API key header or a valid session cookie: enough to read and to navigate.</summary>
    public bool IsAuthenticated(HttpRequest request) => HasApiKey(request) || HasSession(request);

    /// <summary>True for the API key header, or a session cookie on a safe method or with <see cref="ConsoleHeader"/>.</summary>
    public bool IsApiCallAllowed(HttpRequest request) =>
        HasApiKey(request)
        || (HasSession(request) && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || request.Headers.ContainsKey(ConsoleHeader)));

    /// <summary>Issues a session cookie when <paramref name="presentedKey"/> is the API key.</summary>
    public bool TrySignIn(HttpContext context, string? presentedKey)
    {
        if (!key.Matches(presentedKey))
        {
            return false;
        }

        var expires = time.GetUtcNow() + options.Value.SessionLifetime;
        var seconds = expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        context.Response.Cookies.Append(Cookie, $"{seconds}.{Convert.ToHexStringLower(Sign(seconds))}", CookieOptions(context.Request, expires));
        return true;
    }

    public void SignOut(HttpContext context) => context.Response.Cookies.Delete(Cookie, CookieOptions(context.Request, expires: null));

    private bool HasApiKey(HttpRequest request) =>
        request.Headers[ApiKey.Header] is { Count: 1 } presented && key.Matches(presented[0]);

    private bool HasSession(HttpRequest request)
    {
        if (!request.Cookies.TryGetValue(Cookie, out var token) || token.Length > 128 || token.Split('.') is not [var seconds, var mac])
        {
            return false;
        }

        byte[] presented;
        try
        {
            presented = Convert.FromHexString(mac);
        }
        catch (FormatException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(presented, Sign(seconds))
            && long.TryParse(seconds, NumberStyles.None, CultureInfo.InvariantCulture, out var unix)
            && unix < DateTimeOffset.MaxValue.ToUnixTimeSeconds()
            && DateTimeOffset.FromUnixTimeSeconds(unix) > time.GetUtcNow();
    }

    private byte[] Sign(string seconds) => HMACSHA256.HashData(_sessionKey, Encoding.ASCII.GetBytes(seconds));

    private static CookieOptions CookieOptions(HttpRequest request, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = request.IsHttps,
        Path = "/",
        Expires = expires,
    };
}
