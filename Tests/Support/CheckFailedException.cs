namespace FlowActors.TestSupport;

/// <summary>A test or benchmark run found something other than what it needs (<see cref="Check"/>).</summary>
public sealed class CheckFailedException(string message) : Exception(message);
