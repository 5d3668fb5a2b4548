using FlowActors.Grains.Flows;
using FlowActors.Grains.Interfaces.Components;

namespace FlowActors.Grains.Components;

/// <summary>Refuses deployments that could never run, naming the field at fault.</summary>
public static class ComponentDeploymentValidator
{
    public static void ThrowIfInvalid(string componentId, ComponentDeployment? deployment)
    {
        if (!FlowValidator.IsValidId(componentId))
        {
            throw new ArgumentException(
                $"'{componentId}' is not a valid component id: expected 1-64 characters: letters, digits, '-' or '_'.", nameof(componentId));
        }

        if (deployment?.Launch is not { } launch)
        {
            throw new ArgumentException("The deployment needs 'launch': an image, or a command to run.", nameof(deployment));
        }

        if (string.IsNullOrWhiteSpace(launch.Image) && string.IsNullOrWhiteSpace(launch.Command))
        {
            throw new ArgumentException("'launch' needs an 'image' (Docker) or a 'command' (local process); both are empty.", nameof(deployment));
        }

        if (deployment.Descriptor is not { } descriptor || (descriptor.Triggers ?? []).Count + (descriptor.Actions ?? []).Count == 0)
        {
            throw new ArgumentException("'descriptor' must list at least one trigger or action.", nameof(deployment));
        }

        if ((descriptor.Triggers ?? []).Concat(descriptor.Actions ?? []).FirstOrDefault(string.IsNullOrWhiteSpace) is not null)
        {
            throw new ArgumentException("'descriptor' lists an empty trigger or action name.", nameof(deployment));
        }
    }
}
