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

    private static string LoadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        File.WriteAllText(path, key);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return key;
    }
}

/// <summary>Refuses admin requests without the right <c>X-Api-Key</c>: 401, no detail.</summary>
public sealed class ApiKeyFilter(ApiKey key) : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var presented = context.HttpContext.Request.Headers[ApiKey.Header];
        return presented.Count == 1 && key.Matches(presented[0])
            ? next(context)
            : ValueTask.FromResult<object?>(Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized"));
    }
}
