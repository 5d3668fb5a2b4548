using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using FlowActors.Containers;

namespace FlowActors.Tests.Infrastructure;

/// <summary>
/// The built Silo, run as its own process with <c>dotnet</c> on free loopback ports, as an operator runs it:
/// real Kestrel, real gateway, its state in a data folder of its own (a temporary one unless given). Killed (with
/// the component processes it started) by its PID on dispose.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    public const string ApiKey = "test-api-key-0123456789abcdef";

    private static readonly LoopbackPorts Ports = new();

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private readonly string? _ownedDataFolder;

    private SiloProcess(Process process, int httpPort, int gatewayPort, string? ownedDataFolder)
    {
        _process = process;
        _ownedDataFolder = ownedDataFolder;
        BaseAddress = new Uri($"http://127.0.0.1:{httpPort}");
        GatewayPort = gatewayPort;
        Http = NewHttpClient(withKey: true);
    }

    public Uri BaseAddress { get; }

    public int GatewayPort { get; }

    /// <summary>A client that presents the API key.</summary>
    public HttpClient Http { get; }

    /// <summary>The last lines the silo printed, for failure messages.</summary>
    public string RecentOutput => string.Join('\n', _output.TakeLast(40));

    public int Pid => _process.Id;

    /// <summary>Starts a silo with a temporary data folder, deleted on dispose.</summary>
    public static Task<SiloProcess> StartAsync(params string[] settings) =>
        StartAsync(Directory.CreateTempSubdirectory("flowactors-silo-").FullName, ownsDataFolder: true, settings);

    /// <summary>Starts a silo on <paramref name="dataFolder"/>, which outlives it: a later silo started on it finds its state.</summary>
    public static Task<SiloProcess> StartInAsync(string dataFolder, params string[] settings) =>
        StartAsync(dataFolder, ownsDataFolder: false, settings);

    private static async Task<SiloProcess> StartAsync(string dataFolder, bool ownsDataFolder, string[] settings)
    {
        var ports = new[] { Ports.Reserve(), Ports.Reserve(), Ports.Reserve() };
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(SiloDll())!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(SiloDll());
        foreach (var arg in new[]
                 {
                     $"--urls=http://127.0.0.1:{ports[0]}",
                     $"--FlowActors:Silo:SiloPort={ports[1]}",
                     $"--FlowActors:Silo:GatewayPort={ports[2]}",
                     $"--FlowActors:Api:Key={ApiKey}",
                     "--FlowActors:SeedSamples=false",
                     $"--FlowActors:Silo:DataFolder={dataFolder}",
                 }.Concat(settings))
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var silo = new SiloProcess(process, ports[0], ports[2], ownsDataFolder ? dataFolder : null);
        process.OutputDataReceived += (_, e) => silo.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => silo.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await silo.WaitReadyAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }

        return silo;
    }

    /// <summary>Stops the silo as systemd or Ctrl+C does (SIGTERM) and waits for it to exit; returns its exit code.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"The silo did not exit within {timeout} of SIGTERM:\n{RecentOutput}");
        }

        return _process.ExitCode;
    }

    /// <summary>
    /// Kills the silo alone with SIGKILL, as a crash or the OOM killer would: no shutdown code runs, and its
    /// children are not killed with it. Returns the PIDs of the children it had, for the caller to check or clean up.
    /// </summary>
    public async Task<IReadOnlyList<int>> KillAsync()
    {
        var children = ChildPids(Pid);
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
        return children;
    }

    /// <summary>The processes whose parent is <paramref name="pid"/> (Linux: from /proc).</summary>
    public static IReadOnlyList<int> ChildPids(int pid)
    {
        var children = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var candidate))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) == pid)
                {
                    children.Add(candidate);
                }
            }
            catch (IOException)
            {
                // gone meanwhile
            }
        }

        return children;
    }

    public HttpClient NewHttpClient(bool withKey)
    {
        var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (withKey)
        {
            http.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        }

        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return http;
    }

    private async Task WaitReadyAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The silo exited with {_process.ExitCode}:\n{RecentOutput}");
            }

            try
            {
                // Not /api/flows: listing flows activates them, and tests look at what a silo does on its own at start.
                if ((await Http.GetAsync("/api/components")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"The silo did not answer within {timeout}:\n{RecentOutput}");
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 200)
        {
            _output.TryDequeue(out _);
        }
    }

    /// <summary>The Silo's own build output, of the configuration these tests were built in.</summary>
    private static string SiloDll()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "FlowActors.sln")))
        {
            root = root.Parent;
        }

        var dll = Path.Combine(root?.FullName ?? throw new InvalidOperationException("FlowActors.sln not found above the test output"),
            "Silo", "bin", configuration, "net10.0", "FlowActors.Silo.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build the Silo first ({configuration}).", dll);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        if (_ownedDataFolder is not null)
        {
            Directory.Delete(_ownedDataFolder, recursive: true);
        }
    }
}
