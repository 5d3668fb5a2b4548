using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using FlowActors.Containers;

namespace FlowActors.Tests.Infrastructure;

/// <summary>
/// The built Silo, run as its own process with <c>dotnet</c> on free loopback ports, as an operator runs it:
/// real Kestrel, real gateway with mutual TLS. Each one has its own data folder, where it makes its cluster
/// certificates on first start as it does for a user. Killed (with the component processes it started) by its PID on
/// dispose, and its data folder removed.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    public const string ApiKey = "test-api-key-0123456789abcdef";

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

    private SiloProcess(Process process, int httpPort, int gatewayPort, int siloPort, int webhookPort, string dataFolder)
    {
        _process = process;
        BaseAddress = new Uri($"http://127.0.0.1:{httpPort}");
        WebhookAddress = new Uri($"http://127.0.0.1:{webhookPort}");
        GatewayPort = gatewayPort;
        SiloPort = siloPort;
        DataFolder = dataFolder;
        Http = NewHttpClient(withKey: true);
    }

    /// <summary>The admin listener: API, console, dashboard.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The public listener: webhooks only.</summary>
    public Uri WebhookAddress { get; }

    public int GatewayPort { get; }

    public int SiloPort { get; }

    /// <summary>The silo's own data folder (certificates).</summary>
    public string DataFolder { get; }

    /// <summary>The client certificate the silo made on first start: what the SDK presents to its gateway.</summary>
    public string ClientCertificatePath => Path.Combine(DataFolder, "tls", "client.pfx");

    /// <summary>The operating-system process id of the silo.</summary>
    public int Pid => _process.Id;

    /// <summary>A client that presents the API key.</summary>
    public HttpClient Http { get; }

    /// <summary>The last lines the silo printed, for failure messages.</summary>
    public string RecentOutput => string.Join('\n', _output.TakeLast(40));

    public static async Task<SiloProcess> StartAsync(params string[] settings)
    {
        var ports = new[] { Ports.Reserve(), Ports.Reserve(), Ports.Reserve(), Ports.Reserve() };
        var dataFolder = Path.Combine(Path.GetTempPath(), $"flowactors-silo-{Guid.NewGuid():N}");
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
                     $"--FlowActors:Webhooks:Url=http://127.0.0.1:{ports[3]}",
                     $"--FlowActors:Silo:Tls:Folder={Path.Combine(dataFolder, "tls")}",
                     $"--FlowActors:Api:Key={ApiKey}",
                     "--FlowActors:SeedSamples=false",
                 }.Concat(settings))
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var silo = new SiloProcess(process, ports[0], ports[2], ports[1], ports[3], dataFolder);
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
                if ((await Http.GetAsync("/api/flows")).IsSuccessStatusCode)
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
        try
        {
            Directory.Delete(DataFolder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // the silo never got as far as making it
        }
    }
}
