using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace FlowActors.Silo.Api;

/// <summary>Holds the admin API key and checks presented keys in constant time.</summary>
public sealed class ApiKey
{
    public const string Header = "X-Api-Key";

    private readonly byte[] _key;

    public ApiKey(IOptions<ApiOptions> options, IHostEnvironment environment)
    {
        var configured = options.Value.Key;
        if (string.IsNullOrEmpty(configured))
        {
            KeyFile = Path.GetFullPath(options.Value.KeyFile, environment.ContentRootPath);
            configured = LoadOrCreate(KeyFile);
        }

        _key = Encoding.UTF8.GetBytes(configured);
    }

    /// <summary>Where the generated key is, or null when the key came from configuration.</summary>
    public string? KeyFile { get; }

    public bool Matches(string? presented) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _key);

    /// <summary>
    /// A secret derived from the key for one purpose (HMAC-SHA256 of the purpose under the key), so that other
    /// credentials, such as console sessions, are never the key itself and die with it when it changes.
    /// </summary>
    public byte[] Derive(string purpose) => HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(purpose));

    private static string LoadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }

        // The data folder is owner-only: it holds credentials, and component processes run as other users.
        var folder = Path.GetDirectoryName(path)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        File.WriteAllText(path, key);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return key;
    }
}

/// <summary>
/// Refuses admin requests that are not authenticated (the <c>X-Api-Key</c> header, or the console's session
/// cookie, see <see cref="AdminAuthentication"/>): 401, no detail.
/// </summary>
public sealed class ApiKeyFilter(AdminAuthentication authentication) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        await authentication.IsApiCallAllowedAsync(context.HttpContext.Request)
            ? await next(context)
            : ApiProblems.Unauthorized();
}
