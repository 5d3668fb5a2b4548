using System.Text;

namespace FlowActors.Tests.Secrets;

/// <summary>Looks for secrets, as bytes, wherever they must not be: files, logs, exported telemetry, API answers.</summary>
internal sealed class SecretSearch(IReadOnlyDictionary<string, string> secrets)
{
    private readonly List<string> _found = [];

    /// <summary>Every file under <paramref name="folder"/> except those under <paramref name="except"/> (relative folder names).</summary>
    public SecretSearch InFolder(string folder, params string[] except)
    {
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(folder, file);
            if (!except.Any(e => relative.StartsWith(e + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
            {
                In(relative, File.ReadAllBytes(file));
            }
        }

        return this;
    }

    public SecretSearch In(string where, string text) => In(where, Encoding.UTF8.GetBytes(text));

    public SecretSearch In(string where, byte[] content)
    {
        foreach (var (name, value) in secrets)
        {
            if (content.AsSpan().IndexOf(Encoding.UTF8.GetBytes(value)) >= 0)
            {
                _found.Add($"the {name} in {where}");
            }
        }

        return this;
    }

    public void AssertNothingFound() => Assert.IsEmpty(_found, "found " + string.Join("; ", _found));
}
