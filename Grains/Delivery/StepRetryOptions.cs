namespace FlowActors.Grains.Delivery;

/// <summary>The silo's default retry policy for steps (<c>FlowActors:Steps:Retry</c>); flows and steps may set their own.</summary>
public sealed class StepRetryOptions
{
    /// <summary>Tries in all, the first included.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The wait before the second try; each further wait doubles.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between two tries.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Real-time steps: hold the messages behind a retried one, to keep the input's order.</summary>
    public bool KeepOrder { get; set; }
}
