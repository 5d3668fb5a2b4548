using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using FlowActors.Containers;

namespace FlowActors.TestSupport.Silos;

/// <summary>
/// The built Silo, run as its own process with <c>dotnet</c> on free loopback ports, as an operator runs it:
/// real Kestrel (admin and webhook listeners), real gateway with mutual TLS, its state in a data folder of its own (a
/// temporary one unless given), where it also makes its cluster certificates on first start, as it does for a user.
/// Killed (with the component processes it started) by its PID on dispose.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    public const string ApiKey = "test-api-key-0123456789abcdef";

    /// <summary>Where the silo keeps the key it generates when none is configured (ApiOptions.KeyFile's default).</summary>
    private const string GeneratedKeyFile = ".flowactors/api-key";

    private const int KeptLines = 20_000;

    /// <summary>Settings that lift the webhook rate limits, for tests about what happens to requests that get past them.</summary>
    public static readonly string[] NoRateLimits =
    [
        "--FlowActors:Webhooks:RateLimits:PerClientPerSecond=1000000", "--FlowActors:Webhooks:RateLimits:PerClientBurst=1000000",
        "--FlowActors:Webhooks:RateLimits:PerClientConcurrent=1000000", "--FlowActors:Webhooks:RateLimits:PerFlowPerSecond=1000000",
        "--FlowActors:Webhooks:RateLimits:PerFlowBurst=1000000",
    ];

    private static readonly LoopbackPorts Ports = new();

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly ConcurrentDictionary<TaskCompletionSource<string>, string> _lineWaiters = new();
    private readonly string? _ownDirectory;
    private readonly string _dataFolder;
    private HttpClient? _http;
    private string? _apiKey;

    private SiloProcess(Process process, int[] ports, string? apiKey, string? ownDirectory, string dataFolder, string adminScheme)
    {
        _process = process;
        _apiKey = apiKey;
        _ownDirectory = ownDirectory;
        _dataFolder = dataFolder;
        BaseAddress = new Uri($"{adminScheme}://127.0.0.1:{ports[0]}");
        SiloPort = ports[1];
        GatewayPort = ports[2];
        WebhookAddress = new Uri($"http://127.0.0.1:{ports[3]}");
    }

    /// <summary>The admin listener: API, console, dashboard.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The public listener: webhooks only.</summary>
    public Uri WebhookAddress { get; }

    /// <summary>The silo-to-silo port.</summary>
    public int SiloPort { get; }

    public int GatewayPort { get; }

    /// <summary>The ports a component must never reach, by name: what an attacker inside one would try first.</summary>
    public IReadOnlyDictionary<string, int> ControlPlanePorts() => new Dictionary<string, int>
    {
        ["gateway port"] = GatewayPort,
        ["silo-to-silo port"] = SiloPort,
        ["admin HTTP port"] = BaseAddress.Port,
        ["webhook port"] = WebhookAddress.Port,
    };

    /// <summary>The folder the silo runs in (its content root) when it has one of its own.</summary>
    public string ContentRoot => _ownDirectory ?? SiloDirectory();

    /// <summary>The silo's data folder: its key, its state and the cluster certificates it made.</summary>
    public string DataFolder => _dataFolder;

    /// <summary>Where the silo keeps the cluster certificates it made (unless it was given some).</summary>
    public string TlsFolder => Path.Combine(_dataFolder, "tls");

    /// <summary>The client certificate the silo made on first start: what the SDK presents to its gateway.</summary>
    public string ClientCertificatePath => Path.Combine(TlsFolder, "client.pfx");

    /// <summary>The silo's process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>A client that presents the API key.</summary>
    public HttpClient Http => _http ?? throw new InvalidOperationException("The silo is not ready yet.");

    /// <summary>The last lines the silo printed, for failure messages.</summary>
    public string RecentOutput => string.Join('\n', _output.TakeLast(40));

    /// <summary>Every line the silo printed so far (the last 20,000).</summary>
    public IReadOnlyList<string> Output => [.. _output];

    /// <summary>A silo with the test settings (a configured API key, no sample flows) and a temporary data folder, deleted on dispose.</summary>
    public static Task<SiloProcess> StartAsync(params string[] settings)
    {
        var dataFolder = Directory.CreateTempSubdirectory("flowactors-data-").FullName;
        return StartAsync(SiloDirectory(), ApiKey, ["--FlowActors:SeedSamples=false", $"--FlowActors:Silo:DataFolder={dataFolder}", .. settings], ownDirectory: dataFolder, dataFolder);
    }

    /// <summary>
    /// A silo with the test settings on <paramref name="dataFolder"/>, which outlives it: a later silo started on the
    /// same folder finds its state (a restart).
    /// </summary>
    public static Task<SiloProcess> StartInAsync(string dataFolder, params string[] settings) =>
        StartAsync(SiloDirectory(), ApiKey, ["--FlowActors:SeedSamples=false", $"--FlowActors:Silo:DataFolder={dataFolder}", .. settings], ownDirectory: null, dataFolder);

    /// <summary>
    /// A silo like <see cref="StartAsync(string[])"/> whose admin listener is https, with the certificate in
    /// <paramref name="certificatePath"/> (a PKCS#12 file without a password); its clients accept that certificate.
    /// </summary>
    public static Task<SiloProcess> StartHttpsAsync(string certificatePath, params string[] settings)
    {
        var dataFolder = Directory.CreateTempSubdirectory("flowactors-data-").FullName;
        return StartAsync(SiloDirectory(), ApiKey,
            ["--FlowActors:SeedSamples=false", $"--FlowActors:Silo:DataFolder={dataFolder}", $"--Kestrel:Certificates:Default:Path={certificatePath}", .. settings],
            ownDirectory: dataFolder, dataFolder, adminScheme: "https");
    }

    /// <summary>
    /// A silo with the shipped settings (appsettings.json, sample flows, a generated API key, the "dev" cluster), as
    /// <c>dotnet run --project Silo</c> runs; only the ports are chosen here, plus <paramref name="settings"/>. It runs
    /// in a folder of its own, as an operator's silo does, so that its generated key and data are its own.
    /// </summary>
    public static Task<SiloProcess> StartWithDefaultsAsync(params string[] settings) => StartWithDefaultsAsync(ownProcessGroup: false, settings);

    /// <param name="ownProcessGroup">
    /// Start it as the leader of a process group (and session) of its own, as a shell starts a command in a terminal,
    /// so that <see cref="InterruptGroupAsync"/> can signal the group as Ctrl+C does without reaching the tests.
    /// </param>
    /// <param name="settings">Settings beside the shipped ones.</param>
    public static Task<SiloProcess> StartWithDefaultsAsync(bool ownProcessGroup, params string[] settings)
    {
        var directory = Directory.CreateTempSubdirectory("flowactors-silo-").FullName;
        foreach (var file in Directory.GetFiles(SiloDirectory(), "appsettings*.json"))
        {
            File.Copy(file, Path.Combine(directory, Path.GetFileName(file)));
        }

        return StartAsync(directory, apiKey: null, settings, ownDirectory: directory, Path.Combine(directory, ".flowactors"), ownProcessGroup: ownProcessGroup);
    }

    private static async Task<SiloProcess> StartAsync(
        string workingDirectory, string? apiKey, IEnumerable<string> settings, string? ownDirectory, string dataFolder,
        string adminScheme = "http", bool ownProcessGroup = false)
    {
        var ports = new[] { Ports.Reserve(), Ports.Reserve(), Ports.Reserve(), Ports.Reserve() };

        // setsid execs in place: the process is still the silo, now leading a group of its own.
        var start = new ProcessStartInfo(ownProcessGroup ? "setsid" : "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (ownProcessGroup)
        {
            start.ArgumentList.Add("dotnet");
        }

        start.ArgumentList.Add(SiloDll());
        IEnumerable<string> arguments =
        [
            $"--urls={adminScheme}://127.0.0.1:{ports[0]}",
            $"--FlowActors:Silo:SiloPort={ports[1]}",
            $"--FlowActors:Silo:GatewayPort={ports[2]}",
            $"--FlowActors:Webhooks:Url=http://127.0.0.1:{ports[3]}",
            .. apiKey is null ? Array.Empty<string>() : [$"--FlowActors:Api:Key={apiKey}"],
            .. settings,
        ];
        foreach (var arg in arguments)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var silo = new SiloProcess(process, ports, apiKey, ownDirectory, dataFolder, adminScheme) { GeneratedKey = apiKey is null };
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

    /// <summary>A client of the webhook listener (no API key).</summary>
    public HttpClient NewWebhookClient()
    {
        var http = new HttpClient { BaseAddress = WebhookAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return http;
    }

    public HttpClient NewHttpClient(bool withKey)
    {
        // An https admin listener presents the test's own certificate, on loopback.
        var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator };
        var http = new HttpClient(handler) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (withKey)
        {
            http.DefaultRequestHeaders.Add("X-Api-Key", _apiKey ?? throw new InvalidOperationException("The silo has not written its API key yet."));
        }

        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return http;
    }

    /// <summary>
    /// True when the silo generated its API key into its data folder (the shipped settings), false when the tests
    /// configured <see cref="ApiKey"/>.
    /// </summary>
    public bool GeneratedKey { get; private init; }

    /// <summary>The first line the silo prints (or printed) that contains <paramref name="text"/>.</summary>
    public async Task<string> WaitForLineAsync(string text, TimeSpan timeout)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _lineWaiters[found] = text;
        if (_output.FirstOrDefault(line => line.Contains(text, StringComparison.Ordinal)) is { } printed)
        {
            found.TrySetResult(printed);
        }

        try
        {
            return await found.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The silo did not print '{text}' within {timeout}:\n{RecentOutput}");
        }
        finally
        {
            _lineWaiters.TryRemove(found, out _);
        }
    }

    /// <summary>How many lines the silo printed so far contain <paramref name="text"/>.</summary>
    public int CountLines(string text) => _output.Count(line => line.Contains(text, StringComparison.Ordinal));

    /// <summary>
    /// Kills the silo's process alone with SIGKILL (<c>kill -9</c>), not the processes it started, and waits until it
    /// is gone: what a crash or an out-of-memory kill does.
    /// </summary>
    public async Task KillAloneAsync()
    {
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
    }

    /// <summary>Stops the silo as systemd or Ctrl+C does (SIGTERM) and waits for it to exit; returns its exit code.</summary>
    public Task<int> StopAsync(TimeSpan timeout) =>
        SignalAndWaitAsync("TERM", ProcessId.ToString(CultureInfo.InvariantCulture), timeout);

    /// <summary>
    /// Sends SIGINT to the silo's whole process group, as a terminal does on Ctrl+C (the silo must have been started with
    /// a group of its own), and waits for the silo to exit; returns its exit code.
    /// </summary>
    public Task<int> InterruptGroupAsync(TimeSpan timeout) =>
        SignalAndWaitAsync("INT", $"-{ProcessId.ToString(CultureInfo.InvariantCulture)}", timeout);

    /// <param name="target">What <c>kill</c> signals: the silo's pid, or a process group as its negated id.</param>
    private async Task<int> SignalAndWaitAsync(string signal, string target, TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", [$"-{signal}", "--", target]))
        {
            await kill.WaitForExitAsync();
            // A silo that has exited already is no failure; a group that does not exist (a silo started without one) is.
            Check.That(kill.ExitCode == 0 || _process.HasExited, $"kill -{signal} -- {target} failed: was a silo without a process group of its own signalled as a group?");
        }

        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Check.Fail($"The silo did not exit within {timeout} of SIG{signal}:\n{RecentOutput}");
        }

        return _process.ExitCode;
    }

    /// <summary>The processes whose parent is <paramref name="pid"/> (Linux: from /proc), e.g. a silo's component processes.</summary>
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
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) == pid)
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

    private async Task WaitReadyAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The silo exited with {_process.ExitCode}:\n{RecentOutput}");
            }

            if (_http is null && (_apiKey ??= ReadGeneratedKey()) is not null)
            {
                _http = NewHttpClient(withKey: true);
            }

            try
            {
                // Not /api/flows: listing flows activates them, and tests look at what a silo does on its own at start.
                if (_http is not null && (await _http.GetAsync("/api/components")).IsSuccessStatusCode)
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

    private string? ReadGeneratedKey()
    {
        var file = Path.Combine(_ownDirectory ?? SiloDirectory(), GeneratedKeyFile);
        try
        {
            return File.Exists(file) && File.ReadAllText(file).Trim() is { Length: > 0 } key ? key : null;
        }
        catch (IOException)
        {
            return null; // being written
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        foreach (var (waiter, text) in _lineWaiters)
        {
            if (line.Contains(text, StringComparison.Ordinal))
            {
                waiter.TrySetResult(line);
            }
        }

        while (_output.Count > KeptLines)
        {
            _output.TryDequeue(out _);
        }
    }

    private static string SiloDirectory() => Path.GetDirectoryName(SiloDll())!;

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
        _http?.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        if (_ownDirectory is not null)
        {
            try
            {
                Directory.Delete(_ownDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A component still writing its last output; the temporary folder is the system's to clean.
            }
        }
    }
}
