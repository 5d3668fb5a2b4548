namespace FlowActors.Client;

/// <summary>
/// When a flow's entry step's trigger runs: a cron expression in a time zone, or a fixed interval. Exactly one of
/// <see cref="Cron"/> and <see cref="Interval"/>.
/// </summary>
/// <param name="Cron">
/// Five fields (minute hour day month weekday), or six with seconds first, as Cronos reads them: <c>*/5 * * * *</c>,
/// <c>0 9 * * MON-FRI</c>, <c>*/10 * * * * *</c>.
/// </param>
/// <param name="TimeZone">An IANA time zone (<c>Europe/Berlin</c>) the cron expression is read in; UTC when null. Not with <see cref="Interval"/>.</param>
/// <param name="Interval">Ticks this far apart, the first when the flow starts; at least one second.</param>
[GenerateSerializer, Immutable, Alias("FlowActors.ScheduleSettings")]
public sealed record ScheduleSettings(
    [property: Id(0)] string? Cron = null,
    [property: Id(1)] string? TimeZone = null,
    [property: Id(2)] TimeSpan? Interval = null);
