using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace FlowActors.Silo.Api;

/// <summary>
/// Holds the admin API key and checks presented keys in constant time. The key is the configured one or the one in the
/// key file (made at first start when missing), trimmed either way; a key too short for its purpose stops the silo at
/// start (<see cref="ApiOptionsValidator"/>), whichever way it came.
/// </summary>
public sealed class ApiKey
{
    public const string Header = "X-Api-Key";

    /// <summary>A key file larger than this is not a key file (a wrong path, a log): refused rather than read whole.</summary>
    private const int MaxFileBytes = 64 * 1024;

    private readonly byte[] _key;

    public ApiKey(IOptions<ApiOptions> options, IHostEnvironment environment)
    {
        var configured = options.Value.Key?.Trim();
        if (string.IsNullOrEmpty(configured))
        {
            KeyFile = Path.GetFullPath(options.Value.KeyFile, environment.ContentRootPath);
            configured = LoadOrCreate(KeyFile, options.Value.MinKeyLength);
        }

        _key = Encoding.UTF8.GetBytes(configured);
    }

    /// <summary>Where the key was read from or generated into, or null when the key came from configuration.</summary>
    public string? KeyFile { get; }

    public bool Matches(string? presented) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _key);

    /// <summary>
    /// A secret derived from the key for one purpose (HMAC-SHA256 of the purpose under the key), so that other
    /// credentials, such as console sessions, are never the key itself and die with it when it changes.
    /// </summary>
    public byte[] Derive(string purpose) => HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(purpose));

    /// <summary>What is wrong with <paramref name="key"/> as an admin key (a phrase that starts with "is"), or null.</summary>
    public static string? Problem(string key, int minLength)
    {
        var trimmed = key.Trim();
        if (trimmed.Length < minLength)
        {
            return $"is {trimmed.Length} characters long after trimming whitespace; at least {minLength} are required.";
        }

        if (trimmed.Length > ApiOptions.MaxKeyLength)
        {
            return $"is {trimmed.Length} characters long; at most {ApiOptions.MaxKeyLength} are allowed.";
        }

        var bad = trimmed.AsSpan().IndexOfAnyExceptInRange('!', '~');
        return bad < 0 ? null : $"has a character that is not visible ASCII at position {bad}; the key travels in an HTTP header.";
    }

    /// <summary>What is wrong with the key in <paramref name="path"/>, or null when it is good or not there yet (it is then made).</summary>
    public static string? FileProblem(string path, int minLength)
    {
        try
        {
            var file = new FileInfo(path);
            if (!file.Exists)
            {
                return null;
            }

            if (file.Length > MaxFileBytes)
            {
                return $"('{path}') is {file.Length} bytes long: not a key file. Point it at a file holding only the key.";
            }

            return Problem(File.ReadAllText(path), minLength) is { } problem
                ? $"('{path}'): the key in it {problem} Delete the file to have a new key generated, or write a longer random key into it."
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"('{path}') cannot be read: {e.Message}";
        }
    }

    private static string LoadOrCreate(string path, int minLength)
    {
        if (File.Exists(path))
        {
            // Checked at start already; checked again in case the file changed since.
            return FileProblem(path, minLength) is { } problem
                ? throw new OptionsValidationException(ApiOptions.Section, typeof(ApiOptions), [$"{ApiOptions.Section}:KeyFile {problem}"])
                : File.ReadAllText(path).Trim();
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

        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(Math.Max(32, (minLength + 1) / 2)));
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
/// cookie, see <see cref="AdminAuthentication"/>): 401 saying what is expected, or 429 for a client that presented too
/// many wrong keys.
/// </summary>
public sealed class ApiKeyFilter(AdminAuthentication authentication) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.HttpContext.Request;
        var caller = await authentication.AuthenticateAsync(context.HttpContext);
        return caller.Kind == CallerKind.Throttled ? ApiProblems.TooManyWrongKeys(caller.RetryAfter)
            : AdminAuthentication.MayCallApi(caller, request) ? await next(context)
            : ApiProblems.Unauthorized();
    }
}
