namespace FlowActors.Grains;

/// <summary>Names of the grain storage providers the silo must configure.</summary>
public static class StorageNames
{
    /// <summary>Flows and components.</summary>
    public const string Grains = "flowactors";

    /// <summary>Stream subscriptions (Orleans' default name for it).</summary>
    public const string PubSub = "PubSubStore";
}
