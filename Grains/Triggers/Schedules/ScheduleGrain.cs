using System.Globalization;
using System.Text.Json;
using FlowActors.Client;
using FlowActors.Grains.Interfaces.Messages;
using FlowActors.Grains.Interfaces.Steps;
using FlowActors.Grains.Interfaces.Triggers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FlowActors.Grains.Triggers.Schedules;

/// <summary>
/// A flow's schedule. While the flow runs, a one-shot grain timer wakes the grain at each due time (it keeps the
/// activation alive), and a reminder (<see cref="TriggerOptions.HeartbeatPeriod"/>) is the durable heartbeat that
/// brings the schedule back after its silo went away. A tick is named by its due time; it is recorded as the last
/// tick (ETag-checked) before it fires, so it fires at most once, whichever activation holds the schedule. A tick still
/// running when the next is due makes that one skipped (counted, not stacked); ticks that came due while no silo ran
/// the schedule are counted as missed, and only the newest of them fires on resuming. Its lifecycle (the flow's run, the
/// heartbeat) is <see cref="FlowTriggerGrain{TState}"/>'s.
/// </summary>
public sealed partial class ScheduleGrain(
    [PersistentState("schedule", StorageNames.Grains)] IPersistentState<ScheduleState> state,
    IOptions<TriggerOptions> options,
    TimeProvider time,
    ILogger<ScheduleGrain> logger)
    : FlowTriggerGrain<ScheduleState>(state, options.Value, logger, "schedule-heartbeat", "schedule"), IScheduleGrain
{
    /// <summary>The longest a wake-up timer is set for: a far tick is re-planned now and then rather than trusted to one long timer.</summary>
    private static readonly TimeSpan LongestTimer = TimeSpan.FromHours(1);

    private ScheduleCalendar? _calendar;
    private IGrainTimer? _timer;
    private Task _tick = Task.CompletedTask;
    private DateTimeOffset? _next;

    protected override TriggerRun? Run
    {
        get => State.Run;
        set => State.Run = value;
    }

    protected override bool Active => State is { Settings: not null, Run: not null };

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (State.Settings is { } settings)
        {
            _calendar = ScheduleCalendar.Create(settings);
        }

        if (Active)
        {
            // Back after a deactivation or on another silo: a tick that came due meanwhile fires now.
            Arm(TimeSpan.Zero);
        }

        return Task.CompletedTask;
    }

    public async Task<ScheduleInfo> ConfigureAsync(ScheduleSettings settings)
    {
        var errors = ScheduleCalendar.Validate(settings, Options.MinimumInterval);
        if (errors.Count > 0)
        {
            throw new TriggerValidationException(errors);
        }

        var calendar = ScheduleCalendar.Create(settings);
        var now = time.GetUtcNow();
        var (before, anchor, last) = (State.Settings, State.Anchor, State.LastTick);
        State.Settings = settings;
        if (State.Run is not null && settings != before)
        {
            // A running flow follows the new schedule from now on, as if it had just started.
            State.Anchor = now;
            State.LastTick = null;
        }

        try
        {
            await Store.WriteAsync();
        }
        catch
        {
            (State.Settings, State.Anchor, State.LastTick) = (before, anchor, last);
            throw;
        }

        _calendar = calendar;
        LogConfigured(Logger, FlowId, settings.Cron ?? settings.Interval?.ToString() ?? "", settings.TimeZone ?? "UTC");
        if (Active)
        {
            await EnsureHeartbeatAsync();
            ArmNext(now);
        }

        return Info();
    }

    public Task<ScheduleInfo?> GetAsync() => Task.FromResult(State.Settings is null ? null : Info());

    public async Task RemoveAsync()
    {
        Disarm();
        await RemoveHeartbeatAsync();
        State = new ScheduleState { Run = State.Run };
        _calendar = null;
        await Store.WriteAsync();
        LogRemoved(Logger, FlowId);
    }

    protected override void OnRunStarted(TriggerRun run)
    {
        State.Anchor = run.StartedAt;
        State.LastTick = null;
    }

    protected override Task EnsureWorkingAsync()
    {
        if (_timer is null)
        {
            Arm(TimeSpan.Zero); // a tick that came due meanwhile fires now
        }

        return Task.CompletedTask;
    }

    protected override Task StopWorkingAsync()
    {
        Disarm();
        return Task.CompletedTask;
    }

    private async Task OnTimerAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        _timer = null;
        await WakeAsync();
    }

    /// <summary>Fires (or skips) the newest tick that is due, then sets the timer for the next one.</summary>
    private async Task WakeAsync()
    {
        if (!Active || _calendar is not { } calendar)
        {
            return;
        }

        var now = time.GetUtcNow();
        if (calendar.LatestDue(State.LastTick, State.Anchor, now) is (var due, var passedOver))
        {
            var before = (State.LastTick, State.Fired, State.Skipped, State.Missed);
            var overrun = !_tick.IsCompleted;
            State.LastTick = due;
            if (overrun)
            {
                State.Skipped += 1 + passedOver;
            }
            else
            {
                State.Missed += passedOver;
                State.Fired++;
            }

            try
            {
                await Store.WriteAsync();
                if (overrun)
                {
                    LogSkipped(Logger, FlowId, due);
                }
                else
                {
                    if (passedOver > 0)
                    {
                        LogMissed(Logger, FlowId, passedOver, due);
                    }

                    _tick = RunTickAsync(State.Run!, due, State.Fired);
                }
            }
            catch (Exception e)
            {
                // Not recorded, so not fired: the next wake-up tries again (another activation that did record it wins).
                (State.LastTick, State.Fired, State.Skipped, State.Missed) = before;
                LogNotRecorded(Logger, FlowId, due, e);
            }
        }

        ArmNext(now);
    }

    /// <summary>Invokes the entry step's trigger for one tick and keeps what it returns; never throws.</summary>
    private async Task RunTickAsync(TriggerRun run, DateTimeOffset due, long number)
    {
        var tick = due.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
        var body = JsonSerializer.Serialize(new Dictionary<string, object> { ["tick"] = tick, ["number"] = number });
        var headers = new Dictionary<string, string>
        {
            [ScheduleHeaders.Tick] = tick,
            [ScheduleHeaders.Number] = number.ToString(CultureInfo.InvariantCulture),
        };
        var poll = new TriggerPoll(run.RunId, FlowMessage.Create(body, headers), State.Snapshot);
        TriggerPollResult result;
        try
        {
            result = await GrainFactory.GetGrain<IStepGrain>(FlowStreams.StepKey(FlowId, run.EntryStepId)).PollAsync(poll);
        }
        catch (Exception e)
        {
            result = new TriggerPollResult(false, null, 0, $"Tick {number} could not reach step '{run.EntryStepId}': {e.Message}");
        }

        if (result.SnapshotEmitted)
        {
            State.Snapshot = result.Snapshot;
        }

        State.Emitted += result.Emitted;
        if (result.Error is { } error)
        {
            State.Failed++;
            State.LastError = error;
            LogTickFailed(Logger, FlowId, number, error);
        }
        else
        {
            LogTicked(Logger, FlowId, number, due, result.Emitted);
        }

        try
        {
            await Store.WriteAsync();
        }
        catch (Exception e)
        {
            // The next tick's bookkeeping writes the whole state again, snapshot included.
            LogResultNotStored(Logger, FlowId, number, e);
        }
    }

    private void ArmNext(DateTimeOffset now)
    {
        if (!Active || _calendar is null)
        {
            return;
        }

        _next = _calendar.Next(State.LastTick, State.Anchor);
        if (_next is { } next)
        {
            var wait = next - now;
            Arm(wait < TimeSpan.Zero ? TimeSpan.Zero : wait > LongestTimer ? LongestTimer : wait);
        }
    }

    private void Arm(TimeSpan dueIn)
    {
        _timer?.Dispose();

        // KeepAlive: an active schedule's grain stays active between ticks, so ticks are on time; the heartbeat
        // reminder brings it back if its silo goes away.
        _timer = this.RegisterGrainTimer(OnTimerAsync, new GrainTimerCreationOptions(dueIn, Timeout.InfiniteTimeSpan) { KeepAlive = true });
    }

    private void Disarm()
    {
        _timer?.Dispose();
        _timer = null;
        _next = null;
    }

    private ScheduleInfo Info() => new(
        FlowId,
        State.Settings ?? new ScheduleSettings(),
        Active,
        Active ? _next : null,
        State.LastTick,
        State.Fired,
        State.Skipped,
        State.Missed,
        State.Failed,
        State.Emitted,
        State.Snapshot,
        State.LastError);

    [LoggerMessage(EventId = 7100, Level = LogLevel.Information, Message = "Flow {FlowId} has a schedule: {Schedule} ({TimeZone})")]
    private static partial void LogConfigured(ILogger logger, string flowId, string schedule, string timeZone);

    [LoggerMessage(EventId = 7101, Level = LogLevel.Information, Message = "Flow {FlowId}'s schedule was removed")]
    private static partial void LogRemoved(ILogger logger, string flowId);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Debug, Message = "Flow {FlowId} tick {Number} (due {Due:O}) emitted {Emitted} messages")]
    private static partial void LogTicked(ILogger logger, string flowId, long number, DateTimeOffset due, int emitted);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Warning, Message = "Flow {FlowId} tick {Number} failed: {Error}")]
    private static partial void LogTickFailed(ILogger logger, string flowId, long number, string error);

    [LoggerMessage(EventId = 7104, Level = LogLevel.Warning, Message = "Flow {FlowId} skipped the tick due {Due:O}: the previous tick still runs")]
    private static partial void LogSkipped(ILogger logger, string flowId, DateTimeOffset due);

    [LoggerMessage(EventId = 7105, Level = LogLevel.Warning, Message = "Flow {FlowId} missed {Count} ticks while no silo ran its schedule; firing the newest, due {Due:O}")]
    private static partial void LogMissed(ILogger logger, string flowId, long count, DateTimeOffset due);

    [LoggerMessage(EventId = 7106, Level = LogLevel.Warning, Message = "Flow {FlowId} could not record the tick due {Due:O}, so it did not fire it; the next wake-up tries again")]
    private static partial void LogNotRecorded(ILogger logger, string flowId, DateTimeOffset due, Exception exception);

    [LoggerMessage(EventId = 7107, Level = LogLevel.Warning, Message = "Flow {FlowId} could not store the result of tick {Number}; the next tick stores it")]
    private static partial void LogResultNotStored(ILogger logger, string flowId, long number, Exception exception);
}
