using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json;
using FlowActors.TestSupport.Silos;
using FlowActors.Tests.Api;
using FlowActors.Tests.Client;
using static FlowActors.Tests.Api.WebhookTests;

namespace FlowActors.Tests.Security;

/// <summary>
/// The admin listener's answers to what a browser or a script may send it, against the real Silo process: origins,
/// content types, the dashboard's headers, flow names, and what failed TLS handshakes cost the log.
/// </summary>
[TestClass]
[TestCategory("Security")]
public sealed class HttpEdgeTests
{
    private static SiloProcess s_silo = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _)
    {
        s_silo = await SiloProcess.StartAsync();
        await DeployAsync(s_silo.Http);
    }

    [ClassCleanup]
    public static async Task StopAsync() => await s_silo.DisposeAsync();

    [TestMethod]
    [DataRow("POST", "/console/login")]
    [DataRow("POST", "/console/logout")]
    [DataRow("GET", "/api/flows")]
    public async Task TwoOriginHeaders_AreRefused_WhateverTheFirstSays(string method, string path)
    {
        var own = s_silo.BaseAddress.GetLeftPart(UriPartial.Authority);

        // Two header lines, as a script sends them (HttpClient would join them into one).
        var answer = await RawAsync($"{method} {path} HTTP/1.1\r\nHost: {s_silo.BaseAddress.Authority}\r\nOrigin: {own}\r\nOrigin: http://evil.example\r\n"
            + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        StringAssert.StartsWith(answer, "HTTP/1.1 400", answer);
        StringAssert.Contains(answer, "more than one origin", answer);

        // One line with a list in it is no better.
        var listed = new HttpRequestMessage(new HttpMethod(method), path) { Content = Form(SiloProcess.ApiKey) };
        listed.Headers.TryAddWithoutValidation("Origin", $"{own}, http://evil.example");
        using var browser = Browser(out _);
        await Problems.AssertAsync(await browser.SendAsync(listed), HttpStatusCode.BadRequest, "more than one origin");
    }

    [TestMethod]
    public async Task Logout_FromAnotherOrigin_IsRefused_AndTheSessionLives()
    {
        using var browser = Browser(out _);
        Assert.AreEqual(HttpStatusCode.Redirect, (await browser.PostAsync("/console/login", Form(SiloProcess.ApiKey))).StatusCode);

        var foreign = new HttpRequestMessage(HttpMethod.Post, "/console/logout");
        foreign.Headers.Add("Origin", "http://127.0.0.1:1");
        await Problems.AssertAsync(await browser.SendAsync(foreign), HttpStatusCode.Forbidden, "own pages only");
        Assert.AreEqual(HttpStatusCode.OK, (await browser.GetAsync("/api/overview")).StatusCode);

        var own = new HttpRequestMessage(HttpMethod.Post, "/console/logout");
        own.Headers.Add("Origin", s_silo.BaseAddress.GetLeftPart(UriPartial.Authority));
        Assert.AreEqual("/console/login", (await browser.SendAsync(own)).Headers.Location?.OriginalString);
        await Problems.AssertUnauthorizedAsync(await browser.GetAsync("/api/overview"));
    }

    [TestMethod]
    public async Task Login_WithAnotherContentType_Is415_SayingWhatItExpects()
    {
        using var browser = Browser(out _);

        var response = await browser.PostAsync("/console/login", HttpApiTests.Json($$"""{"apiKey":"{{SiloProcess.ApiKey}}"}"""));

        await Problems.AssertAsync(response, HttpStatusCode.UnsupportedMediaType, "application/x-www-form-urlencoded");
    }

    [TestMethod]
    [DataRow("/dashboard/")]
    [DataRow("/dashboard/index.min.js")]
    public async Task Dashboard_AnswersCarryAContentSecurityPolicyThatForbidsFraming(string path)
    {
        using var anonymous = Browser(out _); // its redirect to the login carries them too
        foreach (var (who, client) in new[] { ("with the key", s_silo.Http), ("anonymous", anonymous) })
        {
            var response = await client.GetAsync(path);

            var policy = string.Join(", ", response.Headers.GetValues("Content-Security-Policy"));
            StringAssert.Contains(policy, "frame-ancestors 'none'", who);
            StringAssert.Contains(policy, "script-src 'self'", who);
            Assert.AreEqual("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single(), who);
            Assert.AreEqual("DENY", response.Headers.GetValues("X-Frame-Options").Single(), who);
        }
    }

    [TestMethod]
    public async Task FlowNames_ThatAreHugeOrDoNotPrint_Are400_NamingTheField()
    {
        foreach (var name in new[] { new string('n', 500_000), "two\nlines", "red \u001b[31m", "\u202egnp.exe" })
        {
            var draft = JsonSerializer.Serialize(new { name, steps = new[] { new { id = "a", componentId = "echo", action = "echo" } } });

            var response = await s_silo.Http.PutAsync($"/api/flows/{SdkFlows.NewId("name")}/draft", HttpApiTests.Json(draft));

            var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest);
            Assert.AreEqual(1, problem.GetProperty("errors").GetProperty("name").GetArrayLength(), problem.ToString());
            Assert.IsLessThan(4096, problem.ToString().Length, "the answer quotes the name back");
        }
    }

    [TestMethod]
    public async Task FiftyHandshakesWithoutACertificate_WriteOneLogEntry_NotOnePerHandshake()
    {
        var before = s_silo.Output.Count;

        for (var i = 0; i < 50; i++)
        {
            await HandshakeWithoutCertificateAsync(s_silo.GatewayPort);
        }

        // The first failure is logged at once (two lines: level and category, then the message); the rest are counted
        // into one entry a minute later. Before, each handshake wrote a warning with its stack trace: 350 lines.
        await WaitForLineAsync("[4310]", TimeSpan.FromSeconds(30));
        var written = s_silo.Output.Skip(before).ToArray();
        var log = string.Join("\n", written);
        Assert.IsLessThanOrEqualTo(4, written.Length, log);
        Assert.AreEqual(1, written.Count(l => l.Contains("[4310]", StringComparison.Ordinal)), log);
        Assert.IsFalse(log.Contains("TlsServerConnectionMiddleware", StringComparison.Ordinal), log);
    }

    [TestMethod]
    public async Task HttpsAdminListener_AnswersWithStrictTransportSecurity()
    {
        await using var silo = await SiloProcess.StartHttpsAsync(TestCertificates.SiloCertificatePath);
        var request = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        request.Headers.Host = "flowactors.example"; // browsers ignore HSTS for IP addresses, and ASP.NET Core sends none for loopback names

        var response = await silo.Http.SendAsync(request);

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual("max-age=31536000", response.Headers.GetValues("Strict-Transport-Security").Single());
        Assert.IsFalse((await s_silo.Http.GetAsync("/health/live")).Headers.Contains("Strict-Transport-Security"), "plain http has no HSTS");
    }

    private static async Task WaitForLineAsync(string text, TimeSpan timeout)
    {
        // The silo's output is a pipe read by another thread: there is no event to await but the line itself.
        var deadline = DateTime.UtcNow + timeout;
        while (s_silo.CountLines(text) == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.AreNotEqual(0, s_silo.CountLines(text), s_silo.RecentOutput);
    }

    private static async Task HandshakeWithoutCertificateAsync(int port)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, _, _, _) => true);
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "flowactors-silo" });
            await tls.ReadAsync(new byte[1]).AsTask().WaitAsync(TimeSpan.FromSeconds(30)); // TLS 1.3: the verdict is the next read
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            // refused, as it should be
        }
    }

    /// <summary>Sends <paramref name="request"/> as it is written and reads the answer to the end.</summary>
    private static async Task<string> RawAsync(string request)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, s_silo.BaseAddress.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    private static HttpClient Browser(out CookieContainer cookies)
    {
        cookies = new CookieContainer();
        var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies, UseCookies = true };
        return new HttpClient(handler) { BaseAddress = s_silo.BaseAddress };
    }

    private static FormUrlEncodedContent Form(string key) => new(new Dictionary<string, string> { ["apiKey"] = key, ["returnUrl"] = "/console/" });
}
