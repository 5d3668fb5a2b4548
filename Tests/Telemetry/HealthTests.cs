using System.Diagnostics;
using System.Net;
using FlowActors.Containers.Docker;
using FlowActors.TestSupport.Silos;
using FlowActors.Tests.Infrastructure;

namespace FlowActors.Tests.Telemetry;

/// <summary>
/// <c>/health/live</c> and <c>/health/ready</c> of the real Silo process, anonymous, with its Docker runtime behind a
/// socket proxy the test stops and starts (the shared engine itself is never touched).
/// </summary>
[TestClass]
[TestCategory("Docker")]
public sealed class HealthTests
{
    private const string EngineSocket = "/var/run/docker.sock";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task Ready_IsUnhealthyWhileTheContainerRuntimeIsUnreachable_AndHealthyAgainWhenItReturns()
    {
        if (!await DockerEngine.AnswersAsync($"unix://{EngineSocket}", TimeSpan.FromSeconds(2), CancellationToken.None))
        {
            Assert.Fail($"No Docker engine answers on {EngineSocket}. Start one with scripts/ensure-docker.sh.");
        }

        var directory = Directory.CreateTempSubdirectory("fa-health-");
        try
        {
            await using var proxy = UnixSocketProxy.Start(Path.Combine(directory.FullName, "docker.sock"), EngineSocket);
            await using var silo = await SiloProcess.StartAsync(
                "--FlowActors:Containers:Kind=Docker",
                $"--FlowActors:Containers:Docker:Endpoint=unix://{proxy.Path}",
                $"--FlowActors:Silo:ClusterId=health-{Guid.NewGuid():N}"); // its reaper lists only its own cluster's containers
            using var probe = silo.NewHttpClient(withKey: false); // what a load balancer or kubelet is: no credentials

            await ExpectAsync(probe, "/health/ready", HttpStatusCode.OK, "Healthy", silo);
            await ExpectAsync(probe, "/health/live", HttpStatusCode.OK, "Healthy", silo);

            await proxy.StopAsync();
            await ExpectAsync(probe, "/health/ready", HttpStatusCode.ServiceUnavailable, "Unhealthy", silo);
            await ExpectAsync(probe, "/health/live", HttpStatusCode.OK, "Healthy", silo); // alive: a restart would not bring the engine back

            proxy.Start();
            await ExpectAsync(probe, "/health/ready", HttpStatusCode.OK, "Healthy", silo);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>Polls until the endpoint answers <paramref name="status"/> with exactly <paramref name="body"/>: nothing beyond the status.</summary>
    private async Task ExpectAsync(HttpClient probe, string path, HttpStatusCode status, string body, SiloProcess silo)
    {
        var deadline = Stopwatch.StartNew();
        var last = "";
        while (deadline.Elapsed < Wait)
        {
            using var response = await probe.GetAsync(path);
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == status && text == body)
            {
                return;
            }

            last = $"{(int)response.StatusCode} {text}";
            await Task.Delay(200);
        }

        TestContext.WriteLine(silo.RecentOutput);
        Assert.Fail($"{path} did not answer {(int)status} {body} within {Wait.TotalSeconds:0} s; last: {last}");
    }
}
