using Cronos;
using FlowActors.Client;

namespace FlowActors.Grains.Triggers.Schedules;

/// <summary>
/// When a schedule's ticks are due. Pure (times in, times out), so every rule is reachable from a unit test. A tick is
/// named by its due time: an interval schedule's ticks are <c>anchor + k × interval</c> (k ≥ 0, the anchor being when
/// the flow started), a cron schedule's are the expression's occurrences in its time zone.
/// </summary>
public sealed class ScheduleCalendar
{
    /// <summary>How far back a resumed cron schedule looks for missed ticks (a per-second cron after a long outage has millions).</summary>
    public static readonly TimeSpan MissedLookBack = TimeSpan.FromDays(1);

    private readonly CronExpression? _cron;
    private readonly TimeZoneInfo _zone;
    private readonly TimeSpan _interval;

    private ScheduleCalendar(CronExpression? cron, TimeZoneInfo zone, TimeSpan interval)
    {
        _cron = cron;
        _zone = zone;
        _interval = interval;
    }

    /// <summary>Every problem with <paramref name="settings"/>, each naming its field.</summary>
    public static IReadOnlyList<ValidationError> Validate(ScheduleSettings? settings, TimeSpan minimumInterval)
    {
        var errors = new List<ValidationError>();
        if (settings is null)
        {
            errors.Add(new("schedule", "A schedule is required: {\"cron\": \"*/5 * * * *\"} or {\"interval\": \"00:00:30\"}."));
            return errors;
        }

        switch (settings)
        {
            case { Cron: null, Interval: null }:
                errors.Add(new("schedule", "Give either 'cron' (e.g. \"*/5 * * * *\") or 'interval' (e.g. \"00:00:30\")."));
                break;
            case { Cron: not null, Interval: not null }:
                errors.Add(new("schedule", "Give either 'cron' or 'interval', not both."));
                break;
        }

        if (settings.Cron is { } cron && ParseCron(cron) is (null, var problem))
        {
            errors.Add(new("cron", problem!));
        }

        if (settings.TimeZone is { } zone)
        {
            if (settings.Cron is null)
            {
                errors.Add(new("timeZone", "A time zone applies to a cron expression only; an interval is the same in every time zone. Leave 'timeZone' out."));
            }
            else if (!TryFindZone(zone, out _))
            {
                errors.Add(new("timeZone", $"'{zone}' is not a time zone this silo knows: give an IANA name such as \"Europe/Berlin\" or \"UTC\"."));
            }
        }

        if (settings.Interval is { } interval && interval < minimumInterval)
        {
            errors.Add(new("interval", $"The interval is {interval}; it must be at least {minimumInterval}."));
        }

        return errors;
    }

    /// <summary>The calendar of valid settings (see <see cref="Validate"/>).</summary>
    public static ScheduleCalendar Create(ScheduleSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Cron is { } cron)
        {
            var (expression, problem) = ParseCron(cron);
            if (expression is null)
            {
                throw new ArgumentException(problem, nameof(settings));
            }

            TryFindZone(settings.TimeZone ?? "UTC", out var zone);
            return new ScheduleCalendar(expression, zone ?? TimeZoneInfo.Utc, TimeSpan.Zero);
        }

        return new ScheduleCalendar(null, TimeZoneInfo.Utc, settings.Interval ?? throw new ArgumentException("No cron and no interval.", nameof(settings)));
    }

    /// <summary>
    /// The newest tick due in (<paramref name="after"/>, <paramref name="now"/>] and how many ticks before it in that
    /// range were passed over; null when none is due. <paramref name="after"/> is the last tick handled (null: none yet).
    /// </summary>
    public (DateTimeOffset Due, long PassedOver)? LatestDue(DateTimeOffset? after, DateTimeOffset anchor, DateTimeOffset now)
    {
        if (_cron is null)
        {
            if (now < anchor)
            {
                return null;
            }

            var k = (now - anchor).Ticks / _interval.Ticks;
            var due = anchor + (_interval * k);
            if (after is { } last && due <= last)
            {
                return null;
            }

            var lastK = after is { } a && a >= anchor ? (a - anchor).Ticks / _interval.Ticks : -1;
            return (due, after is null ? 0 : Math.Max(0, k - lastK - 1));
        }

        var from = after ?? anchor;
        if (now - from > MissedLookBack)
        {
            from = now - MissedLookBack;
        }

        DateTimeOffset? latest = null;
        long count = 0;
        foreach (var occurrence in _cron.GetOccurrences(from, now, _zone, fromInclusive: false, toInclusive: true))
        {
            latest = occurrence;
            count++;
        }

        return latest is { } found ? (found, count - 1) : null;
    }

    /// <summary>
    /// The first tick due after <paramref name="after"/>, the last tick handled; with none yet, the first of the run: an
    /// interval schedule's is the anchor itself (the flow's start), a cron schedule's its first occurrence after the anchor.
    /// Null when the cron expression has no more occurrences.
    /// </summary>
    public DateTimeOffset? Next(DateTimeOffset? after, DateTimeOffset anchor)
    {
        if (_cron is not null)
        {
            return _cron.GetNextOccurrence(after ?? anchor, _zone, inclusive: false);
        }

        if (after is not { } last || last < anchor)
        {
            return anchor;
        }

        var k = ((last - anchor).Ticks / _interval.Ticks) + 1;
        return anchor + (_interval * k);
    }

    private static (CronExpression? Expression, string? Problem) ParseCron(string cron)
    {
        var fields = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        var format = fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard;
        if (fields is not (5 or 6) && !cron.TrimStart().StartsWith('@'))
        {
            return (null, $"'{cron}' has {fields} fields; a cron expression has 5 (minute hour day month weekday) or 6 (seconds first), e.g. \"*/5 * * * *\".");
        }

        return CronExpression.TryParse(cron, format, out var expression)
            ? (expression, null)
            : (null, $"'{cron}' is not a cron expression this silo reads: expected 5 fields (minute hour day month weekday) or 6 (seconds first), e.g. \"0 9 * * MON-FRI\" or \"*/10 * * * * *\".");
    }

    private static bool TryFindZone(string id, out TimeZoneInfo? zone)
    {
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            zone = null;
            return false;
        }
    }
}
