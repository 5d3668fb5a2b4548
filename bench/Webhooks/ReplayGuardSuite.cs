using System.Diagnostics;
using Azure.Data.Tables;
using FlowActors.Bench.Harness;
using FlowActors.Grains;
using FlowActors.Silo.Webhooks.Replay;
using FlowActors.Storage.Sqlite;
using FlowActors.TestSupport.Silos;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace FlowActors.Bench.Webhooks;

/// <summary>
/// What the durable webhook replay guard adds to a signed request: one check (an insert of the signature) against the
/// embedded profile's SQLite file, in both synchronous modes, and against an Azure Table on Azurite (the Azure profile),
/// one request after the other as a webhook's requests come. A fresh signature each time: a replay costs the same.
/// </summary>
internal sealed class ReplayGuardSuite : IBenchSuite
{
    private const int SqliteChecks = 2000;
    private const int TableChecks = 500;

    public string Name => "replay";

    public string Description => "webhook replay guard: one check (insert) on SQLite (Normal, Full) and on Azure Table (Azurite)";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(CancellationToken cancellationToken)
    {
        var results = new List<BenchResult>();
        foreach (var mode in new[] { SqliteSynchronous.Normal, SqliteSynchronous.Full })
        {
            var folder = Directory.CreateTempSubdirectory("flowactors-bench-replay-").FullName;
            try
            {
                var options = new SqliteGrainStorageOptions { DatabasePath = Path.Combine(folder, "bench.db"), Synchronous = mode };
                await using (var connection = new SqliteConnection($"Data Source={options.DatabasePath}"))
                {
                    await connection.OpenAsync(cancellationToken);
                    await using var wal = connection.CreateCommand();
                    wal.CommandText = "PRAGMA journal_mode = WAL;"; // as the grain storage sets the file up
                    await wal.ExecuteNonQueryAsync(cancellationToken);
                }

                var guard = new SqliteReplayGuard(new Fixed(options));
                results.Add(BenchResult.Distribution(Name, $"replay check, SQLite synchronous {mode}", "ms", await MeasureAsync(guard, SqliteChecks, cancellationToken)));
            }
            finally
            {
                SqliteConnection.ClearAllPools();
                Directory.Delete(folder, recursive: true);
            }
        }

        var table = new TableServiceClient(await Azurite.EnsureAsync()).GetTableClient($"{Azurite.NewPrefix()}signatures");
        try
        {
            results.Add(BenchResult.Distribution(Name, "replay check, Azure Table (Azurite)", "ms",
                await MeasureAsync(new AzureTableReplayGuard(table), TableChecks, cancellationToken)));
        }
        finally
        {
            await table.DeleteAsync(cancellationToken);
        }

        return results;
    }

    private static async Task<List<double>> MeasureAsync(IReplayGuard guard, int checks, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await guard.TryRememberAsync("bench", "warm-up", now, cancellationToken); // creates the table
        var samples = new List<double>(checks);
        for (var i = 0; i < checks && !cancellationToken.IsCancellationRequested; i++)
        {
            var signature = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
            var start = Stopwatch.GetTimestamp();
            if (!await guard.TryRememberAsync("bench", signature, now, cancellationToken))
            {
                throw new InvalidOperationException("A fresh signature was taken for a replay.");
            }

            samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        return samples;
    }

    private sealed class Fixed(SqliteGrainStorageOptions options) : IOptionsMonitor<SqliteGrainStorageOptions>
    {
        public SqliteGrainStorageOptions CurrentValue => options;

        public SqliteGrainStorageOptions Get(string? name) => name == StorageNames.Grains ? options : throw new ArgumentException(name);

        public IDisposable? OnChange(Action<SqliteGrainStorageOptions, string?> listener) => null;
    }
}
