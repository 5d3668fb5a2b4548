using FlowActors.Client;
using FlowActors.Grains.Interfaces.Flows;
using FlowActors.Grains.Interfaces.Triggers;
using FlowActors.Grains.Secrets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FlowActors.Grains.Triggers.ServiceBus;

/// <summary>
/// A flow's Service Bus trigger. The grain is the trigger's one receiver in the cluster: while the flow runs, its
/// activation runs a <see cref="ServiceBusPump"/> that hands messages to the flow (<see cref="IFlowGrain.SendAsync"/>,
/// the flow's own entry point). The activation is kept alive while it receives; a reminder
/// (<see cref="TriggerOptions.HeartbeatPeriod"/>) brings it back (and so reopens the receiver) on another silo when its
/// silo goes away. Its deactivation stops the pump, which gives back what it had received but not handed over. The
/// connection string is stored sealed and opened only to make a client (or to keep it through an update). Its lifecycle
/// (the flow's run, the heartbeat) is <see cref="FlowTriggerGrain{TState}"/>'s.
/// </summary>
public sealed partial class ServiceBusTriggerGrain(
    [PersistentState("servicebus", StorageNames.Grains)] IPersistentState<ServiceBusTriggerState> state,
    SecretSealer sealer,
    IServiceBusClientFactory clients,
    IOptions<TriggerOptions> options,
    TimeProvider time,
    ILogger<ServiceBusTriggerGrain> logger)
    : FlowTriggerGrain<ServiceBusTriggerState>(state, options.Value, logger, "servicebus-heartbeat", "Service Bus trigger"), IServiceBusTriggerGrain
{
    private readonly ServiceBusTriggerCounters _counters = new();
    private ServiceBusPump? _pump;
    private IGrainTimer? _resume;

    protected override TriggerRun? Run
    {
        get => State.Run;
        set => State.Run = value;
    }

    /// <summary>Configured, and the flow runs: the trigger receives.</summary>
    protected override bool Active => State is { Settings: not null, Run: not null };

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (State.Settings is { ConnectionString: { } plain } stored)
        {
            // Stored by a version that kept it in plain text: sealed from now on.
            State.ConnectionString = sealer.SealConnectionString(FlowId, plain);
            State.Settings = stored with { ConnectionString = null };
            await Store.WriteAsync();
            LogSealedPlainConnectionString(Logger, FlowId);
        }

        if (Active)
        {
            // Back after a deactivation or on another silo (its reminder woke it): reopen the receiver, outside activation.
            _resume = this.RegisterGrainTimer(ResumeAsync, new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_pump is not null)
        {
            LogHandingOff(Logger, FlowId, reason.ReasonCode);
        }

        await StopReceivingAsync(cancellationToken);
    }

    public async Task<ServiceBusTriggerInfo> ConfigureAsync(ServiceBusTriggerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);

        // An update that names no namespace keeps the stored connection string: the secret is write-only.
        var previous = TryOpenSettings();
        var merged = ServiceBusSettingsValidator.Merge(settings, previous);
        var errors = ServiceBusSettingsValidator.Validate(merged);
        if (errors.Count > 0)
        {
            throw new TriggerValidationException(errors);
        }

        var before = (State.Settings, State.ConnectionString);
        State.Settings = merged with { ConnectionString = null };
        State.ConnectionString = merged.ConnectionString is { } connectionString ? sealer.SealConnectionString(FlowId, connectionString) : null;
        try
        {
            await Store.WriteAsync();
        }
        catch
        {
            (State.Settings, State.ConnectionString) = before;
            throw;
        }

        LogConfigured(Logger, FlowId, merged.EntityPath, ServiceBusSettingsValidator.NamespaceOf(merged), merged.ConnectionString is null ? "DefaultAzureCredential" : "a connection string");
        if (Active && merged != previous)
        {
            await StopReceivingAsync(CancellationToken.None);
            await StartReceivingAsync();
        }

        return Info()!;
    }

    public Task<ServiceBusTriggerInfo?> GetAsync() => Task.FromResult(Info());

    public async Task RemoveAsync()
    {
        await StopReceivingAsync(CancellationToken.None);
        await RemoveHeartbeatAsync();
        State.Settings = null;
        State.ConnectionString = null;
        await Store.WriteAsync();
        LogRemoved(Logger, FlowId);
    }

    protected override async Task EnsureWorkingAsync()
    {
        if (_pump is null)
        {
            await StartReceivingAsync();
        }
    }

    protected override Task StopWorkingAsync() => StopReceivingAsync(CancellationToken.None);

    private async Task ResumeAsync(CancellationToken cancellationToken)
    {
        _resume?.Dispose();
        _resume = null;
        if (Active)
        {
            await EnsureWorkingAsync();
        }
    }

    private async Task StartReceivingAsync()
    {
        await EnsureHeartbeatAsync();
        var settings = State.Settings!;
        var flow = GrainFactory.GetGrain<IFlowGrain>(FlowId);
        try
        {
            // Opened here, for the client, and kept nowhere else: the pump reads entity and limits only.
            var client = clients.Create(OpenSettings()!);
            _pump = new ServiceBusPump(client, settings, FlowId, async message => await flow.SendAsync(message), async () =>
            {
                var status = await flow.GetStatusAsync();
                return status.PublishedRevision > 0 || status.UnpublishedChanges;
            }, _counters, Options, time, Logger);
        }
        catch (Exception e)
        {
            // A client that cannot even be made (a credential that cannot be set up): the heartbeat tries again.
            _counters.LastError = $"{time.GetUtcNow():O} {e.GetType().Name}: {e.Message}";
            LogNotStarted(Logger, FlowId, settings.EntityPath, e.Message);
            return;
        }

        // The receiver lives in this activation: idle collection must not take it away while the flow runs.
        DelayDeactivation(Timeout.InfiniteTimeSpan);
        _pump.Start();
        LogReceiving(Logger, FlowId, settings.EntityPath, settings.Sessions, settings.Concurrency, settings.Prefetch);
    }

    private async Task StopReceivingAsync(CancellationToken deadline)
    {
        if (_pump is not { } pump)
        {
            return;
        }

        _pump = null;
        await pump.StopAsync(deadline);
        DelayDeactivation(TimeSpan.Zero);
    }

    /// <summary>The stored settings with their connection string opened; throws <see cref="SecretUnreadableException"/> when it cannot be.</summary>
    private ServiceBusTriggerSettings? OpenSettings() => State.Settings is not { } stored
        ? null
        : stored with { ConnectionString = State.ConnectionString is { } sealedSecret ? sealer.OpenConnectionString(FlowId, sealedSecret) : null };

    private ServiceBusTriggerSettings? TryOpenSettings()
    {
        try
        {
            return OpenSettings();
        }
        catch (SecretUnreadableException e)
        {
            _counters.LastError = $"{time.GetUtcNow():O} {e.Message}";
            LogConnectionStringUnreadable(Logger, FlowId, e);
            return State.Settings;
        }
    }

    private ServiceBusTriggerInfo? Info()
    {
        if (TryOpenSettings() is not { } s)
        {
            return null;
        }

        return new ServiceBusTriggerInfo(
            FlowId,
            State.ConnectionString is null ? "DefaultAzureCredential" : "ConnectionString",
            s is { ConnectionString: null, FullyQualifiedNamespace: null }
                ? "(the connection string cannot be opened: configure the trigger with it again)"
                : ServiceBusSettingsValidator.NamespaceOf(s),
            s.Queue,
            s.Topic,
            s.Subscription,
            s.Sessions,
            s.Concurrency,
            s.Prefetch,
            _pump is not null,
            _counters.Received,
            _counters.Completed,
            _counters.Abandoned,
            _counters.DeadLettered,
            _counters.LastError);
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Flow {FlowId} has a Service Bus trigger on {Entity} in {Namespace}, signing in with {Authentication}")]
    private static partial void LogConfigured(ILogger logger, string flowId, string entity, string @namespace, string authentication);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Information, Message = "Flow {FlowId}'s Service Bus trigger was removed")]
    private static partial void LogRemoved(ILogger logger, string flowId);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Information, Message = "Flow {FlowId} receives from {Entity} (sessions: {Sessions}, concurrency {Concurrency}, prefetch {Prefetch})")]
    private static partial void LogReceiving(ILogger logger, string flowId, string entity, bool sessions, int concurrency, int prefetch);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Warning, Message = "Flow {FlowId} could not start receiving from {Entity}: {Error}; its heartbeat tries again")]
    private static partial void LogNotStarted(ILogger logger, string flowId, string entity, string error);

    [LoggerMessage(EventId = 7006, Level = LogLevel.Information, Message = "Flow {FlowId}'s Service Bus receiver closes with its activation ({Reason}); the heartbeat reopens it wherever the grain activates next")]
    private static partial void LogHandingOff(ILogger logger, string flowId, DeactivationReasonCode reason);

    [LoggerMessage(EventId = 9102, Level = LogLevel.Information, Message = "Flow {FlowId}'s Service Bus connection string, stored in plain text by an earlier version, is sealed")]
    private static partial void LogSealedPlainConnectionString(ILogger logger, string flowId);

    [LoggerMessage(EventId = 9103, Level = LogLevel.Error, Message = "Flow {FlowId}'s Service Bus connection string cannot be opened with this cluster's key ring; configure the trigger with it again")]
    private static partial void LogConnectionStringUnreadable(ILogger logger, string flowId, Exception exception);
}
