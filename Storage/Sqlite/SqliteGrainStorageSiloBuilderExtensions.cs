using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime.Hosting;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace FlowActors.Storage.Sqlite;

/// <summary>Registers <see cref="SqliteGrainStorage"/> the way Orleans registers its own providers.</summary>
public static class SqliteGrainStorageSiloBuilderExtensions
{
    /// <summary>
    /// Adds a grain storage provider named <paramref name="name"/> that keeps state in a SQLite file. Its options are
    /// validated when the silo starts; the serializer is the silo's grain storage serializer unless configured.
    /// </summary>
    public static ISiloBuilder AddSqliteGrainStorage(this ISiloBuilder builder, string name, Action<OptionsBuilder<SqliteGrainStorageOptions>> configure)
    {
        var services = builder.Services;
        configure(services.AddOptions<SqliteGrainStorageOptions>(name).ValidateOnStart());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqliteGrainStorageOptions>, SqliteGrainStorageOptionsValidator>());
        services.AddTransient<IPostConfigureOptions<SqliteGrainStorageOptions>, DefaultStorageProviderSerializerOptionsConfigurator<SqliteGrainStorageOptions>>();
        services.AddGrainStorage(name, static (sp, providerName) => new SqliteGrainStorage(
            providerName,
            sp.GetRequiredService<IOptionsMonitor<SqliteGrainStorageOptions>>().Get(providerName),
            sp.GetRequiredService<IActivatorProvider>(),
            sp.GetRequiredService<ILogger<SqliteGrainStorage>>()));
        return builder;
    }
}
