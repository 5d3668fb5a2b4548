using FlowActors.Grains.Flows;
using FlowActors.Grains.Interfaces.Credentials;

namespace FlowActors.Grains.Credentials;

/// <summary>Checks what a caller asks to set on a credential. Pure. Errors name the field and never repeat a value.</summary>
internal static class CredentialRules
{
    /// <summary>The first problem with setting <paramref name="values"/> on <paramref name="credentialId"/>, or null.</summary>
    public static string? Problem(string credentialId, CredentialValues? values, bool replace)
    {
        if (!FlowValidator.IsValidId(credentialId))
        {
            return $"'{FlowValidator.Quote(credentialId)}' is not a valid credential id: expected 1-64 characters: letters, digits, '-' or '_'.";
        }

        if (values?.Fields is not { } fields || (replace && fields.Count == 0))
        {
            return "fields: give at least one field, e.g. {\"fields\": {\"apiKey\": \"...\"}}.";
        }

        if (fields.Count > CredentialRegistry.MaxFields)
        {
            return $"fields: a credential has at most {CredentialRegistry.MaxFields} fields; {fields.Count} were given.";
        }

        foreach (var (name, value) in fields)
        {
            if (!CredentialRegistry.IsValidFieldName(name))
            {
                return $"fields: '{FlowValidator.Quote(name)}' is not a valid field name: a letter or '_', then up to 63 letters, digits, '_', '-' or '.'.";
            }

            if (value is null && replace)
            {
                return $"fields.{name}: expected a string; null removes a field only when merging (PATCH).";
            }

            // The value itself is never quoted: it is the secret.
            if (value is not null && (value.Length == 0 || value.Length > CredentialRegistry.MaxValueLength))
            {
                return $"fields.{name}: expected a non-empty string of at most {CredentialRegistry.MaxValueLength} characters.";
            }
        }

        return null;
    }
}
