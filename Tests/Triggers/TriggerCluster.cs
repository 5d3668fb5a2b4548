using System.Collections.Concurrent;
using FlowActors.Client;
using FlowActors.Grains.Interfaces.Flows;
using FlowActors.Grains.Triggers;
using FlowActors.Silo.Samples;
using FlowActors.Tests.Infrastructure;
using FlowActors.Tests.Triggers.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FlowActors.Tests.Triggers;

/// <summary>
/// An embedded-profile test cluster for triggers: the Service Bus client factory replaced by the fake namespaces',
/// short trigger timings, every log line kept (to look for secrets), and <see cref="SendFaults"/> to make a flow refuse
/// or delay a message the way a busy or stopping flow would.
/// </summary>
internal static class TriggerCluster
{
    public static Task<FlowCluster> StartAsync(short silos = 1, Action<ISiloBuilder>? configure = null) =>
        FlowCluster.StartAsync(silos, idleTimeout: TimeSpan.FromSeconds(5), configure: silo =>
        {
            silo.Services.AddSingleton(FakeServiceBus.Factory);
            silo.Services.Configure<TriggerOptions>(o =>
            {
                o.HeartbeatPeriod = TimeSpan.FromSeconds(2);
                o.ReceiveWait = TimeSpan.FromSeconds(1);
                o.SessionIdleTimeout = TimeSpan.FromMilliseconds(300);
                o.MinimumInterval = TimeSpan.FromMilliseconds(200);
                o.HandOverGrace = TimeSpan.FromSeconds(2);
            });
            silo.Services.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            silo.Services.AddSingleton<ILoggerProvider>(Logs.Provider);
            silo.Services.Configure<LoggerFilterOptions>(o =>
            {
                // FlowActors at Debug (the level a secret would most likely slip into); Orleans' own chatter at Warning.
                o.MinLevel = LogLevel.Debug;
                o.Rules.Add(new LoggerFilterRule(null, "Orleans", LogLevel.Warning, null));
                o.Rules.Add(new LoggerFilterRule(null, "Microsoft", LogLevel.Warning, null));
            });
            silo.AddIncomingGrainCallFilter(SendFaults.InvokeAsync);
            configure?.Invoke(silo);
        });

    /// <summary>The components the trigger tests' flows use.</summary>
    public static async Task DeployAsync(FlowCluster cluster)
    {
        await cluster.DeployAsync("echo", SampleDeployments.Echo());
        await cluster.DeployAsync("counter", SampleDeployments.Counter());
        await cluster.DeployAsync("delay", SampleDeployments.Delay());
    }

    /// <summary>echo alone: its output is the message as the trigger handed it over, headers included.</summary>
    public static FlowDefinition Echo() => FlowDefinition.Chain("echo", new StepDefinition("echo", "echo", "echo"));
}

/// <summary>Every log line of the trigger test silos, with exceptions, for tests that look for what must not be logged.</summary>
internal static class Logs
{
    public static CapturingProvider Provider { get; } = new();

    public static IEnumerable<string> Lines => Provider.Lines;

    internal sealed class CapturingProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public IEnumerable<string> Lines => _lines;

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                // Bounded: a long run keeps its newest lines.
                lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
                while (lines.Count > 200_000 && lines.TryDequeue(out _))
                {
                }
            }
        }
    }
}

/// <summary>
/// Makes <see cref="IFlowGrain.SendAsync"/> of one flow refuse or delay messages, as a flow that is busy, warming up or
/// stopping does: a test registers what to do before each hand-over of that flow.
/// </summary>
internal static class SendFaults
{
    private static readonly ConcurrentDictionary<string, Func<FlowMessage, Task>> Rules = new(StringComparer.Ordinal);

    /// <summary>Runs <paramref name="before"/> before each message handed to <paramref name="flowId"/>; it may delay or throw.</summary>
    public static void For(string flowId, Func<FlowMessage, Task> before) => Rules[flowId] = before;

    public static void Clear(string flowId) => Rules.TryRemove(flowId, out _);

    public static async Task InvokeAsync(IIncomingGrainCallContext context)
    {
        if (context.Grain is IFlowGrain && context.InterfaceMethod?.Name == nameof(IFlowGrain.SendAsync)
            && context.TargetId.Key.ToString() is { } flowId && Rules.TryGetValue(flowId, out var rule)
            && context.Request.GetArgument(0) is FlowMessage message)
        {
            await rule(message);
        }

        await context.Invoke();
    }
}
