using System.Security.Cryptography;
using FlowActors.Client;
using Microsoft.Extensions.Options;

namespace FlowActors.Containers.Processes;

/// <summary>
/// Pins what a local-process revision runs. At deployment it records the SHA-256 of every file the launch names by
/// path (a <c>./</c>, <c>../</c> or absolute command, and each such argument that is a file: the script, the dll); at each
/// start the runtime checks them, and a file with other content (edited in place, replaced by a build) fails the start
/// naming the file, so an "old" revision never runs new code unnoticed. A command given by name (<c>node</c>,
/// <c>python3</c>, <c>dotnet</c>) is the machine's interpreter and is not pinned; nor are the files a program loads by
/// itself (the assemblies beside a dll, <c>node_modules</c>): docs/components.md says how to pin those too.
/// </summary>
public sealed class LaunchFiles(IOptions<LocalProcessRuntimeOptions> options)
{
    /// <summary>The files <paramref name="launch"/> names that exist here, with their digests (empty when none).</summary>
    public async Task<IReadOnlyList<PinnedFile>> PinAsync(ComponentLaunch launch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(launch);
        var pinned = new List<PinnedFile>();
        foreach (var path in Named(launch).Distinct(StringComparer.Ordinal))
        {
            // A file not here (a Docker silo deploying a revision for local processes elsewhere) is not pinned.
            if (File.Exists(Resolve(path)) && await DigestAsync(Resolve(path), cancellationToken) is { } digest)
            {
                pinned.Add(new PinnedFile(path, digest));
            }
        }

        return pinned;
    }

    /// <summary>Each pinned file of <paramref name="revision"/> as it is here now.</summary>
    public async Task<IReadOnlyList<LaunchFileCheck>> CheckAsync(ComponentRevision revision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(revision);
        var checks = new List<LaunchFileCheck>();
        foreach (var file in revision.Files ?? [])
        {
            var resolved = Resolve(file.Path);
            checks.Add(new LaunchFileCheck(file.Path, resolved, file.Sha256, await DigestAsync(resolved, cancellationToken)));
        }

        return checks;
    }

    /// <summary>Throws naming the first pinned file of the revision whose content changed, or that is gone.</summary>
    public async Task ThrowIfChangedAsync(ContainerRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var revision = request.Revision;
        if ((await CheckAsync(revision, cancellationToken)).FirstOrDefault(check => check.Changed) is not { } changed)
        {
            return;
        }

        var now = changed.Current is null ? "is gone" : $"now has sha256 {Short(changed.Current)}";
        throw new ComponentStartException(
            $"Component '{revision.ComponentId}' revision {revision.Revision} cannot start for step '{request.FlowId}/{request.StepId}': it pins "
            + $"{changed.Path} ({changed.Resolved}) with sha256 {Short(changed.Pinned)}, as deployed, but that file {now}. A revision runs the code "
            + "it was deployed with: deploy a new revision to run the file as it is (flowactors apply does when a launch file changed), "
            + "or put the deployed file back.");
    }

    /// <summary>The launch's paths: its command when it is a path, and its arguments that are paths.</summary>
    private static IEnumerable<string> Named(ComponentLaunch launch) =>
        new[] { launch.Command }.Concat(launch.Arguments ?? [])
            .OfType<string>()
            .Where(value => value.StartsWith("./", StringComparison.Ordinal) || value.StartsWith("../", StringComparison.Ordinal) || Path.IsPathFullyQualified(value));

    private string Resolve(string path) => Path.GetFullPath(LaunchPaths.Resolve(path, options.Value.ComponentsDirectory));

    private static async Task<string?> DigestAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 81920, useAsync: true);
            return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string Short(string digest) => digest.Length > 16 ? $"{digest[..16]}…" : digest;
}

/// <summary>A pinned file of a revision as it is on this silo now.</summary>
/// <param name="Path">The path as the launch gives it.</param>
/// <param name="Resolved">Where it is on this silo.</param>
/// <param name="Pinned">Its SHA-256 at deployment.</param>
/// <param name="Current">Its SHA-256 now; null when it is gone (or unreadable).</param>
public sealed record LaunchFileCheck(string Path, string Resolved, string Pinned, string? Current)
{
    /// <summary>True when the file no longer has the content the revision was deployed with.</summary>
    public bool Changed => !string.Equals(Pinned, Current, StringComparison.Ordinal);
}
