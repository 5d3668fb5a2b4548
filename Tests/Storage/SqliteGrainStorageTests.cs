using FlowActors.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace FlowActors.Tests.Storage;

/// <summary>
/// The contract every Orleans grain storage keeps, held against a real SQLite file: what is written reads back,
/// a stale ETag is refused with <see cref="InconsistentStateException"/>, a clear forgets, and concurrent writers
/// of one grain (even through two providers, as two silos on one machine) never both win.
/// </summary>
[TestClass]
public sealed class SqliteGrainStorageTests
{
    private static readonly GrainId Grain = GrainId.Create("test", "g1");

    private string _folder = "";
    private ServiceProvider _services = null!;

    public TestContext TestContext { get; set; } = null!;

    [TestInitialize]
    public void Initialize()
    {
        _folder = Directory.CreateTempSubdirectory("flowactors-sqlite-").FullName;
        _services = new ServiceCollection().AddSerializer().BuildServiceProvider();
    }

    [TestCleanup]
    public async Task Cleanup()
    {
        await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [TestMethod]
    public async Task ReadingMissingState_GivesANewStateWithoutETag()
    {
        var storage = await StartAsync();
        var state = new GrainState<Counter>();

        await storage.ReadStateAsync("counter", Grain, state);

        Assert.IsFalse(state.RecordExists);
        Assert.IsNull(state.ETag);
        Assert.IsNotNull(state.State);
        Assert.AreEqual(0, state.State!.Value);
    }

    [TestMethod]
    public async Task WrittenState_ReadsBackThroughAnotherProviderOnTheSameFile()
    {
        var storage = await StartAsync();
        var written = new GrainState<Counter>(new Counter { Value = 42, Names = ["a", "b"] });
        await storage.WriteStateAsync("counter", Grain, written);

        var state = new GrainState<Counter>();
        await (await StartAsync()).ReadStateAsync("counter", Grain, state);

        Assert.IsTrue(state.RecordExists);
        Assert.AreEqual(written.ETag, state.ETag);
        Assert.AreEqual(42, state.State!.Value);
        CollectionAssert.AreEqual(new[] { "a", "b" }, state.State!.Names);
    }

    [TestMethod]
    public async Task EveryWrite_ReplacesTheETag()
    {
        var storage = await StartAsync();
        var state = new GrainState<Counter>(new Counter { Value = 1 });
        await storage.WriteStateAsync("counter", Grain, state);
        var first = state.ETag;

        state.State!.Value = 2;
        await storage.WriteStateAsync("counter", Grain, state);

        Assert.IsNotNull(first);
        Assert.AreNotEqual(first, state.ETag);
    }

    [TestMethod]
    public async Task WriteWithAStaleETag_ThrowsInconsistentStateAndKeepsTheStoredState()
    {
        var storage = await StartAsync();
        var mine = new GrainState<Counter>(new Counter { Value = 1 });
        await storage.WriteStateAsync("counter", Grain, mine);
        var stale = new GrainState<Counter>(new Counter { Value = 99 }) { ETag = mine.ETag };
        mine.State!.Value = 2;
        await storage.WriteStateAsync("counter", Grain, mine);

        var e = await Assert.ThrowsExactlyAsync<InconsistentStateException>(() => storage.WriteStateAsync("counter", Grain, stale));

        Assert.AreEqual(mine.ETag, e.StoredEtag);
        Assert.AreEqual(stale.ETag, e.CurrentEtag);
        var read = new GrainState<Counter>();
        await storage.ReadStateAsync("counter", Grain, read);
        Assert.AreEqual(2, read.State!.Value);
    }

    [TestMethod]
    public async Task WriteWithoutETag_WhenStateExists_ThrowsInconsistentState()
    {
        var storage = await StartAsync();
        await storage.WriteStateAsync("counter", Grain, new GrainState<Counter>(new Counter { Value = 1 }));

        await Assert.ThrowsExactlyAsync<InconsistentStateException>(
            () => storage.WriteStateAsync("counter", Grain, new GrainState<Counter>(new Counter { Value = 2 })));
    }

    [TestMethod]
    public async Task Clear_ForgetsTheStateAndAStaleClearIsRefused()
    {
        var storage = await StartAsync();
        var state = new GrainState<Counter>(new Counter { Value = 7 });
        await storage.WriteStateAsync("counter", Grain, state);
        var stale = new GrainState<Counter> { ETag = "not-the-stored-etag" };

        await Assert.ThrowsExactlyAsync<InconsistentStateException>(() => storage.ClearStateAsync("counter", Grain, stale));
        await storage.ClearStateAsync("counter", Grain, state);

        Assert.IsFalse(state.RecordExists);
        Assert.IsNull(state.ETag);
        var read = new GrainState<Counter>();
        await storage.ReadStateAsync("counter", Grain, read);
        Assert.IsFalse(read.RecordExists);

        // After a clear, a writer that read before it cannot resurrect its copy (no ETag is ever reused).
        var before = new GrainState<Counter>(new Counter { Value = 1 });
        await storage.WriteStateAsync("counter", Grain, before);
        var old = before.ETag;
        await storage.ClearStateAsync("counter", Grain, before);
        await storage.WriteStateAsync("counter", Grain, new GrainState<Counter>(new Counter { Value = 2 }));
        await Assert.ThrowsExactlyAsync<InconsistentStateException>(
            () => storage.WriteStateAsync("counter", Grain, new GrainState<Counter>(new Counter { Value = 3 }) { ETag = old }));
    }

    [TestMethod]
    public async Task StatesAreKeyedByProviderStateNameAndGrain()
    {
        var flows = await StartAsync("flows");
        var other = await StartAsync("other");
        await flows.WriteStateAsync("counter", Grain, new GrainState<Counter>(new Counter { Value = 1 }));
        await flows.WriteStateAsync("another", Grain, new GrainState<Counter>(new Counter { Value = 2 }));
        await flows.WriteStateAsync("counter", GrainId.Create("test", "g2"), new GrainState<Counter>(new Counter { Value = 3 }));

        var read = new GrainState<Counter>();
        await other.ReadStateAsync("counter", Grain, read);
        Assert.IsFalse(read.RecordExists);
        await flows.ReadStateAsync("another", Grain, read);
        Assert.AreEqual(2, read.State!.Value);
        await flows.ReadStateAsync("counter", GrainId.Create("test", "g2"), read);
        Assert.AreEqual(3, read.State!.Value);
    }

    [TestMethod]
    public async Task ConcurrentWritersFromOneETag_ExactlyOneWins()
    {
        // Two providers on one file, as two silos of one machine would have.
        var providers = new[] { await StartAsync(), await StartAsync() };
        var start = new GrainState<Counter>(new Counter());
        await providers[0].WriteStateAsync("counter", Grain, start);

        const int Writers = 16;
        var outcomes = await Task.WhenAll(Enumerable.Range(0, Writers).Select(i => Task.Run(async () =>
        {
            var state = new GrainState<Counter>(new Counter { Value = i + 1 }) { ETag = start.ETag };
            try
            {
                await providers[i % 2].WriteStateAsync("counter", Grain, state);
                return i + 1;
            }
            catch (InconsistentStateException)
            {
                return 0;
            }
        })));

        var winners = outcomes.Where(o => o != 0).ToArray();
        Assert.HasCount(1, winners, $"outcomes: {string.Join(',', outcomes)}");
        var read = new GrainState<Counter>();
        await providers[1].ReadStateAsync("counter", Grain, read);
        Assert.AreEqual(winners[0], read.State!.Value);
    }

    [TestMethod]
    public async Task ConcurrentWritersOfDifferentGrains_AllSucceed()
    {
        var providers = new[] { await StartAsync(), await StartAsync() };

        await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(async () =>
        {
            var grain = GrainId.Create("test", $"g{i}");
            var state = new GrainState<Counter>(new Counter { Value = i });
            for (var n = 0; n < 5; n++)
            {
                state.State!.Value++;
                await providers[i % 2].WriteStateAsync("counter", grain, state);
            }
        })));

