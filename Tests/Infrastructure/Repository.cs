namespace FlowActors.Tests.Infrastructure;

/// <summary>The repository these tests were built from: its files (samples, docs) and its projects' build output.</summary>
internal static class Repository
{
    /// <summary>The folder holding FlowActors.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The build configuration of these tests (Release or Debug): other projects' output is read from the same one.</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>A project's built assembly, or a failure saying to build it.</summary>
    public static string BuildOutput(string project, string assembly)
    {
        var path = PathOf(project, "bin", Configuration, "net10.0", assembly);
        return File.Exists(path) ? path : throw new FileNotFoundException($"Build {project} first ({Configuration}).", path);
    }

    private static string FindRoot()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "FlowActors.sln")))
        {
            root = root.Parent;
        }

        return root?.FullName ?? throw new InvalidOperationException("FlowActors.sln not found above the test output.");
    }
}
