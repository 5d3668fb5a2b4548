using System.Globalization;
using Azure;
using Azure.Data.Tables;

namespace FlowActors.Silo.Webhooks.Replay;

/// <summary>
/// The Azure profile's replay guard: an Azure Table (<c>{prefix}signatures</c>) that every silo of the cluster checks,
/// one entity per accepted signature. The check is one insert: the table refuses an entity whose keys it holds (409),
/// so a replay is refused on any silo, after any silo's death, and two silos taking the same signature at once accept
/// it once. The partition is the minute of the signature's timestamp, so that expired signatures are found by a range
/// of partition keys rather than a scan of the table.
/// </summary>
public sealed class AzureTableReplayGuard(TableClient table) : IReplayGuard
{
    private readonly Lazy<Task> _created = new(() => table.CreateIfNotExistsAsync());

    public async Task<bool> TryRememberAsync(string flowId, string signature, long timestamp, CancellationToken cancellationToken)
    {
        await _created.Value;
        try
        {
            await table.AddEntityAsync(new TableEntity(Partition(timestamp), $"{flowId}:{signature}"), cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    public async Task ForgetAsync(string flowId, string signature, long timestamp, CancellationToken cancellationToken)
    {
        await _created.Value;
        await table.DeleteEntityAsync(Partition(timestamp), $"{flowId}:{signature}", ETag.All, cancellationToken);
    }

    public async Task<int> ForgetBeforeAsync(long timestamp, CancellationToken cancellationToken)
    {
        await _created.Value;
        var forgotten = 0;
        var before = Partition(timestamp);
        await foreach (var entity in table.QueryAsync<TableEntity>(e => e.PartitionKey.CompareTo(before) < 0, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            try
            {
                await table.DeleteEntityAsync(entity.PartitionKey, entity.RowKey, ETag.All, cancellationToken);
                forgotten++;
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                // another silo's sweep deleted it first
            }
        }

        return forgotten;
    }

    /// <summary>The minute of a Unix timestamp, zero-padded so that partition keys sort as times do.</summary>
    private static string Partition(long timestamp) => (timestamp / 60).ToString("D12", CultureInfo.InvariantCulture);
}
