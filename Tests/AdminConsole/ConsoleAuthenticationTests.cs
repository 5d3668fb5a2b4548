using System.Net;
using FlowActors.TestSupport.Silos;
using FlowActors.Tests.Api;

// Not FlowActors.Tests.Console: that namespace would hide System.Console from every test.
namespace FlowActors.Tests.AdminConsole;

/// <summary>
/// The console's login and session cookie over plain HTTP, against the Silo process: what a browser may do with the
/// cookie, what it may not, and that the API key keeps working for programs.
/// </summary>
[TestClass]
public sealed class ConsoleAuthenticationTests
{
    private static SiloProcess s_silo = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _) => s_silo = await SiloProcess.StartAsync();

    [ClassCleanup]
    public static async Task StopAsync() => await s_silo.DisposeAsync();

    [TestMethod]
    [DataRow("/console/")]
    [DataRow("/console/flow?id=x")]
    [DataRow("/console/components")]
    [DataRow("/dashboard/")]
    public async Task Pages_WithoutASession_RedirectToTheLoginPage(string path)
    {
        using var browser = Browser(out _);
        var response = await browser.GetAsync(path);

        Assert.AreEqual(HttpStatusCode.Redirect, response.StatusCode);
        Assert.AreEqual($"/console/login?returnUrl={Uri.EscapeDataString(path)}", response.Headers.Location?.OriginalString);
    }

    [TestMethod]
    public async Task Login_WithTheKey_SetsAnHttpOnlyStrictCookieThatIsNotTheKey()
    {
        using var browser = Browser(out _);
        var response = await LogInAsync(browser, SiloProcess.ApiKey, "/console/components");

        Assert.AreEqual(HttpStatusCode.Redirect, response.StatusCode);
        Assert.AreEqual("/console/components", response.Headers.Location?.OriginalString);
        var cookie = response.Headers.GetValues("Set-Cookie").Single();
        StringAssert.StartsWith(cookie, "flowactors_session=");
        StringAssert.Contains(cookie, "httponly");
        StringAssert.Contains(cookie, "samesite=strict");
        Assert.IsFalse(cookie.Contains(SiloProcess.ApiKey, StringComparison.Ordinal), cookie);
    }

    [TestMethod]
    [DataRow("not-the-key")]
    [DataRow("")]
    public async Task Login_WithAWrongKey_SetsNoCookieAndSaysSo(string key)
    {
        using var browser = Browser(out _);
        var response = await LogInAsync(browser, key, "/console/");

        Assert.AreEqual("/console/login?failed=1&returnUrl=%2Fconsole%2F", response.Headers.Location?.OriginalString);
        Assert.IsFalse(response.Headers.Contains("Set-Cookie"));
    }

    [TestMethod]
    [DataRow("//evil.example/")]
    [DataRow("https://evil.example/")]
    [DataRow("/\\evil.example")]
    public async Task Login_NeverRedirectsToAnotherSite(string returnUrl)
    {
        using var browser = Browser(out _);
        var response = await LogInAsync(browser, SiloProcess.ApiKey, returnUrl);

        Assert.AreEqual("/console/", response.Headers.Location?.OriginalString);
    }

    [TestMethod]
    public async Task Login_FromAnotherOrigin_IsRefused()
    {
        using var browser = Browser(out _);
        var request = new HttpRequestMessage(HttpMethod.Post, "/console/login") { Content = Form(SiloProcess.ApiKey, "/console/") };
        request.Headers.Add("Origin", "http://127.0.0.1:1");

        Assert.AreEqual(HttpStatusCode.Forbidden, (await browser.SendAsync(request)).StatusCode);
    }

    [TestMethod]
    public async Task Session_ReadsTheApi_ButChangesOnlyWithTheConsoleHeader()
    {
        using var browser = Browser(out _);
        await LogInAsync(browser, SiloProcess.ApiKey, "/console/");

        Assert.AreEqual(HttpStatusCode.OK, (await browser.GetAsync("/api/overview")).StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, (await browser.GetAsync("/dashboard/")).StatusCode);
        await Problems.AssertUnauthorizedAsync(await browser.PostAsync("/api/flows/nope/start", null)); // a cross-site form could send this

        var withHeader = new HttpRequestMessage(HttpMethod.Post, "/api/flows/nope/start");
        withHeader.Headers.Add("X-FlowActors-Console", "1");
        await Problems.AssertAsync(await browser.SendAsync(withHeader), HttpStatusCode.NotFound); // past authentication
    }

    [TestMethod]
    [TestCategory("Security")]
    public async Task Session_ThatIsTamperedWithOrLoggedOut_IsRefused()
    {
        using var browser = Browser(out var cookies);
        await LogInAsync(browser, SiloProcess.ApiKey, "/console/");
        var token = cookies.GetCookies(s_silo.BaseAddress)["flowactors_session"]!.Value;
        var (id, expiry, mac) = (token.Split('.')[0], token.Split('.')[1], token.Split('.')[2]);

        foreach (var forged in new[]
                 {
                     $"{id}.{long.Parse(expiry) + 3600}.{mac}", $"{id}.{expiry}.{mac[..^1]}{(mac[^1] == '0' ? '1' : '0')}",
                     $"{id[..^1]}{(id[^1] == '0' ? '1' : '0')}.{expiry}.{mac}", "1.00", "a.1.00", "garbage", SiloProcess.ApiKey,
                 })
        {
            cookies.Add(s_silo.BaseAddress, new Cookie("flowactors_session", forged));
            await Problems.AssertUnauthorizedAsync(await browser.GetAsync("/api/overview"));
        }

        cookies.Add(s_silo.BaseAddress, new Cookie("flowactors_session", token));
        Assert.AreEqual(HttpStatusCode.OK, (await browser.GetAsync("/api/overview")).StatusCode);
        var logout = await browser.PostAsync("/console/logout", null);
        Assert.AreEqual("/console/login", logout.Headers.Location?.OriginalString);
        await Problems.AssertUnauthorizedAsync(await browser.GetAsync("/api/overview"));

        // The browser forgot the cookie; someone who copied it still has it. Logging out ended the session itself.
        cookies.Add(s_silo.BaseAddress, new Cookie("flowactors_session", token));
        await Problems.AssertUnauthorizedAsync(await browser.GetAsync("/api/overview"));
        Assert.AreEqual(HttpStatusCode.Redirect, (await browser.GetAsync("/dashboard/")).StatusCode);
    }

    [TestMethod]
    public async Task ApiKey_StillOpensTheApiAndTheDashboard()
    {
        Assert.AreEqual(HttpStatusCode.OK, (await s_silo.Http.GetAsync("/api/overview")).StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, (await s_silo.Http.GetAsync("/dashboard/")).StatusCode);
        using var anonymous = s_silo.NewHttpClient(withKey: false);
        await Problems.AssertUnauthorizedAsync(await anonymous.GetAsync("/api/overview"));
    }

    /// <summary>A client that keeps cookies and does not follow redirects, like a browser seen from the server.</summary>
    private static HttpClient Browser(out CookieContainer cookies)
    {
        cookies = new CookieContainer();
        var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies, UseCookies = true };
        return new HttpClient(handler) { BaseAddress = s_silo.BaseAddress };
    }

    private static Task<HttpResponseMessage> LogInAsync(HttpClient browser, string key, string returnUrl) =>
        browser.PostAsync("/console/login", Form(key, returnUrl));

    private static FormUrlEncodedContent Form(string key, string returnUrl) =>
        new(new Dictionary<string, string> { ["apiKey"] = key, ["returnUrl"] = returnUrl });
}
