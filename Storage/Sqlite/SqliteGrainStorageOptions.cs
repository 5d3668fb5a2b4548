using Microsoft.Extensions.Options;
using Orleans.Storage;

namespace FlowActors.Storage.Sqlite;

/// <summary>Options of a <see cref="SqliteGrainStorage"/>, one set per provider name.</summary>
public sealed class SqliteGrainStorageOptions : IStorageProviderSerializerOptions
{
    /// <summary>
    /// The database file. Its folder is created at start; providers of one silo (or of several silos on one
    /// machine) may share a file: rows are keyed by provider name, state name and grain id.
    /// </summary>
    public string DatabasePath { get; set; } = "";

    /// <summary>
    /// How hard a commit waits for the disk. <see cref="SqliteSynchronous.Normal"/> (with the write-ahead log)
    /// survives any crash of the process, SIGKILL included; <see cref="SqliteSynchronous.Full"/> also survives a
    /// power loss or an operating-system crash, at one fsync per write.
    /// </summary>
    public SqliteSynchronous Synchronous { get; set; } = SqliteSynchronous.Normal;

    /// <summary>How long a write waits for another writer of the same file before it fails.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Set from the silo's <see cref="IGrainStorageSerializer"/> unless configured.</summary>
    public IGrainStorageSerializer GrainStorageSerializer { get; set; } = null!;
}

/// <summary>SQLite's <c>PRAGMA synchronous</c> values that make sense with a write-ahead log.</summary>
public enum SqliteSynchronous
{
    Normal = 1,
    Full = 2,
}

/// <summary>Refuses options the provider could not open its database with, naming the setting.</summary>
public sealed class SqliteGrainStorageOptionsValidator : IValidateOptions<SqliteGrainStorageOptions>
{
    public ValidateOptionsResult Validate(string? name, SqliteGrainStorageOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DatabasePath))
        {
            errors.Add($"SQLite grain storage '{name}': DatabasePath is empty; set the database file (FlowActors:DataFolder chooses it for the silo).");
        }

        if (!Enum.IsDefined(options.Synchronous))
        {
            errors.Add($"SQLite grain storage '{name}': Synchronous is '{options.Synchronous}'; set 'Normal' or 'Full'.");
        }

        if (options.BusyTimeout < TimeSpan.FromSeconds(1))
        {
            errors.Add($"SQLite grain storage '{name}': BusyTimeout is {options.BusyTimeout}; set at least 00:00:01.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
