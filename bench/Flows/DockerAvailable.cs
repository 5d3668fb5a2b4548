using System.Diagnostics;

namespace FlowActors.Bench.Flows;

/// <summary>Whether the Docker rows can run here: an engine that answers and the sample component image.</summary>
internal static class DockerAvailable
{
    public const string SampleImage = "flowactors/samples:test";

    /// <summary>Null when Docker rows can run, otherwise why not.</summary>
    public static async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        if (await DockerAsync(["info", "--format", "{{.ServerVersion}}"], cancellationToken) != 0)
        {
            return "no Docker engine answers (`docker info` failed)";
        }

        return await DockerAsync(["image", "inspect", SampleImage], cancellationToken) == 0
            ? null
            : $"image {SampleImage} is missing (scripts/build-test-images.sh builds it)";
    }

    private static async Task<int> DockerAsync(string[] arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            await Task.WhenAll(output, error);
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1; // no docker CLI
        }
    }
}
