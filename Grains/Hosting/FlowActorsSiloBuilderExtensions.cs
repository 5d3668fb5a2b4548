using FlowActors.Grains.Components.Protocol;
using FlowActors.Grains.Credentials;
using FlowActors.Grains.Delivery;
using FlowActors.Grains.Executions;
using FlowActors.Grains.Flows;
using FlowActors.Grains.Mappings;
using FlowActors.Grains.Secrets;
using FlowActors.Grains.Steps;
using FlowActors.Grains.Triggers;
using FlowActors.Grains.Triggers.ServiceBus;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Storage;

namespace FlowActors.Grains.Hosting;

/// <summary>Registers what the FlowActors grains need, whatever the hosting profile.</summary>
public static class FlowActorsSiloBuilderExtensions
{
    /// <summary>
    /// Adds the grains' services and options. The host still chooses the grain storage
    /// (<see cref="StorageNames.Grains"/>, <see cref="StorageNames.PubSub"/>), the stream provider
    /// (<see cref="Interfaces.Messages.FlowStreams.Provider"/>), the reminder service (running real-time flows reconcile
    /// on a reminder; triggers keep reminders), an <see cref="Containers.IContainerRuntime"/> and where Data Protection
    /// keeps the key ring that seals stored secrets (every silo of a cluster must share it).
    /// </summary>
    public static ISiloBuilder AddFlowActors(this ISiloBuilder builder, Action<StepOptions>? configureSteps = null)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ComponentClient>();

        // One application name for every silo, whatever folder it runs from: they must open what another one sealed.
        services.AddDataProtection().SetApplicationName(SecretSealer.ApplicationName);
        services.TryAddSingleton<SecretSealer>();

        // Each silo's copy of the credentials, which steps hand their components with each call.
        services.TryAddSingleton<CredentialDirectory>();
        services.AddHostedService(provider => provider.GetRequiredService<CredentialDirectory>());

        // Grain state is stored with the Orleans serializer, not Orleans' default JSON with .NET type names: the
        // stored contract is then the [Id]s and [Alias]es of the state types (versionable, renames survive), and a
        // compiler-generated collection a caller happened to pass cannot end up in storage as a type name nobody can
        // resolve later. Every storage provider of every profile takes this one.
        services.AddSingleton<IGrainStorageSerializer, OrleansGrainStorageSerializer>();
        var steps = services.AddOptions<StepOptions>().BindConfiguration(StepOptions.Section).ValidateOnStart();
        if (configureSteps is not null)
        {
            steps.Configure(configureSteps);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StepOptions>, StepOptionsValidator>());
        services.AddOptions<FlowOptions>().BindConfiguration(FlowOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FlowOptions>, FlowOptionsValidator>());
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, ContainerDeathRouter>();
        services.AddOptions<FlowLimitsOptions>().BindConfiguration(FlowLimitsOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FlowLimitsOptions>, FlowLimitsOptionsValidator>());
        services.AddOptions<ExecutionLogOptions>().BindConfiguration(ExecutionLogOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ExecutionLogOptions>, ExecutionLogOptionsValidator>());
        services.AddOptions<DeadLetterOptions>().BindConfiguration(DeadLetterOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DeadLetterOptions>, DeadLetterOptionsValidator>());
        services.AddOptions<MappingOptions>().BindConfiguration(MappingOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MappingOptions>, MappingOptionsValidator>());
        services.TryAddSingleton<SharedExpressions>();
        services.AddOptions<TriggerOptions>().BindConfiguration(TriggerOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TriggerOptions>, TriggerOptionsValidator>());

        // Tests put a factory of fake clients here first: the trigger's own code then runs against the fake.
        services.TryAddSingleton<IServiceBusClientFactory, ServiceBusClientFactory>();
        return builder;
    }
}
