using System.Net;
using System.Net.Sockets;
using Azure.Storage.Queues;
using FlowActors.Containers;
using FlowActors.Grains;
using FlowActors.Grains.Hosting;
using FlowActors.Grains.Interfaces.Messages;
using FlowActors.Silo.Secrets;
using FlowActors.Silo.Webhooks.Replay;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace FlowActors.Silo.Hosting.Azure;

/// <summary>
/// The Azure profile (<c>FlowActors:Profile=Azure</c>): a cluster of silos on one storage account. Membership and
/// reminders in tables, grain state in blobs, stream subscriptions in a table, a durable Azure Queue stream
/// provider for ordinary flows beside the fast streams of real-time hops, the key ring that seals stored secrets in a
/// blob container (each key encrypted with the cluster's certificate). Azurite stands in for the account here.
/// </summary>
public static class AzureProfile
{
    /// <summary>Overrides of Orleans' membership timings (<see cref="ClusterMembershipOptions"/>), e.g. <c>FlowActors:Membership:ProbeTimeout</c>.</summary>
    public const string MembershipSection = "FlowActors:Membership";

    /// <summary>
    /// How long a message a silo took stays hidden from the others: after a silo dies, what it had taken but not
    /// delivered is delivered again this much later (Azure's default, stated).
    /// </summary>
    public static readonly TimeSpan DurableMessageVisibility = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Messages a silo reads ahead per queue. The pulling agent reads until its cache is full and deletes a message only
    /// once a tenth of the cache behind it is delivered; with Orleans' 4,096 a step slower than about 14 messages a second
    /// saw messages it had read but not yet passed come back after the visibility timeout, read again as duplicates and
    /// no longer deletable (their receipt changed): the ordinary flow fell to a few messages a second. 64 keeps what is
    /// read ahead deliverable well within the timeout at 3 messages a second, and deletes in steps of 6.
    /// </summary>
    private const int DurableCacheSize = 64;

