using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;

namespace FlowActors.Containers.Docker;

/// <summary>Pulls a missing image where a registry is configured; otherwise says how to build it locally.</summary>
internal sealed partial class DockerImages(DockerRuntimeOptions options, ILogger logger)
{
    /// <summary>Makes <paramref name="image"/> present, or throws an error that names the image and the fix.</summary>
    public async Task PullMissingAsync(IDockerClient client, string image, string componentId, CancellationToken cancellationToken)
    {
        if (!options.PullMissingImages)
        {
            throw new ComponentImageMissingException(
                $"Docker image '{image}' of component '{componentId}' is not present on the engine at {options.Endpoint}. " +
                "Build the test images with scripts/build-test-images.sh, load the image with 'docker load', or set " +
                $"{DockerRuntimeOptions.SectionName}:PullMissingImages=true where a registry serves it.");
        }

        LogPulling(logger, image, componentId);
        var started = TimeProvider.System.GetTimestamp();
        var (repository, tag) = SplitTag(image);
        var progress = new PullProgress(logger, image);
        try
        {
            await client.Images.CreateImageAsync(new ImagesCreateParameters { FromImage = repository, Tag = tag }, null, progress, cancellationToken);
        }
        catch (DockerApiException e)
        {
            throw new ComponentImageMissingException(
                $"Pulling Docker image '{image}' of component '{componentId}' failed: {e.ResponseBody.Trim()} " +
                "Check the image name and that the engine can reach and log in to its registry.", e);
        }

        if (progress.Error is { } error)
        {
            throw new ComponentImageMissingException($"Pulling Docker image '{image}' of component '{componentId}' failed: {error}");
        }

        LogPulled(logger, image, TimeProvider.System.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>"registry:5000/team/app:1.2" → ("registry:5000/team/app", "1.2"); a digest or no tag keeps the whole reference.</summary>
    internal static (string Repository, string? Tag) SplitTag(string image)
    {
        if (image.Contains('@', StringComparison.Ordinal))
        {
            return (image, null);
        }

        var colon = image.LastIndexOf(':');
        return colon > image.LastIndexOf('/') ? (image[..colon], image[(colon + 1)..]) : (image, "latest");
    }

    /// <summary>Logs a pull's status lines (one per layer state change, not per progress tick).</summary>
    private sealed class PullProgress(ILogger logger, string image) : IProgress<JSONMessage>
    {
        public string? Error { get; private set; }

        public void Report(JSONMessage value)
        {
            if (value.Error is { } error)
            {
                Error = error.Message;
                return;
            }

            if (value.Progress is null && !string.IsNullOrEmpty(value.Status))
            {
                LogPullProgress(logger, image, value.ID ?? "", value.Status);
            }
        }
    }

    [LoggerMessage(EventId = 2030, Level = LogLevel.Information, Message = "Pulling Docker image {Image} for component {ComponentId}")]
    private static partial void LogPulling(ILogger logger, string image, string componentId);

    [LoggerMessage(EventId = 2031, Level = LogLevel.Debug, Message = "Pull of {Image}: {Layer} {Status}")]
    private static partial void LogPullProgress(ILogger logger, string image, string layer, string status);

    [LoggerMessage(EventId = 2032, Level = LogLevel.Information, Message = "Pulled Docker image {Image} in {Seconds:0.0} s")]
    private static partial void LogPulled(ILogger logger, string image, double seconds);
}
