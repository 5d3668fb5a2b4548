using System.Diagnostics;
using System.Text.RegularExpressions;
using FlowActors.Tests.Infrastructure;

namespace FlowActors.Tests.Layout;

/// <summary>
/// The repository's root holds the product's top-level folders (the design card's Silo, Grains, Grains.Interfaces,
/// Client and Tests, the other projects of FlowActors.sln, docs, samples, scripts, deploy and bench) and the solution's
/// own files, nothing else: a stray copy of a source file at the root is the kind of thing nobody notices otherwise.
/// </summary>
[TestClass]
public sealed partial class RepositoryRootTests
{
    private static readonly string[] Folders = ["Silo", "Grains", "Grains.Interfaces", "Client", "Tests", "docs", "samples", "scripts", "deploy", "bench", ".ci"];

    private static readonly string[] Files = ["FlowActors.sln", "README.md", ".editorconfig", ".gitignore", ".gitattributes"];

    [TestMethod]
    public async Task Root_HoldsOnlyTheProductsFolders_AndTheSolutionsFiles()
    {
        var projectFolders = ProjectFolders(await File.ReadAllTextAsync(Repository.PathOf("FlowActors.sln")));
        var entries = (await GitAsync("ls-files")).Select(path => path.Split('/') is [var file] ? file : path.Split('/')[0] + "/").Distinct().Order(StringComparer.Ordinal).ToArray();
        Assert.Contains("Grains.Interfaces/", entries, "git ls-files lists the repository's files");

        var stray = entries.Where(entry => entry.EndsWith('/')
            ? !Folders.Contains(entry.TrimEnd('/')) && !projectFolders.Contains(entry.TrimEnd('/'))
            : !Files.Contains(entry) && !DirectoryProps().IsMatch(entry)).ToArray();
        Assert.IsEmpty(stray,
            "entries at the repository root that are neither the product's folders (the card's, FlowActors.sln's projects, docs, samples, scripts, " +
            "deploy, bench, .ci) nor the solution's own files (FlowActors.sln, Directory.*.props, README.md, .editorconfig, .gitignore, .gitattributes): " +
            string.Join(", ", stray));
    }

    /// <summary>The top-level folders of the projects FlowActors.sln builds (Cli, Components, Containers...).</summary>
    private static HashSet<string> ProjectFolders(string solution) =>
        ProjectPath().Matches(solution).Select(m => m.Groups[1].Value.Split('\\', '/')[0]).ToHashSet(StringComparer.Ordinal);

    private static async Task<string[]> GitAsync(string arguments)
    {
        using var git = Process.Start(new ProcessStartInfo("git", arguments)
        {
            WorkingDirectory = Repository.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = git.StandardOutput.ReadToEndAsync();
        var error = git.StandardError.ReadToEndAsync();
        await git.WaitForExitAsync();
        Assert.AreEqual(0, git.ExitCode, $"git {arguments} in {Repository.Root} failed: {await error}");
        return (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [GeneratedRegex(@"^Directory\.[\w.]+\.props$")]
    private static partial Regex DirectoryProps();

    // Project("{type}") = "Name", "Folder\Project.csproj", "{guid}": solution folders have no .csproj and do not count.
    [GeneratedRegex(@"^Project\(""\{[^}]+\}""\) = ""[^""]+"", ""([^""]+\.csproj)""", RegexOptions.Multiline)]
    private static partial Regex ProjectPath();
}
