namespace FlowActors.Client.Hosting;

/// <summary>How the SDK finds the cluster's gateways.</summary>
public enum FlowActorsClustering
{
    /// <summary>One silo on this machine (the embedded profile: <c>dotnet run --project Silo</c>).</summary>
    Localhost = 0,

    /// <summary>The membership table of the Azure profile.</summary>
    AzureTable = 1,
}
