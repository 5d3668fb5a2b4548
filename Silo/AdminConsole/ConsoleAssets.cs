using System.Collections.Frozen;
using Microsoft.AspNetCore.StaticFiles;

namespace FlowActors.Silo.AdminConsole;

/// <summary>
/// The console's HTML, JS and CSS, embedded in the silo assembly (Silo/AdminConsole/Assets): nothing to build,
/// nothing to copy beside the silo, and the console always matches the API it calls.
/// </summary>
public sealed class ConsoleAssets
{
    private const string Prefix = "FlowActors.Console.";

    // The pages load only their own scripts and styles: no inline script, no third party, no framing.
    private const string ContentSecurityPolicy =
        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private readonly FrozenDictionary<string, (byte[] Content, string ContentType)> _files;

    public ConsoleAssets()
    {
        var assembly = typeof(ConsoleAssets).Assembly;
        var types = new FileExtensionContentTypeProvider();
        _files = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
            .ToFrozenDictionary(n => n[Prefix.Length..], n =>
            {
                using var stream = assembly.GetManifestResourceStream(n)!;
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                var type = types.TryGetContentType(n, out var t) ? t : "application/octet-stream";
                return (copy.ToArray(), type.StartsWith("text/", StringComparison.Ordinal) || type.EndsWith("javascript", StringComparison.Ordinal) ? type + "; charset=utf-8" : type);
            }, StringComparer.Ordinal);
    }

    /// <summary>The file, or 404. Console files change with the silo, so browsers revalidate them (no-cache).</summary>
    public IResult Serve(HttpContext context, string name)
    {
        if (!_files.TryGetValue(name, out var file))
        {
            return Results.NotFound();
        }

        var headers = context.Response.Headers;
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers["Referrer-Policy"] = "same-origin";
        return Results.Bytes(file.Content, file.ContentType);
    }
}
