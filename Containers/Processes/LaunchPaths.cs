namespace FlowActors.Containers.Processes;

/// <summary>
/// Resolves the relative paths of a component's launch: a command or argument that starts with <c>./</c> or
/// <c>../</c> is a path under <see cref="LocalProcessRuntimeOptions.ComponentsDirectory"/>, so that a deployment
/// names what ships with the silo (<c>./FlowActors.SampleComponents.dll</c>) without any build path in it. Other
/// values pass unchanged: a plain name (<c>dotnet</c>, <c>node</c>) is looked up on PATH, an absolute path is used as is.
/// </summary>
internal static class LaunchPaths
{
    public static string Resolve(string value, string componentsDirectory) =>
        value.StartsWith("./", StringComparison.Ordinal) || value.StartsWith("../", StringComparison.Ordinal)
            ? Path.GetFullPath(Path.Combine(componentsDirectory, value))
            : value;
}
