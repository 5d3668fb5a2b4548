using System.Diagnostics;
using FlowActors.Bench.Harness;
using FlowActors.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace FlowActors.Bench.Storage;

/// <summary>
/// The embedded profile's grain storage: one write (read-modify-write with the ETag check) and one read of a
/// flow-sized state (about 2 KB) through <see cref="SqliteGrainStorage"/> on a temporary file, for each
/// <see cref="SqliteSynchronous"/> mode. State writes happen on control operations, so this bounds how fast a deploy,
/// save, publish or start can be, not a message hop.
/// </summary>
internal sealed class StorageSuite : IBenchSuite
{
    private const int Samples = 2000;

    public string Name => "storage";

    public string Description => "SQLite grain storage: write and read of a 2 KB state, synchronous Normal and Full";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(CancellationToken cancellationToken)
    {
        await using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var results = new List<BenchResult>();
        foreach (var mode in new[] { SqliteSynchronous.Normal, SqliteSynchronous.Full })
        {
            var folder = Directory.CreateTempSubdirectory("flowactors-bench-storage-").FullName;
            try
            {
                var storage = new SqliteGrainStorage("bench", new SqliteGrainStorageOptions
                {
                    DatabasePath = Path.Combine(folder, "bench.db"),
                    Synchronous = mode,
                    GrainStorageSerializer = new OrleansGrainStorageSerializer(services.GetRequiredService<Serializer>()),
                }, services.GetRequiredService<IActivatorProvider>(), NullLogger<SqliteGrainStorage>.Instance);
                await storage.InitializeAsync(cancellationToken);

                var state = new GrainState<BenchState>(new BenchState { Payload = new string('x', 2048) });
                var grain = GrainId.Create("bench", "flow");
                var writes = new List<double>(Samples);
                var reads = new List<double>(Samples);
                for (var i = 0; i < Samples && !cancellationToken.IsCancellationRequested; i++)
                {
                    state.State!.Version = i;
                    var start = Stopwatch.GetTimestamp();
                    await storage.WriteStateAsync("flow", grain, state);
                    writes.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);

                    start = Stopwatch.GetTimestamp();
                    await storage.ReadStateAsync("flow", grain, new GrainState<BenchState>());
                    reads.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }

                results.Add(BenchResult.Distribution(Name, $"write 2 KB state, synchronous {mode}", "ms", writes));
                results.Add(BenchResult.Distribution(Name, $"read 2 KB state, synchronous {mode}", "ms", reads));
            }
            finally
            {
                SqliteConnection.ClearAllPools();
                Directory.Delete(folder, recursive: true);
            }
        }

        return results;
    }
}

[GenerateSerializer, Alias("FlowActors.Bench.BenchState")]
public sealed class BenchState
{
    [Id(0)]
    public int Version { get; set; }

    [Id(1)]
    public string Payload { get; set; } = "";
}
