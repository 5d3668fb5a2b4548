using FlowActors.Client;
using FlowActors.Grains.Flows;
using FlowActors.Grains.Interfaces.Credentials;

namespace FlowActors.Grains.Credentials;

/// <summary>Checks that every credential a flow definition names exists (at save, publish and start).</summary>
public static class CredentialReferences
{
    /// <param name="alsoKnown">Credentials counted as existing besides the registry's: those a set being checked creates.</param>
    public static async Task<IReadOnlyList<ValidationError>> ValidateAsync(IGrainFactory grains, FlowDefinition? definition, IEnumerable<string>? alsoKnown = null)
    {
        var steps = definition?.Steps ?? [];
        var named = steps.Select((step, index) => (step, index)).Where(s => s.step?.Credential is not null).ToList();
        if (named.Count == 0)
        {
            return [];
        }

        var known = (await grains.GetGrain<ICredentialRegistryGrain>(CredentialRegistry.Key).ListAsync()).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        known.UnionWith(alsoKnown ?? []);
        var errors = new List<ValidationError>();
        foreach (var (step, index) in named)
        {
            var name = step.Credential!;
            if (!FlowValidator.IsValidId(name))
            {
                errors.Add(new($"steps[{index}].credential", $"Step '{FlowValidator.Quote(step.Id)}' names credential '{FlowValidator.Quote(name)}', which is not a valid credential id: expected 1-64 characters: letters, digits, '-' or '_'."));
            }
            else if (!known.Contains(name))
            {
                errors.Add(new($"steps[{index}].credential", $"Step '{FlowValidator.Quote(step.Id)}' names credential '{name}', which does not exist. Create it first: PUT /api/credentials/{name} (or flowactors credential set {name} ...)."));
            }
        }

        return errors;
    }
}