        for (var i = 0; i < 64; i++)
        {
            var read = new GrainState<Counter>();
            await providers[0].ReadStateAsync("counter", GrainId.Create("test", $"g{i}"), read);
            Assert.AreEqual(i + 5, read.State!.Value);
        }
    }

    [TestMethod]
    public async Task TheFileUsesAWriteAheadLog()
    {
        var storage = await StartAsync();

        await using var connection = new SqliteConnection($"Data Source={storage.DatabasePath}");
        await connection.OpenAsync(TestContext.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.AreEqual("wal", await command.ExecuteScalarAsync(TestContext.CancellationToken) as string);
    }

    [TestMethod]
    public async Task TheDatabaseAndItsLog_AreReadableByTheOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Inconclusive("Unix file modes");
            return;
        }

        var storage = await StartAsync();
        await storage.WriteStateAsync("counter", Grain, new GrainState<Counter>(new Counter { Value = 1 }));

        foreach (var file in new[] { storage.DatabasePath, storage.DatabasePath + "-wal" })
        {
            Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file), file);
        }
    }

    [TestMethod]
    public async Task UnreadableState_FailsTheReadNamingTheGrainAndKeepsTheRow()
    {
        var storage = await StartAsync();
        await storage.WriteStateAsync("counter", Grain, new GrainState<Counter>(new Counter { Value = 1 }));
        await using (var connection = new SqliteConnection($"Data Source={storage.DatabasePath}"))
        {
            await connection.OpenAsync(TestContext.CancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE grain_state SET data = x'00ff00ff'";
            await command.ExecuteNonQueryAsync(TestContext.CancellationToken);
        }

        var e = await Assert.ThrowsExactlyAsync<InvalidOperationException>(() => storage.ReadStateAsync("counter", Grain, new GrainState<Counter>()));

        StringAssert.Contains(e.Message, Grain.ToString());
        StringAssert.Contains(e.Message, "'counter'");
    }

    [TestMethod]
    public void Options_WithoutADatabasePath_AreRefusedNamingTheSetting()
    {
        var result = new SqliteGrainStorageOptionsValidator().Validate("flowactors", new SqliteGrainStorageOptions());

        Assert.IsTrue(result.Failed);
        StringAssert.Contains(result.FailureMessage, "DatabasePath");
    }

    [TestMethod]
    public async Task TwoSilosStartingAtOnce_BothOpenANewFile_WhichStaysOwnerOnly()
    {
        for (var round = 0; round < 10; round++)
        {
            var path = Path.Combine(_folder, $"round{round}", "state.db");
            SqliteGrainStorage[] silos = [Create("flows", path), Create("flows", path)];
            using var together = new Barrier(silos.Length);
            await Task.WhenAll(silos.Select(silo => Task.Run(async () =>
            {
                together.SignalAndWait(TestContext.CancellationToken);
                await silo.InitializeAsync(TestContext.CancellationToken);
            })));

            var written = new GrainState<Counter>(new Counter { Value = round });
            await silos[0].WriteStateAsync("counter", Grain, written);
            var read = new GrainState<Counter>();
            await silos[1].ReadStateAsync("counter", Grain, read);
            Assert.AreEqual(round, read.State!.Value);
            if (!OperatingSystem.IsWindows())
            {
                Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }
        }
    }

    private async Task<SqliteGrainStorage> StartAsync(string name = "flows")
    {
        var storage = Create(name, Path.Combine(_folder, "nested", "state.db"));
        await storage.InitializeAsync(TestContext.CancellationToken);
        return storage;
    }

    private SqliteGrainStorage Create(string name, string path)
    {
        var options = new SqliteGrainStorageOptions
        {
            DatabasePath = path,
            GrainStorageSerializer = new OrleansGrainStorageSerializer(_services.GetRequiredService<Serializer>()),
        };
        return new SqliteGrainStorage(name, options, _services.GetRequiredService<IActivatorProvider>(), NullLogger<SqliteGrainStorage>.Instance);
    }
}

[GenerateSerializer, Alias("FlowActors.Tests.Counter")]
public sealed class Counter
{
    [Id(0)]
    public int Value { get; set; }

    [Id(1)]
    public List<string> Names { get; set; } = [];
}
