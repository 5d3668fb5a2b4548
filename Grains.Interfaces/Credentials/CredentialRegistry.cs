using System.Text.RegularExpressions;

namespace FlowActors.Grains.Interfaces.Credentials;

/// <summary>Constants and rules of <see cref="ICredentialRegistryGrain"/>.</summary>
public static partial class CredentialRegistry
{
    /// <summary>The one registry of the cluster: credentials are few and small, so one activation serves them.</summary>
    public const long Key = 0;

    /// <summary>Most fields a credential has.</summary>
    public const int MaxFields = 32;

    /// <summary>Longest value of one field, in characters (room for a PEM private key or a long token).</summary>
    public const int MaxValueLength = 16 * 1024;

    /// <summary>How long a subscription lasts unless renewed; silos renew at a fraction of it.</summary>
    public static readonly TimeSpan SubscriptionLifetime = TimeSpan.FromSeconds(60);

    /// <summary>What a field's name may be: a letter or '_', then letters, digits, '_', '-' or '.', 64 at most.</summary>
    public static bool IsValidFieldName(string? name) => name is not null && FieldName().IsMatch(name);

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex FieldName();
}