    public static ISiloBuilder UseAzureProfile(this ISiloBuilder silo, SiloHostOptions host)
    {
        var configuration = silo.Configuration;
        var azure = AzureStorageProfileOptions.From(configuration);
        var names = azure.Names;
        var clients = new AzureStorageClients(azure);

        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = host.ClusterId;
            o.ServiceId = host.ServiceId;
        });
        if (string.IsNullOrEmpty(host.AdvertisedAddress))
        {
            silo.ConfigureEndpoints(host.SiloPort, host.GatewayPort, AddressFamily.InterNetwork, host.ListenOnAnyAddress);
        }
        else
        {
            silo.ConfigureEndpoints(IPAddress.Parse(host.AdvertisedAddress), host.SiloPort, host.GatewayPort, host.ListenOnAnyAddress);
        }

        silo.UseAzureStorageClustering(o =>
        {
            o.TableServiceClient = clients.Tables();
            o.TableName = names.MembershipTable;
        });
        silo.Services.Configure<ClusterMembershipOptions>(FastFailureDetection);
        silo.Services.Configure<ClusterMembershipOptions>(configuration.GetSection(MembershipSection));
        silo.Services.AddSingleton<IValidateOptions<ClusterMembershipOptions>, MembershipOptionsValidator>();
        silo.AddSingleActivationDirectory();
        silo.Services.AddOptions<ClusterMembershipOptions>().ValidateOnStart();

        // Blobs rather than table rows: a flow keeps every published revision, and a table entity stops at 1 MB.
        silo.AddAzureBlobGrainStorage(StorageNames.Grains, o =>
        {
            o.BlobServiceClient = clients.Blobs();
            o.ContainerName = names.GrainStateContainer;
        });
        // Subscriptions are small rows written often: what tables are for. Durable, because clients stay connected
        // while the silos that host the rendezvous grains come and go.
        silo.AddAzureTableGrainStorage(StorageNames.PubSub, o =>
        {
            o.TableServiceClient = clients.Tables();
            o.TableName = names.PubSubTable;
        });
        silo.UseAzureTableReminderService(o =>
        {
            o.TableServiceClient = clients.Tables();
            o.TableName = names.RemindersTable;
        });

        // The key ring that seals stored secrets: in a container of its own, every key encrypted with the cluster's certificate.
        silo.Services.AddKeyRingBlobs(clients.Blobs().GetBlobContainerClient(names.KeyRingContainer));

        silo.AddDurableStreams(FlowStreams.DurableProvider, clients.Queues(), names.StreamQueues(azure.QueueCount));
        silo.Services.AddSingleton<IReplayGuard>(new AzureTableReplayGuard(clients.Tables().GetTableClient(names.WebhookSignaturesTable)));
        silo.AddFlowStreams().AddFlowActors();
        silo.Services.AddRunningFlowsResumption();
        silo.Services.AddFlowActorsContainerRuntime(configuration);
        return silo;
    }

    /// <summary>
    /// Orleans' distributed grain directory instead of its default one. With the default (LocalGrainDirectory), the
    /// registrations a dead silo held are lost: the survivors deactivate their own activations that were registered
    /// there (real-time steps move, and start containers elsewhere), and a caller that looks such a grain up before its
    /// silo has done so activates a second one; both then write the same state (issue 22: two activations of a step
    /// failing every write for 25 minutes, containers started twice). The distributed directory recovers the dead
    /// silo's registrations from the survivors instead, and holds the dead silo's own grains back for a lease
    /// (Orleans' RangeLeaseDuration, 30 s from the estimated moment of failure: about 6 s after the death is declared
    /// with this profile's timings) so that they cannot be activated again while it might still run them. Experimental
    /// in Orleans 10 (ORLEANSEXP003); docs/decisions.md says what was measured, and why a cluster switches to it with a
    /// full restart rather than a rolling one.
    /// </summary>
    private static ISiloBuilder AddSingleActivationDirectory(this ISiloBuilder silo)
    {
#pragma warning disable ORLEANSEXP003 // experimental API: chosen knowingly, see above
        return silo.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
    }

    /// <summary>
    /// The durable stream provider as the profile registers it (Azure Queue streams): ordinary flows' hops go over it, so
    /// a message waits in a queue rather than in a silo's memory, and a silo that dies takes none with it (a message is
    /// deleted once delivered; one taken but not deleted shows up again after <see cref="DurableMessageVisibility"/>).
    /// Real-time hops and flow events stay on the fast streams. Public for <c>bench</c>, which measures a hop over it.
    /// </summary>
    public static ISiloBuilder AddDurableStreams(this ISiloBuilder silo, string name, QueueServiceClient queues, List<string> queueNames) =>
        silo.AddAzureQueueStreams(name, configure =>
        {
            configure.ConfigureAzureQueue(options => options.Configure(o =>
            {
                o.QueueServiceClient = queues;
                o.QueueNames = queueNames;
                o.MessageVisibilityTimeout = DurableMessageVisibility;
            }));
            configure.ConfigureCacheSize(DurableCacheSize);
        });


    /// <summary>
    /// A dead silo is declared dead in about ProbeTimeout × NumMissedProbesLimit (2 s × 3) plus a vote, rather than
    /// Orleans' 5 s × 3: its real-time flows are re-established sooner. The table is read and written more often so
    /// that clients and new silos see a change within seconds. On a loaded host, raise ProbeTimeout.
    /// </summary>
    private static void FastFailureDetection(ClusterMembershipOptions o)
    {
        o.ProbeTimeout = TimeSpan.FromSeconds(2);
        o.NumMissedProbesLimit = 3;
        o.NumVotesForDeathDeclaration = 2;
        o.TableRefreshTimeout = TimeSpan.FromSeconds(10);
        o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(10);
    }

    private sealed class MembershipOptionsValidator : IValidateOptions<ClusterMembershipOptions>
    {
        public ValidateOptionsResult Validate(string? name, ClusterMembershipOptions o)
        {
            const string s = MembershipSection;
            var errors = new List<string>();
            if (o.ProbeTimeout <= TimeSpan.Zero)
            {
                errors.Add($"{s}:ProbeTimeout is {o.ProbeTimeout}; set a positive time such as 00:00:02.");
            }

            if (o.NumMissedProbesLimit < 1)
            {
                errors.Add($"{s}:NumMissedProbesLimit is {o.NumMissedProbesLimit}; set at least 1 (3 by default).");
            }

            if (o.NumVotesForDeathDeclaration < 1 || o.NumVotesForDeathDeclaration > o.NumProbedSilos)
            {
                errors.Add($"{s}:NumVotesForDeathDeclaration is {o.NumVotesForDeathDeclaration}; set between 1 and {s}:NumProbedSilos ({o.NumProbedSilos}).");
            }

            if (o.TableRefreshTimeout <= TimeSpan.Zero || o.IAmAliveTablePublishTimeout <= TimeSpan.Zero)
            {
                errors.Add($"{s}:TableRefreshTimeout and {s}:IAmAliveTablePublishTimeout must be positive times such as 00:00:10.");
            }

            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
