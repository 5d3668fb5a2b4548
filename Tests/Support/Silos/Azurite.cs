using System.Diagnostics;

namespace FlowActors.TestSupport.Silos;

/// <summary>
/// Azurite on loopback, started by <c>scripts/ensure-azurite.sh</c> (idempotent: quick when it already runs, as
/// under <c>scripts/test.sh</c>), so that a test run by hand needs no preparation. Its ports follow the script's
/// AZURITE_*_PORT variables. Tests isolate themselves with a resource prefix of their own, never by cleaning up.
/// </summary>
public static class Azurite
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? s_connectionString;

    /// <summary>The connection string of the running Azurite (started if needed).</summary>
    public static async Task<string> EnsureAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (s_connectionString is null)
            {
                await RunAsync("start");
                s_connectionString = (await RunAsync("env")).Trim();
            }

            return s_connectionString;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>A resource prefix no other test run uses (letters and digits, as table names require).</summary>
    public static string NewPrefix() => $"t{Guid.NewGuid():N}"[..16];

    private static async Task<string> RunAsync(string command)
    {
        var script = Path.Combine(RepositoryRoot(), "scripts", "ensure-azurite.sh");
        using var process = Process.Start(new ProcessStartInfo("bash", [script, command]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        // Both pipes at once: reading one to its end while the other fills up would deadlock the script.
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        Check.That(process.ExitCode == 0, $"scripts/ensure-azurite.sh {command} failed: {await stderr}{await stdout}");
        return await stdout;
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "FlowActors.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("FlowActors.sln not found above the test output");
    }
}
