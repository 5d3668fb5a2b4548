namespace FlowActors.Bench.Harness;

/// <summary>A group of benchmark rows run by one CLI verb (<c>bench -- streams</c>); <c>all</c> runs every suite.</summary>
internal interface IBenchSuite
{
    /// <summary>The CLI verb.</summary>
    string Name { get; }

    /// <summary>What the suite measures, for the usage text.</summary>
    string Description { get; }

    /// <summary>Whether <c>all</c> runs it; a long soak or chaos run is run by its own verb only.</summary>
    bool InAll => true;

    Task<IReadOnlyList<BenchResult>> RunAsync(CancellationToken cancellationToken);
}
