namespace FlowActors.TestSupport;

/// <summary>
/// How the support code says a run went wrong, for the test suite (where any exception fails the test) and the
/// benchmarks (where it ends the suite with its message) alike: no test framework's assertions in a library both use.
/// </summary>
public static class Check
{
    /// <summary>Throws <see cref="CheckFailedException"/> with <paramref name="message"/> unless <paramref name="condition"/> holds.</summary>
    public static void That(bool condition, string message)
    {
        if (!condition)
        {
            Fail(message);
        }
    }

    /// <summary>Throws <see cref="CheckFailedException"/> with <paramref name="message"/>.</summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void Fail(string message) => throw new CheckFailedException(message);
}
