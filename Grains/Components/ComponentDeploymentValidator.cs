using FlowActors.Client;
using FlowActors.Containers.Isolation;
using FlowActors.Grains.Flows;

namespace FlowActors.Grains.Components;

/// <summary>
/// Refuses deployments that could never run, naming the field at fault. A list or map left out is empty (the grain
/// fills it in), but a null inside one (<c>"arguments": [null]</c>) is refused here rather than failing when a flow
/// starts; the HTTP API refuses an explicit <c>"arguments": null</c> too. Sizes are bounded so that revisions, which are
/// kept for ever, stay small.
/// </summary>
public static class ComponentDeploymentValidator
{
    public const int MaxTextLength = 4096;
    public const int MaxArguments = 256;
    public const int MaxEnvironment = 256;
    public const int MaxActions = 256;

    public static void ThrowIfInvalid(string componentId, ComponentDeployment? deployment)
    {
        if (!FlowValidator.IsValidId(componentId))
        {
            throw new ArgumentException(
                $"'{FlowValidator.Quote(componentId)}' is not a valid component id: expected 1-64 characters: letters, digits, '-' or '_'.", nameof(componentId));
        }

        if (deployment?.Launch is not { } launch)
        {
            throw Invalid("The deployment needs 'launch': an image, or a command to run.");
        }

        if (string.IsNullOrWhiteSpace(launch.Image) && string.IsNullOrWhiteSpace(launch.Command))
        {
            throw Invalid("'launch' needs an 'image' (Docker) or a 'command' (local process); both are empty.");
        }

        Text(launch.Image, "launch.image");
        Text(launch.Command, "launch.command");
        List(launch.Arguments, "launch.arguments", MaxArguments);
        var environment = launch.Environment ?? new Dictionary<string, string>();
        if (environment.Count > MaxEnvironment)
        {
            throw Invalid($"'launch.environment' has {environment.Count} variables; at most {MaxEnvironment} are allowed.");
        }

        foreach (var (name, value) in environment)
        {
            if (LaunchEnvironment.Refusal(name) is { } why)
            {
                throw Invalid($"'launch.environment' sets the variable '{FlowValidator.Quote(name)}', which {why}.");
            }

            Text(value, $"launch.environment.{FlowValidator.Quote(name)}", required: true);
        }

        if (deployment.Descriptor is not { } descriptor)
        {
            throw Invalid("The deployment needs 'descriptor' with its 'triggers' and 'actions'.");
        }

        List(descriptor.Triggers, "descriptor.triggers", MaxActions);
        List(descriptor.Actions, "descriptor.actions", MaxActions);
        if ((descriptor.Triggers ?? []).Count + (descriptor.Actions ?? []).Count == 0)
        {
            throw Invalid("'descriptor' must list at least one trigger or action.");
        }

        if (ActionDetailsValidator.Problem(descriptor) is { } details)
        {
            throw Invalid(details);
        }

        if (descriptor.MaxConcurrency is < 1)
        {
            throw Invalid($"'descriptor.maxConcurrency' must be at least 1 (the most messages the component takes at once), or left out for no limit; it is {descriptor.MaxConcurrency}.");
        }
    }

    private static void List(IReadOnlyList<string>? items, string field, int max)
    {
        if (items is null)
        {
            return; // left out: empty
        }

        if (items.Count > max)
        {
            throw Invalid($"'{field}' has {items.Count} entries; at most {max} are allowed.");
        }

        for (var i = 0; i < items.Count; i++)
        {
            Text(items[i], $"{field}[{i}]", required: true);
        }
    }

    private static void Text(string? value, string field, bool required = false)
    {
        if (value is null)
        {
            if (required)
            {
                throw Invalid($"'{field}' is null; send a string.");
            }

            return;
        }

        if (required && string.IsNullOrWhiteSpace(value) && field.StartsWith("descriptor", StringComparison.Ordinal))
        {
            throw Invalid($"'{field}' is empty; name the trigger or action.");
        }

        if (value.Length > MaxTextLength)
        {
            throw Invalid($"'{field}' is {value.Length} characters long; at most {MaxTextLength} are allowed.");
        }

        if (value.Contains('\0'))
        {
            throw Invalid($"'{field}' holds a NUL character.");
        }
    }

    private static ArgumentException Invalid(string message) => new(message, "deployment");
}
