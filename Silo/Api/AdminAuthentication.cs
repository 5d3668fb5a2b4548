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
/// (<see cref="IAdminSessionGrain"/>): logging out ends it for good, and changing the key ends every session. A request a
/// session authenticated ends with the session (<see cref="SessionWatch"/>). The cookie is never the key itself; it is
/// HttpOnly, SameSite=Strict and, over HTTPS, Secure. Comparisons are constant-time, a cookie that is not signed costs no
/// grain call, and wrong keys are throttled per client (<see cref="WrongKeyThrottle"/>).
/// </summary>
public sealed class AdminAuthentication(
    ApiKey key, WrongKeyThrottle throttle, SessionWatch sessions, TimeProvider time, IOptions<ConsoleOptions> options, IGrainFactory grains)
{
    public const string Cookie = "flowactors_session";

    /// <summary>
    /// Cookie-authenticated API calls that change something must carry this header. SameSite does not tell the ports
    /// of one host apart, so another local web page could otherwise post a form to the API with the cookie; a custom
    /// header needs a CORS preflight, which this server never grants.
    /// </summary>
    public const string ConsoleHeader = "X-FlowActors-Console";

    private readonly byte[] _sessionKey = key.Derive("FlowActors console session v2");

    /// <summary>
    /// Who sent the request: the key (<c>X-Api-Key</c>, or with <paramref name="bearer"/> an <c>Authorization: Bearer</c>
    /// token as Prometheus sends it), else an active session, else nobody. A request that presents a key is judged by the
    /// key alone; a wrong one counts against its client, and a client that guessed too often is
    /// <see cref="CallerKind.Throttled"/>. A request a session authenticated is tied to that session.
    /// </summary>
    public async Task<Caller> AuthenticateAsync(HttpContext context, bool bearer = false)
    {
        if (PresentedKey(context.Request, bearer) is { } presented)
        {
            if (throttle.WaitFor(context) is { } wait)
            {
                return new(CallerKind.Throttled, wait);
            }

            if (presented.Count == 1 && key.Matches(presented[0]))
            {
                return new(CallerKind.Key);
            }

            throttle.CountWrong(context);
            return new(CallerKind.Anonymous);
        }

        if (SessionOf(context.Request) is { } session && await grains.GetGrain<IAdminSessionGrain>(session.Id).IsActiveAsync())
        {
            sessions.Bind(context, session.Id, session.Expires);
            return new(CallerKind.Session);
        }

        return new(CallerKind.Anonymous);
    }

    /// <summary>Whether an authenticated caller may make this API call: the key always, a session for reads or with <see cref="ConsoleHeader"/>.</summary>
    public static bool MayCallApi(Caller caller, HttpRequest request) =>
        caller.Kind == CallerKind.Key
        || (caller.Kind == CallerKind.Session
            && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || request.Headers.ContainsKey(ConsoleHeader)));

    /// <summary>
    /// Starts a session and issues its cookie when <paramref name="presentedKey"/> is the API key
    /// (<see cref="CallerKind.Session"/>); a wrong key counts against the client like any other.
    /// </summary>
    public async Task<Caller> SignInAsync(HttpContext context, string? presentedKey)
    {
        if (throttle.WaitFor(context) is { } wait)
        {
            return new(CallerKind.Throttled, wait);
        }

        if (!key.Matches(presentedKey))
        {
            throttle.CountWrong(context);
            return new(CallerKind.Anonymous);
        }

        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var expires = time.GetUtcNow() + options.Value.SessionLifetime;
        await grains.GetGrain<IAdminSessionGrain>(id).StartAsync(expires);
        var signed = $"{id}.{expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}";
        context.Response.Cookies.Append(Cookie, $"{signed}.{Convert.ToHexStringLower(Sign(signed))}", CookieOptions(context.Request, expires));
        return new(CallerKind.Session);
    }

    /// <summary>Ends the request's session, if it has one (and with it every request it authenticated), and deletes its cookie.</summary>
    public async Task SignOutAsync(HttpContext context)
    {
        if (SessionOf(context.Request) is { } session)
        {
            await grains.GetGrain<IAdminSessionGrain>(session.Id).EndAsync();
            sessions.Ended(session.Id, context);
        }

        context.Response.Cookies.Delete(Cookie, CookieOptions(context.Request, expires: null));
    }

    private static Microsoft.Extensions.Primitives.StringValues? PresentedKey(HttpRequest request, bool bearer)
    {
        if (request.Headers.TryGetValue(ApiKey.Header, out var header))
        {
            return header;
        }

        return bearer && request.Headers.Authorization is [{ } authorization] && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? new(authorization["Bearer ".Length..].Trim())
            : null;
    }

    /// <summary>The session of a cookie this server signed and that has not expired; null for anything else.</summary>
    private (string Id, DateTimeOffset Expires)? SessionOf(HttpRequest request)
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
            && DateTimeOffset.FromUnixTimeSeconds(unix) is var expires && expires > time.GetUtcNow()
                ? (id, expires)
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

/// <summary>Who sent a request, as far as the admin surface is concerned (<see cref="AdminAuthentication"/>).</summary>
/// <param name="RetryAfter">For <see cref="CallerKind.Throttled"/>: how long until the client may present a key again.</param>
public readonly record struct Caller(CallerKind Kind, TimeSpan RetryAfter = default)
{
    public bool IsAuthenticated => Kind is CallerKind.Key or CallerKind.Session;
}

public enum CallerKind
{
    /// <summary>No credentials, or wrong ones.</summary>
    Anonymous,

    /// <summary>The admin API key.</summary>
    Key,

    /// <summary>An active console session.</summary>
    Session,

    /// <summary>A client that presented too many wrong keys and must wait.</summary>
    Throttled,
}
