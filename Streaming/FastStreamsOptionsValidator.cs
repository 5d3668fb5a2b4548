namespace FlowActors.Streaming;

/// <summary>Fails silo or client start-up on options that would make a fast-streams provider misbehave.</summary>
internal sealed class FastStreamsOptionsValidator(FastStreamsOptions options, string name) : IConfigurationValidator
{
    // Grain calls time out after 30 s by default (ResponseTimeout); a wait must end well before that.
    private static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(10);

    public void ValidateConfiguration()
    {
        Require(options.QueueCount is > 0 and <= 1024, nameof(options.QueueCount), "between 1 and 1024");
        Require(options.MaxWait > TimeSpan.Zero && options.MaxWait <= LongestWait, nameof(options.MaxWait), $"above zero and at most {LongestWait}");
        Require(options.BatchSize > 0, nameof(options.BatchSize), "above zero");
        Require(options.PullingPeriod > TimeSpan.Zero && options.PullingPeriod <= TimeSpan.FromSeconds(1), nameof(options.PullingPeriod), "above zero and at most 1 s");
        Require(options.MaxQueueLength > 0, nameof(options.MaxQueueLength), "above zero");
        Require(options.CacheSize >= 16, nameof(options.CacheSize), "at least 16");
    }

    private void Require(bool valid, string option, string range)
    {
        if (!valid)
        {
            throw new OrleansConfigurationException(
                $"Fast streams provider '{name}': {nameof(FastStreamsOptions)}.{option} must be {range}. " +
                $"Fix it in the AddFastStreams(\"{name}\", ...) configuration.");
        }
    }
}
