namespace FlowActors.Containers.Processes;

/// <summary>
/// Finds the dotnet host to run <c>dotnet component.dll</c> revisions with: the one running the silo, so a
/// component runs on the runtime the silo was built and tested with, whatever PATH says.
/// </summary>
internal static class DotnetHost
{
    public const string Command = "dotnet";

    private static readonly Lazy<string> Path = new(Find);

    public static string Resolve(string command) => command == Command ? Path.Value : command;

    private static string Find()
    {
        // Set by the dotnet CLI for the processes it starts (dotnet run, dotnet test).
        var hostPath = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(hostPath) && File.Exists(hostPath))
        {
            return hostPath;
        }

        var current = Environment.ProcessPath;
        return current is not null && System.IO.Path.GetFileNameWithoutExtension(current) == Command ? current : Command;
    }
}
