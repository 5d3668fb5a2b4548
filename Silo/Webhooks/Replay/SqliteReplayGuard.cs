using FlowActors.Grains;
using FlowActors.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace FlowActors.Silo.Webhooks.Replay;

/// <summary>
/// The embedded profile's replay guard: a table in the silo's database file (beside the grain state, same write-ahead
/// log and <c>synchronous</c> setting), so that a signature accepted before a crash or a restart is refused after it.
/// One insert per signed request; the primary key refuses a signature already there.
/// </summary>
public sealed class SqliteReplayGuard : IReplayGuard
{
    private readonly string _connectionString;
    private readonly SqliteSynchronous _synchronous;
    private readonly Lazy<Task> _created;

    public SqliteReplayGuard(IOptionsMonitor<SqliteGrainStorageOptions> storage)
    {
        // The grain state's database: the silo creates it (owner-only) before it serves webhooks.
        var options = storage.Get(StorageNames.Grains);
        _synchronous = options.Synchronous;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = options.DatabasePath,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = true,
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
        }.ToString();
        _created = new(() => ExecuteAsync("""
            CREATE TABLE IF NOT EXISTS webhook_signatures (
                flow_id   TEXT NOT NULL,
                signature TEXT NOT NULL,
                timestamp INTEGER NOT NULL,
                PRIMARY KEY (flow_id, signature)
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS webhook_signatures_by_time ON webhook_signatures (timestamp);
            """, null, CancellationToken.None));
    }

    public async Task<bool> TryRememberAsync(string flowId, string signature, long timestamp, CancellationToken cancellationToken)
    {
        await _created.Value;
        return await ExecuteAsync(
            "INSERT OR IGNORE INTO webhook_signatures (flow_id, signature, timestamp) VALUES ($flow, $signature, $timestamp)",
            command =>
            {
                command.Parameters.AddWithValue("$flow", flowId);
                command.Parameters.AddWithValue("$signature", signature);
                command.Parameters.AddWithValue("$timestamp", timestamp);
            },
            cancellationToken) == 1;
    }

    public async Task ForgetAsync(string flowId, string signature, long timestamp, CancellationToken cancellationToken)
    {
        await _created.Value;
        await ExecuteAsync("DELETE FROM webhook_signatures WHERE flow_id = $flow AND signature = $signature",
            command =>
            {
                command.Parameters.AddWithValue("$flow", flowId);
                command.Parameters.AddWithValue("$signature", signature);
            },
            cancellationToken);
    }

    public async Task<int> ForgetBeforeAsync(long timestamp, CancellationToken cancellationToken)
    {
        await _created.Value;
        return await ExecuteAsync("DELETE FROM webhook_signatures WHERE timestamp < $before",
            command => command.Parameters.AddWithValue("$before", timestamp), cancellationToken);
    }

    private async Task<int> ExecuteAsync(string sql, Action<SqliteCommand>? parameters, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using (var pragma = connection.CreateCommand())
        {
            // Its own command: a statement before the insert in the same command would add its count of changes.
            pragma.CommandText = $"PRAGMA synchronous = {(int)_synchronous};";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        parameters?.Invoke(command);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
