using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using FlowActors.Grains.Interfaces.Sessions;
using FlowActors.TestSupport.Clients;
using FlowActors.TestSupport.Silos;
using FlowActors.Tests.Api;
using FlowActors.Tests.Client;
using static FlowActors.Tests.Api.WebhookTests;

// Not FlowActors.Tests.Console: that namespace would hide System.Console from every test.
namespace FlowActors.Tests.AdminConsole;

/// <summary>
/// A console session's long-lived requests end with the session, against the real Silo process. Before, an event stream
/// opened with a session kept delivering a flow's outputs after that session was logged out.
/// </summary>
[TestClass]
[TestCategory("Security")]
public sealed class SessionStreamTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(1);

    private static SiloProcess s_silo = null!;
    private static string s_flowId = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext context)
    {
        s_silo = await SiloProcess.StartAsync();
        await DeployAsync(s_silo.Http);
        (s_flowId, _) = await StartFlowWithWebhookAsync(s_silo.Http, "Realtime", reply: false);
    }

    [ClassCleanup]
    public static async Task StopAsync() => await s_silo.DisposeAsync();

    [TestMethod]
    public async Task Logout_EndsTheSessionsEventStream_WithinASecond()
    {
        using var browser = Browser(out _);
        await using var stream = await FollowAsync(browser);

        var logout = await browser.PostAsync("/console/logout", null);
        var loggedOut = Stopwatch.StartNew();

        Assert.AreEqual(HttpStatusCode.Redirect, logout.StatusCode);
        await stream.AssertEndsAsync(loggedOut);
    }

    [TestMethod]
    public async Task SessionEndedOnAnotherSilo_EndsTheEventStream_WithinASecond()
    {
        using var browser = Browser(out var cookies);
        await using var stream = await FollowAsync(browser);
        var sessionId = cookies.GetCookies(s_silo.BaseAddress)["flowactors_session"]!.Value.Split('.')[0];

        // What a logout on another silo of the cluster does: it ends the session's grain, and this silo is not told.
        await using var sdk = await SdkHost.StartAsync(s_silo);
        await sdk.Cluster.GetGrain<IAdminSessionGrain>(sessionId).EndAsync();
        var ended = Stopwatch.StartNew();

        await stream.AssertEndsAsync(ended);
    }

    [TestMethod]
    public async Task Expiry_EndsTheSessionsEventStream_WithinASecond()
    {
        // A session of ten seconds (the shortest there is): only the timing is shortened.
        await using var silo = await SiloProcess.StartAsync("--FlowActors:Console:SessionLifetime=00:00:10");
        await DeployAsync(silo.Http);
        var flowId = SdkFlows.NewId("expiry");
        (await silo.Http.PutAsJsonAsync($"/api/flows/{flowId}/draft", SdkFlows.Shout())).EnsureSuccessStatusCode();
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies })
        {
            BaseAddress = silo.BaseAddress,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var login = await browser.PostAsync("/console/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["apiKey"] = SiloProcess.ApiKey }));
        Assert.AreEqual(HttpStatusCode.Redirect, login.StatusCode);
        var expires = DateTimeOffset.FromUnixTimeSeconds(long.Parse(
            cookies.GetCookies(silo.BaseAddress)["flowactors_session"]!.Value.Split('.')[1], System.Globalization.CultureInfo.InvariantCulture));

        await using var stream = await EventStream.OpenAsync(browser, flowId);
        await stream.AssertEndsAsync(expires + TimeSpan.FromSeconds(5));
        var late = DateTimeOffset.UtcNow - expires;

        Console.WriteLine($"The stream ended {late.TotalMilliseconds:0} ms after its session expired");
        Assert.IsLessThan(Within, late, "the stream outlived its session");
        Assert.IsGreaterThan(TimeSpan.FromMilliseconds(-100), late, "the stream ended before its session expired");
    }

    [TestMethod]
    public async Task StreamOpenedWithTheKey_OutlivesASessionsLogout()
    {
        using var browser = Browser(out _);
        await using var session = await FollowAsync(browser);
        using var program = s_silo.NewHttpClient(withKey: true);
        await using var keyed = await EventStream.OpenAsync(program, s_flowId);

        await browser.PostAsync("/console/logout", null);
        await session.AssertEndsAsync(Stopwatch.StartNew());

        await keyed.AssertDeliversAsync(s_silo.Http, s_flowId);
    }

    /// <summary>Logs in, opens the flow's event stream with the session, and checks that it delivers.</summary>
    private static async Task<EventStream> FollowAsync(HttpClient browser)
    {
        var login = await browser.PostAsync("/console/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["apiKey"] = SiloProcess.ApiKey }));
        Assert.AreEqual(HttpStatusCode.Redirect, login.StatusCode);
        var stream = await EventStream.OpenAsync(browser, s_flowId);
        await stream.AssertDeliversAsync(s_silo.Http, s_flowId);
        return stream;
    }

    private static HttpClient Browser(out CookieContainer cookies)
    {
        cookies = new CookieContainer();
        var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies, UseCookies = true };
        return new HttpClient(handler) { BaseAddress = s_silo.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>An open <c>/api/flows/{id}/events</c> response, read line by line.</summary>
    private sealed class EventStream(HttpResponseMessage response, StreamReader reader) : IAsyncDisposable
    {
        public static async Task<EventStream> OpenAsync(HttpClient client, string flowId)
        {
            var response = await client.GetAsync($"/api/flows/{flowId}/events", HttpCompletionOption.ResponseHeadersRead);
            Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
            var stream = new EventStream(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
            Assert.AreEqual($": following {flowId}", await stream.NextLineAsync(TimeSpan.FromSeconds(30)));
            return stream;
        }

        /// <summary>A message sent with the key reaches this stream as an output.</summary>
        public async Task AssertDeliversAsync(HttpClient admin, string flowId)
        {
            var sent = await admin.PostAsync($"/api/flows/{flowId}/messages", HttpApiTests.Json("""{"name":"ada"}"""));
            Assert.AreEqual(HttpStatusCode.Accepted, sent.StatusCode, await sent.Content.ReadAsStringAsync());
            string? line;
            do
            {
                line = await NextLineAsync(TimeSpan.FromSeconds(30));
            }
            while (line is not null && !line.StartsWith("data:", StringComparison.Ordinal));

            StringAssert.Contains(line, "ADA");
        }

        /// <summary>The response ends (or the connection is closed) within a second of <paramref name="since"/>'s start.</summary>
        public async Task AssertEndsAsync(Stopwatch since)
        {
            await AssertEndsAsync(DateTimeOffset.UtcNow + TimeSpan.FromSeconds(5));
            Console.WriteLine($"The stream ended {since.Elapsed.TotalMilliseconds:0} ms after its session");
            Assert.IsLessThan(Within, since.Elapsed, $"the stream ended {since.Elapsed.TotalMilliseconds:0} ms after the session did");
        }

        /// <summary>The response ends (or the connection is closed) by <paramref name="deadline"/>; keep-alives and events before it are read past.</summary>
        public async Task AssertEndsAsync(DateTimeOffset deadline)
        {
            try
            {
                while (await NextLineAsync(deadline - DateTimeOffset.UtcNow) is not null)
                {
                    // a keep-alive or an event still in flight: read on
                }
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                // aborted: ended too
            }
        }

        public async ValueTask DisposeAsync()
        {
            reader.Dispose();
            response.Dispose();
            await Task.CompletedTask;
        }

        /// <summary>The next line; null at the end of the response; fails the test when none comes within <paramref name="timeout"/>.</summary>
        private async Task<string?> NextLineAsync(TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout > TimeSpan.Zero ? timeout : TimeSpan.Zero);
            try
            {
                return await reader.ReadLineAsync(cts.Token);
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
                Assert.Fail($"The stream was still open {Math.Max(0, timeout.TotalSeconds):0.#} s later");
                return null;
            }
        }
    }
}
