using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace FlowActors.Storage.Sqlite;

/// <summary>
/// Grain storage in one SQLite file: a row per (provider, state name, grain id) holding the state as the
/// silo's grain storage serializer writes it, and an ETag that every write replaces. A write or clear that
/// presents another ETag than the stored one throws <see cref="InconsistentStateException"/>, as Orleans' own
/// providers do, so two activations of one grain (or a stale copy) can never overwrite each other silently.
/// The file uses a write-ahead log: a commit is durable when the call returns, whatever happens to the process.
/// </summary>
public sealed partial class SqliteGrainStorage(
    string name,
    SqliteGrainStorageOptions options,
    IActivatorProvider activators,
    ILogger<SqliteGrainStorage> logger) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    private const int SchemaVersion = 1;

    private readonly string _connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = options.DatabasePath,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        // Microsoft.Data.Sqlite retries a busy database (another writer) until this many seconds have passed.
        DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
    }.ToString();

    private volatile bool _initialized;

    /// <summary>The database file.</summary>
    public string DatabasePath => options.DatabasePath;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe($"{nameof(SqliteGrainStorage)}-{name}", ServiceLifecycleStage.RuntimeStorageServices, InitializeAsync);

    /// <summary>Creates the folder, the file and the table if missing, and turns the write-ahead log on. Idempotent.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(options.DatabasePath));
        if (folder is not null)
        {
            // Owner-only when created here, like the files in it: component processes run as other users.
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(folder);
            }
            else
            {
                Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        if (!OperatingSystem.IsWindows() && !File.Exists(options.DatabasePath))
        {
            // The state holds webhook secrets: owner-only, like the admin key. SQLite gives its -wal and -shm files
            // the database file's permissions, and takes an empty file for a new database. Open-or-create: another
            // silo sharing the file may be creating it at the same moment.
            using var file = new FileStream(options.DatabasePath, new FileStreamOptions
            {
                Mode = FileMode.OpenOrCreate,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // journal_mode is stored in the file; the table has no rowid since its key is what every query looks up.
        command.CommandText = $"""
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS grain_state (
                provider   TEXT NOT NULL,
                state_name TEXT NOT NULL,
                grain_id   TEXT NOT NULL,
                etag       TEXT NOT NULL,
                data       BLOB NOT NULL,
                written_at TEXT NOT NULL,
                PRIMARY KEY (provider, state_name, grain_id)
            ) WITHOUT ROWID;
            PRAGMA user_version = {SchemaVersion};
            """;
        await command.ExecuteNonQueryAsync(cancellationToken);
        _initialized = true;
        LogInitialized(logger, name, options.DatabasePath, options.Synchronous);
    }

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await using var connection = await OpenAsync();
        await using var command = Command(connection, "SELECT etag, data FROM grain_state WHERE provider = $provider AND state_name = $state AND grain_id = $grain", stateName, grainId);
        await using var reader = await command.ExecuteReaderAsync();
        if (await reader.ReadAsync())
        {
            var etag = reader.GetString(0);
            var data = (byte[])reader.GetValue(1);
            grainState.State = Deserialize<T>(stateName, grainId, data) ?? Create<T>();
            grainState.ETag = etag;
            grainState.RecordExists = true;
        }
        else
        {
            grainState.State = Create<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
        }
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var data = options.GrainStorageSerializer.Serialize(grainState.State).ToArray();
        var etag = NewETag();
        await using var connection = await OpenAsync();
        // A null ETag means "there is nothing stored yet": an insert, which the primary key refuses if there is.
        var sql = grainState.ETag is null
            ? "INSERT OR IGNORE INTO grain_state (provider, state_name, grain_id, etag, data, written_at) VALUES ($provider, $state, $grain, $etag, $data, $now)"
            : "UPDATE grain_state SET etag = $etag, data = $data, written_at = $now WHERE provider = $provider AND state_name = $state AND grain_id = $grain AND etag = $expected";
        await using var command = Command(connection, sql, stateName, grainId);
        command.Parameters.AddWithValue("$etag", etag);
        command.Parameters.AddWithValue("$data", data);
        command.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.ToString("O"));
        if (grainState.ETag is not null)
        {
            command.Parameters.AddWithValue("$expected", grainState.ETag);
        }

        if (await command.ExecuteNonQueryAsync() == 0)
        {
            throw await ConflictAsync(connection, "write", stateName, grainId, grainState.ETag);
        }

        grainState.ETag = etag;
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await using var connection = await OpenAsync();
        if (grainState.ETag is null)
        {
            // Nothing was read: clearing is right only if nothing is stored.
            if (await StoredETagAsync(connection, stateName, grainId) is { } stored)
            {
                throw Conflict("clear", stateName, grainId, stored, null);
            }
        }
        else
        {
            await using var command = Command(connection, "DELETE FROM grain_state WHERE provider = $provider AND state_name = $state AND grain_id = $grain AND etag = $expected", stateName, grainId);
            command.Parameters.AddWithValue("$expected", grainState.ETag);
            if (await command.ExecuteNonQueryAsync() == 0)
            {
                throw await ConflictAsync(connection, "clear", stateName, grainId, grainState.ETag);
            }
        }

        grainState.State = Create<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    /// <summary>A connection for one operation (pooled), after <see cref="InitializeAsync"/> has run.</summary>
    private Task<SqliteConnection> OpenAsync() => _initialized
        ? OpenAsync(CancellationToken.None)
        : throw new InvalidOperationException($"SQLite grain storage '{name}' is used before the silo initialized it ({options.DatabasePath}).");

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            // Per connection (pooled connections keep it); the journal mode is a property of the file.
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = $"PRAGMA synchronous = {(int)options.Synchronous};";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private SqliteCommand Command(SqliteConnection connection, string sql, string stateName, GrainId grainId)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$provider", name);
        command.Parameters.AddWithValue("$state", stateName);
        command.Parameters.AddWithValue("$grain", grainId.ToString());
        return command;
    }

    private async Task<string?> StoredETagAsync(SqliteConnection connection, string stateName, GrainId grainId)
    {
        await using var command = Command(connection, "SELECT etag FROM grain_state WHERE provider = $provider AND state_name = $state AND grain_id = $grain", stateName, grainId);
        return await command.ExecuteScalarAsync() as string;
    }

    private async Task<InconsistentStateException> ConflictAsync(SqliteConnection connection, string operation, string stateName, GrainId grainId, string? presented) =>
        Conflict(operation, stateName, grainId, await StoredETagAsync(connection, stateName, grainId), presented);

    private InconsistentStateException Conflict(string operation, string stateName, GrainId grainId, string? stored, string? presented)
    {
        LogConflict(logger, name, operation, stateName, grainId, stored, presented);
        return new InconsistentStateException(
            $"SQLite grain storage '{name}' refused to {operation} state '{stateName}' of {grainId}: it presented ETag '{presented ?? "(none)"}' but the stored one is '{stored ?? "(none)"}'. Another activation or a stale copy changed it; read it again.",
            stored,
            presented);
    }

    private T? Deserialize<T>(string stateName, GrainId grainId, byte[] data)
    {
        try
        {
            return options.GrainStorageSerializer.Deserialize<T>(new BinaryData(data));
        }
        catch (Exception e)
        {
            // The row stays as it is: a newer build may read it, and an operator can inspect it.
            LogUnreadable(logger, name, stateName, grainId, typeof(T), e);
            throw new InvalidOperationException(
                $"SQLite grain storage '{name}' cannot read state '{stateName}' of {grainId} as {typeof(T)} from {options.DatabasePath}: {e.Message}", e);
        }
    }

    private T Create<T>() => activators.GetActivator<T>().Create();

    private static string NewETag() => Guid.NewGuid().ToString("N");

    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Grain storage {Provider} keeps state in {DatabasePath} (SQLite, write-ahead log, synchronous {Synchronous})")]
    private static partial void LogInitialized(ILogger logger, string provider, string databasePath, SqliteSynchronous synchronous);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Grain storage {Provider} refused to {Operation} state {StateName} of {GrainId}: stored ETag {Stored}, presented {Presented}")]
    private static partial void LogConflict(ILogger logger, string provider, string operation, string stateName, GrainId grainId, string? stored, string? presented);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "Grain storage {Provider} cannot read state {StateName} of {GrainId} as {StateType}")]
    private static partial void LogUnreadable(ILogger logger, string provider, string stateName, GrainId grainId, Type stateType, Exception exception);
}
