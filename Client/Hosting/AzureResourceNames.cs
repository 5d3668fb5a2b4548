namespace FlowActors.Client.Hosting;

/// <summary>
/// The Azure Storage tables, blob container and queues of one FlowActors deployment, all named from one prefix
/// (<c>FlowActors:Azure:ResourcePrefix</c> on silos, <c>FlowActors:Client:AzureResourcePrefix</c> on clients), so
/// that several deployments, or test runs, share a storage account without seeing each other.
/// </summary>
/// <param name="Prefix">Lowercase letters and digits, starting with a letter, 3 to 24 characters (see <see cref="IsValidPrefix"/>).</param>
public sealed record AzureResourceNames(string Prefix)
{
    public const string DefaultPrefix = "flowactors";

    /// <summary>Orleans' membership table: silos register here, clients find gateways here.</summary>
    public string MembershipTable => $"{Prefix}membership";

    /// <summary>Reminders (Azure Table reminder service).</summary>
    public string RemindersTable => $"{Prefix}reminders";

    /// <summary>Stream subscriptions (the PubSubStore grain storage).</summary>
    public string PubSubTable => $"{Prefix}pubsub";

    /// <summary>The signatures of signed webhook requests accepted lately, so that each is accepted once (the replay guard).</summary>
    public string WebhookSignaturesTable => $"{Prefix}signatures";

    /// <summary>Grain state (flows, components, catalogs, webhooks): one blob per grain state.</summary>
    public string GrainStateContainer => $"{Prefix}-grains";

    /// <summary>The Data Protection key ring that seals stored secrets: one blob per key, each encrypted with the cluster's certificate.</summary>
    public string KeyRingContainer => $"{Prefix}-keys";

    /// <summary>The queues of the durable stream provider.</summary>
    public List<string> StreamQueues(int count) => [.. Enumerable.Range(0, count).Select(i => $"{Prefix}-flows-{i}")];

    /// <summary>
    /// Whether <paramref name="prefix"/> makes valid names for every kind of resource: table names allow only letters
    /// and digits, containers and queues only lowercase ones, and all of them start with a letter.
    /// </summary>
    public static bool IsValidPrefix(string? prefix) =>
        prefix is { Length: >= 3 and <= 24 } && char.IsAsciiLetterLower(prefix[0]) && prefix.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c));
}
