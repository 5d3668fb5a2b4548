using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using FlowActors.Client;
using FlowActors.Client.Hosting;
using FlowActors.Grains.Webhooks;
using FlowActors.Silo.Hosting;
using FlowActors.TestSupport.Clients;
using FlowActors.TestSupport.Silos;
using FlowActors.Tests.Api;
using FlowActors.Tests.Client;
using FlowActors.Tests.Flows;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using static FlowActors.Tests.Api.WebhookTests;

namespace FlowActors.Tests.Security;

/// <summary>
/// The silo as an attacker meets it: the real Silo process with its shipped settings (only ports moved), probed at the
/// gateway, the silo port, the webhook listener and the admin listener.
/// </summary>
[TestClass]
[TestCategory("Security")]
public sealed class SecurityTests
{
    private static SiloProcess s_silo = null!;
    private static HttpClient s_hooks = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _)
    {
        s_silo = await SiloProcess.StartAsync();
        s_hooks = s_silo.NewWebhookClient();
        await DeployAsync(s_silo.Http);
    }

    [ClassCleanup]
    public static async Task StopAsync()
    {
        s_hooks.Dispose();
        await s_silo.DisposeAsync();
    }

    [TestMethod]
    public async Task Gateway_RefusesAClientWithoutACertificate()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleansClient(client => client.UseLocalhostClustering(s_silo.GatewayPort, "flowactors", "dev"));

        await AssertRefusedAsync(builder);
    }

    [TestMethod]
    public async Task Gateway_RefusesACertificateFromAnotherAuthority()
    {
        var foreign = Path.Combine(Path.GetTempPath(), $"flowactors-foreign-{Guid.NewGuid():N}");
        try
        {
            EmbeddedCertificates.LoadOrCreate(foreign, TimeProvider.System);
            var builder = Host.CreateApplicationBuilder();
            builder.AddFlowActorsClient(o =>
            {
                o.GatewayPort = s_silo.GatewayPort;
                o.Tls.CertificatePath = Path.Combine(foreign, EmbeddedCertificates.ClientFile);
                o.Tls.CertificateAuthorityPath = Path.Combine(s_silo.TlsFolder, EmbeddedCertificates.AuthorityFile); // it trusts the silo
            });

            await AssertRefusedAsync(builder);
        }
        finally
        {
            Directory.Delete(foreign, recursive: true);
        }
    }

    [TestMethod]
    public async Task Gateway_AdmitsTheClientCertificateTheSiloMade()
    {
        await using var sdk = await SdkHost.StartAsync(s_silo);

        Assert.IsTrue((await sdk.Client.ListComponentsAsync()).Any(c => c.ComponentId == "echo"));
    }

    [TestMethod]
    public async Task SiloPort_RefusesClientCertificates_AndBothPortsRefuseConnectionsWithout()
    {
        var client = ClusterTls.Load(new ClusterCertificateOptions { CertificatePath = s_silo.ClientCertificatePath }, "/", "test");

        await AssertTlsRefusedAsync(s_silo.SiloPort, client.Certificate);
        await AssertTlsRefusedAsync(s_silo.SiloPort, null);
        await AssertTlsRefusedAsync(s_silo.GatewayPort, null);
    }

    [TestMethod]
    public async Task SignedRequest_IsAcceptedOnce_AndRefusedWhenReplayedRetargetedExpiredOrForged()
    {
        var (flowId, secret) = await StartFlowWithWebhookAsync(s_silo.Http, "Ordinary", reply: false);
        const string body = """{"name":"ada"}""";
        var path = $"/hooks/{flowId}/orders?src=shop";
        var first = Signed(HttpMethod.Post, path, body, secret);
        var (timestamp, signature) = (first.Headers.GetValues(TimestampHeader).Single(), first.Headers.GetValues(SignatureHeader).Single());

        var accepted = await s_hooks.SendAsync(first);
        Assert.AreEqual(HttpStatusCode.Accepted, accepted.StatusCode, await accepted.Content.ReadAsStringAsync());

        foreach (var (what, request) in new[]
                 {
                     ("replayed", With(HttpMethod.Post, path, body, timestamp, signature)),
                     ("another path", With(HttpMethod.Post, $"/hooks/{flowId}/refunds?src=shop", body, timestamp, signature)),
                     ("another query", With(HttpMethod.Post, $"/hooks/{flowId}/orders?src=evil", body, timestamp, signature)),
                     ("another method", With(HttpMethod.Put, path, body, timestamp, signature)),
                     ("another body", With(HttpMethod.Post, path, """{"name":"eve"}""", timestamp, signature)),
                     ("expired", Signed(HttpMethod.Post, path, body, secret, DateTimeOffset.UtcNow.AddMinutes(-6))),
                     ("from the future", Signed(HttpMethod.Post, path, body, secret, DateTimeOffset.UtcNow.AddMinutes(6))),
                     ("another secret", Signed(HttpMethod.Post, path, body, WebhookCredentials.NewSecret())),
                     ("no timestamp", With(HttpMethod.Post, path, body, timestamp: null, signature)),
                 })
        {
            await AssertUnauthorizedAsync(await s_hooks.SendAsync(request), what);
        }
    }

    [TestMethod]
    public async Task SignedRequestThatWasNotAccepted_CanBeSentAgain_AndIsThenAcceptedOnce()
    {
        var (flowId, secret) = await StartFlowWithWebhookAsync(s_silo.Http, "Ordinary", reply: false);
        (await s_silo.Http.PostAsync($"/api/flows/{flowId}/stop", null)).EnsureSuccessStatusCode();
        var path = $"/hooks/{flowId}";
        var first = Signed(HttpMethod.Post, path, """{"name":"ada"}""", secret);
        var (timestamp, signature) = (first.Headers.GetValues(TimestampHeader).Single(), first.Headers.GetValues(SignatureHeader).Single());

        // A stopped flow refuses it (as a settling cluster answers 503): nothing was accepted, so the sender may retry it.
        Assert.AreEqual(HttpStatusCode.Conflict, (await s_hooks.SendAsync(first)).StatusCode);
        (await s_silo.Http.PostAsync($"/api/flows/{flowId}/start", null)).EnsureSuccessStatusCode();
        var retried = await s_hooks.SendAsync(With(HttpMethod.Post, path, """{"name":"ada"}""", timestamp, signature));
        Assert.AreEqual(HttpStatusCode.Accepted, retried.StatusCode, await retried.Content.ReadAsStringAsync());
        await AssertUnauthorizedAsync(await s_hooks.SendAsync(With(HttpMethod.Post, path, """{"name":"ada"}""", timestamp, signature)), "replayed once accepted");
    }

    [TestMethod]
    public async Task EmptyBodySignature_IsNoTokenForOtherRequests()
    {
        var (flowId, secret) = await StartFlowWithWebhookAsync(s_silo.Http, "Ordinary", reply: false);
        var empty = Signed(HttpMethod.Post, $"/hooks/{flowId}", "", secret);
        var (timestamp, signature) = (empty.Headers.GetValues(TimestampHeader).Single(), empty.Headers.GetValues(SignatureHeader).Single());
        Assert.AreEqual(HttpStatusCode.Accepted, (await s_hooks.SendAsync(empty)).StatusCode);

        await AssertUnauthorizedAsync(await s_hooks.SendAsync(With(HttpMethod.Post, $"/hooks/{flowId}", "", timestamp, signature)), "replayed");
        await AssertUnauthorizedAsync(await s_hooks.SendAsync(With(HttpMethod.Post, $"/hooks/{flowId}/anything", "", timestamp, signature)), "another path");
        var bodyOnly = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Array.Empty<byte>()));
        await AssertUnauthorizedAsync(await s_hooks.SendAsync(With(HttpMethod.Post, $"/hooks/{flowId}/anything", "", timestamp: null, bodyOnly)), "the old body-only signature");
    }

    [TestMethod]
    public async Task ReplyHeaders_PassAStrictAllowList_AndProxySwitchesNeverPass()
    {
        var headers = new Dictionary<string, string>
        {
            ["Set-Cookie"] = "flowactors_session=stolen; Path=/",
            ["Access-Control-Allow-Origin"] = "https://evil.example",
            ["Access-Control-Allow-Credentials"] = "true",
            ["Content-Security-Policy"] = "script-src *",
            ["Location"] = "https://evil.example/",
            ["Refresh"] = "0; url=https://evil.example/",
            ["X-Frame-Options"] = "ALLOWALL",
            ["X-Accel-Redirect"] = "/internal/.flowactors/api-key",
            ["X-Sendfile"] = "/etc/shadow",
            ["X-LiteSpeed-Location"] = "/internal/",
            ["Strict-Transport-Security"] = "max-age=0",
            ["Cache-Control"] = "no-store",
            ["X-Request-Id"] = "req-1",
            ["X-Order-Id"] = "42",
            ["Content-Type"] = "text/html",
        };
        var (flowId, secret) = await StartReplyFlowAsync(201, headers);

        var response = await s_hooks.SendAsync(Hook(HttpMethod.Post, $"/hooks/{flowId}", """{"name":"ada"}""", secret));

        Assert.AreEqual(HttpStatusCode.Created, response.StatusCode, await response.Content.ReadAsStringAsync());
        var refused = new[]
        {
            "Set-Cookie", "Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Location", "Refresh", "X-Frame-Options",
            "X-Accel-Redirect", "X-Sendfile", "X-LiteSpeed-Location", "Strict-Transport-Security", "X-Order-Id",
        };
        AssertNoneReached(response, refused);
        Assert.AreEqual("sandbox", Header(response, "Content-Security-Policy"));
        Assert.AreEqual("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.AreEqual("no-store", Header(response, "Cache-Control"));
        Assert.AreEqual("req-1", Header(response, "X-Request-Id"));
        Assert.AreEqual("text/html", response.Content.Headers.ContentType?.MediaType);

        // A custom header passes once the webhook names it; a proxy switch cannot be named at all.
        var allowed = await s_silo.Http.PostAsync($"/api/flows/{flowId}/webhook", HttpApiTests.Json("""{"allowReplyHeaders":["Location","X-Order-Id"]}"""));
        var rotated = (await allowed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        response = await s_hooks.SendAsync(Hook(HttpMethod.Post, $"/hooks/{flowId}", """{"name":"ada"}""", rotated));
        Assert.AreEqual("https://evil.example/", response.Headers.Location?.OriginalString);
        Assert.AreEqual("42", Header(response, "X-Order-Id"));
        AssertNoneReached(response, ["Set-Cookie", "X-Accel-Redirect", "X-Sendfile"]);
        foreach (var name in new[] { "X-Accel-Redirect", "x-sendfile", "X-Sendfile-Type", "Strict-Transport-Security", "Clear-Site-Data" })
        {
            var refusal = await s_silo.Http.PostAsync($"/api/flows/{flowId}/webhook", HttpApiTests.Json($$"""{"allowReplyHeaders":["{{name}}"]}"""));
            await Problems.AssertAsync(refusal, HttpStatusCode.BadRequest, $"'{name}', which only the server sets");
        }

        await s_silo.Http.PostAsync($"/api/flows/{flowId}/stop", null);
    }

    [TestMethod]
    public async Task ReplyHeaders_OverTheTotalSize_AreAnExecutionError()
    {
        // 15 headers of 2,000 bytes: each one within the per-value limit, together over what clients and proxies read (a
        // step's configuration, where this reply's headers come from, holds 64 KiB; WebhookReplyHeadersTests tries 50 x 4,000).
        var headers = Enumerable.Range(0, 15).ToDictionary(i => $"X-Part-{i}", _ => new string('a', 2000));

        var execution = await FailedReplyAsync(200, headers);

        StringAssert.Contains(execution.GetProperty("error").GetString(), $"at most {HttpReplyRules.MaxTotalBytes} are allowed", execution.ToString());
    }

    [TestMethod]
    [DataRow(101, null, null)]
    [DataRow(199, null, null)]
    [DataRow(600, null, null)]
    [DataRow(200, "X-Name", "caf\u00e9")]
    [DataRow(200, "X-Name", "a\u3000b")]
    [DataRow(200, "Bad Name", "x")]
    public async Task InvalidReplies_AreExecutionErrors_NotA500OrASilent200(int status, string? name, string? value)
    {
        var execution = await FailedReplyAsync(status, name is null ? [] : new Dictionary<string, string> { [name] = value! });

        StringAssert.Contains(execution.GetProperty("error").GetString(), "invalid HTTP response", execution.ToString());
    }

    [TestMethod]
    [DataRow("/console/")]
    [DataRow("/console/login")]
    [DataRow("/api/flows")]
    [DataRow("/api/overview")]
    [DataRow("/dashboard/")]
    [DataRow("/openapi/v1.json")]
    public async Task WebhookListener_ServesNothingButWebhooks(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Api-Key", SiloProcess.ApiKey); // even with the key

        await Problems.AssertAsync(await s_hooks.SendAsync(request), HttpStatusCode.NotFound, "webhooks only");
    }

    [TestMethod]
    public async Task AdminListener_DoesNotServeWebhooks()
    {
        var (flowId, secret) = await StartFlowWithWebhookAsync(s_silo.Http, "Ordinary", reply: false);

        using var admin = s_silo.NewHttpClient(withKey: false);
        await Problems.AssertAsync(await admin.SendAsync(Hook(HttpMethod.Post, $"/hooks/{flowId}", "{}", secret)), HttpStatusCode.NotFound, "own listener");
        Assert.AreEqual(HttpStatusCode.Accepted, (await s_hooks.SendAsync(Hook(HttpMethod.Post, $"/hooks/{flowId}", "{}", secret))).StatusCode);
    }

    [TestMethod]
    [DataRow("/\t/evil.example")]
    [DataRow("/\\evil.example")]
    [DataRow("\\\\evil.example")]
    [DataRow("/\\/evil.example")]
    [DataRow("//evil.example")]
    [DataRow("///evil.example")]
    [DataRow("https://evil.example/")]
    [DataRow("http:/evil.example")]
    [DataRow("/\n/evil.example")]
    [DataRow("/\r\n/evil.example")]
    [DataRow("/ /evil.example")]
    [DataRow("/\u3000/evil.example")]
    [DataRow("/\u3000evil")]
    [DataRow("/\u00e9v\u00efl")]
    [DataRow("/\uff0f\uff0fevil.example")]
    [DataRow("%2F%2Fevil.example")]
    [DataRow("%2f%5cevil.example")]
    [DataRow("/%2F%2Fevil.example")]
    [DataRow("/%09/evil.example")]
    [DataRow(" /console/")]
    [DataRow("")]
    public async Task ReturnUrl_StaysOnThisSite_WhateverTheTrick(string returnUrl)
    {
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = s_silo.BaseAddress };
        var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["apiKey"] = SiloProcess.ApiKey, ["returnUrl"] = returnUrl });

        var response = await browser.PostAsync("/console/login", form);

        Assert.AreEqual(HttpStatusCode.Redirect, response.StatusCode, await response.Content.ReadAsStringAsync());
        var location = response.Headers.Location!.OriginalString;
        Assert.IsTrue(location.All(c => c is > ' ' and < '\x7f' and not '\\'), $"'{location}' holds a character browsers rewrite");
        Assert.IsTrue(location.StartsWith('/') && !location.StartsWith("//", StringComparison.Ordinal), $"'{location}' is not a local path");
        Assert.AreEqual(s_silo.BaseAddress.Authority, new Uri(s_silo.BaseAddress, location).Authority, location);
    }

    [TestMethod]
    public async Task ReturnUrl_ThatIsALocalPath_IsKept()
    {
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = s_silo.BaseAddress };
        var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["apiKey"] = SiloProcess.ApiKey, ["returnUrl"] = "/console/flow?id=a%20b" });

        Assert.AreEqual("/console/flow?id=a%20b", (await browser.PostAsync("/console/login", form)).Headers.Location?.OriginalString);
    }

    [TestMethod]
    [DataRow("/dashboard/SiloCounters/%0AFORGED log line")]
    [DataRow("/dashboard/SiloStats/x%0D%0AFORGED log line")]
    [DataRow("/api/flows/%0AFORGED log line")]
    public async Task PathsWithLineBreaks_Are400_AndForgeNoLogLine(string path)
    {
        await Problems.AssertAsync(await s_silo.Http.GetAsync(path), HttpStatusCode.BadRequest, "control characters");
        await Problems.AssertAsync(await s_hooks.GetAsync("/hooks/x%0AFORGED"), HttpStatusCode.BadRequest, "control characters");

        Assert.IsFalse(s_silo.RecentOutput.Split('\n').Any(line => line.TrimStart().StartsWith("FORGED", StringComparison.Ordinal)), s_silo.RecentOutput);
    }

    [TestMethod]
    public async Task FanOutBomb_IsRefusedWhenSaved()
    {
        var (steps, edges) = FlowValidatorTests.Layered(layers: 14, width: 2);
        var draft = JsonSerializer.Serialize(new FlowDefinition("bomb", steps, edges), JsonSerializerOptions.Web);

        var problem = await Problems.AssertAsync(await s_silo.Http.PutAsync($"/api/flows/{SdkFlows.NewId("bomb")}/draft", HttpApiTests.Json(draft)), HttpStatusCode.BadRequest);

        StringAssert.Contains(problem.GetProperty("errors").GetProperty("edges")[0].GetString(), "step calls");
    }

    [TestMethod]
    public async Task RuntimeFanOut_OverTheExecutionsBudget_IsAnExecutionErrorNamingTheStep()
    {
        // split -> split passes validation (2 step calls per message); what the components emit decides the rest.
        await using var sdk = await SdkHost.StartAsync(s_silo);
        var definition = FlowDefinition.Chain("splits", new StepDefinition("outer", "echo", "split"), new StepDefinition("inner", "echo", "split"));
        var flowId = await SdkFlows.StartAsync(sdk.Client, definition, FlowMode.Realtime, "fanout");

        // 30 x 30: each of outer's 30 messages gets 33 or 34 of the 999 left after its call, enough for inner's 30 outputs.
        var fits = await sdk.Client.SendAndWaitAsync(flowId, Nested(30), TimeSpan.FromSeconds(60));
        Assert.IsFalse(fits.TimedOut || fits.Failed, fits.Event?.Error);
        var done = await FlowActorsClientTests.PollAsync(() => sdk.Client.GetExecutionAsync(flowId, fits.ExecutionId), e => e?.Events >= 900);
        Assert.AreEqual(900, done!.Events, $"{done.Status}: {done.Error}");

        // 40 x 40 would be 1 + 1,600 messages: each of outer's 40 messages gets 24 or 25 of the 999 left, and inner's
        // 40 outputs do not fit in that.
        var over = await sdk.Client.SendAndWaitAsync(flowId, Nested(40), TimeSpan.FromSeconds(60), until: e => e.Kind == FlowEventKind.Error);
        Assert.IsTrue(over.Failed, over.Event?.Kind.ToString());
        StringAssert.Contains(over.Event!.Error, "Step 'inner'");
        StringAssert.Contains(over.Event.Error, "MaxMessagesPerExecution");

        await sdk.Client.StopAsync(flowId);
    }

    [TestMethod]
    public async Task InvalidUtf8_Is400_OnTheApiAndOnWebhooks()
    {
        byte[] body = [.. """{"name":"""u8, 0x22, 0xC3, 0x28, 0x22, (byte)'}'];
        var (flowId, secret) = await StartFlowWithWebhookAsync(s_silo.Http, "Ordinary", reply: false);

        await Problems.AssertAsync(await s_silo.Http.PutAsync($"/api/flows/{SdkFlows.NewId("utf8")}/draft", Bytes(body)), HttpStatusCode.BadRequest, "offset 9");
        await Problems.AssertAsync(await s_silo.Http.PostAsync($"/api/flows/{flowId}/messages", Bytes(body)), HttpStatusCode.BadRequest, "not valid UTF-8");
        var hook = new HttpRequestMessage(HttpMethod.Post, $"/hooks/{flowId}") { Content = Bytes(body) };
        hook.Headers.Add(SecretHeader, secret);
        await Problems.AssertAsync(await s_hooks.SendAsync(hook), HttpStatusCode.BadRequest, "not valid UTF-8");
    }

    [TestMethod]
    public async Task ErrorBodies_QuoteOnlyAShortPrefixOfWhatWasSent()
    {
        var longId = new string('a', 400_000);
        var draft = $$"""{"name":"x","steps":[{"id":"{{longId}}","componentId":"c\n{{longId[..1000]}}","action":"echo"}],"edges":[{"from":"{{longId[..1000]}}","to":"b"}]}""";

        var response = await s_silo.Http.PutAsync($"/api/flows/{SdkFlows.NewId("long")}/draft", HttpApiTests.Json(draft));
        var text = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode, text[..Math.Min(text.Length, 500)]);
        Assert.IsLessThan(4096, text.Length, $"the answer is {text.Length} characters");

        var execution = await s_silo.Http.GetAsync($"/api/flows/{new string('f', 64)}/executions/{new string('e', 4000)}");
        Assert.IsLessThan(1024, (await execution.Content.ReadAsStringAsync()).Length);
    }

    [TestMethod]
    public async Task Deployment_WithNullFields_Is400_NamingTheField()
    {
        foreach (var (json, field) in new[]
                 {
                     ("""{"launch":{"command":"dotnet","arguments":null,"environment":{}},"descriptor":{"triggers":[],"actions":["a"]}}""", "launch.arguments"),
                     ("""{"launch":{"command":"dotnet","arguments":[null],"environment":{}},"descriptor":{"triggers":[],"actions":["a"]}}""", "launch.arguments[0]"),
                     ("""{"launch":{"command":"dotnet","arguments":[],"environment":null},"descriptor":{"triggers":[],"actions":["a"]}}""", "launch.environment"),
                     ("""{"launch":{"command":"dotnet","arguments":[],"environment":{"A":null}},"descriptor":{"triggers":[],"actions":["a"]}}""", "launch.environment.A"),
                     ("""{"launch":{"command":"dotnet","arguments":[],"environment":{}},"descriptor":{"triggers":null,"actions":["a"]}}""", "descriptor.triggers"),
                     ("""{"launch":{"command":"dotnet","arguments":[],"environment":{}},"descriptor":null}""", "descriptor"),
                 })
        {
            await Problems.AssertAsync(await s_silo.Http.PostAsync("/api/components/nulls/revisions", HttpApiTests.Json(json)), HttpStatusCode.BadRequest, $"'{field}'");
        }
    }

    [TestMethod]
    public async Task MessageBodies_AsDeepAsTheSiloLetsIn_PassThroughComponents_AndDeeperAre400()
    {
        await using var sdk = await SdkHost.StartAsync(s_silo);
        var flowId = await SdkFlows.StartAsync(sdk.Client, SdkFlows.Shout(), FlowMode.Realtime, "deep");

        var deepest = """{"name":"ada","deep":""" + new string('[', 63) + new string(']', 63) + "}";
        var reply = await s_silo.Http.PostAsync($"/api/flows/{flowId}/messages?wait=true&timeout=30", HttpApiTests.Json(deepest));
        var text = await reply.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.OK, reply.StatusCode, text);
        Assert.AreEqual("ADA", JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 128 }).RootElement.GetProperty("body").GetProperty("name").GetString());

        var deeper = """{"name":"ada","deep":""" + new string('[', 64) + new string(']', 64) + "}";
        await Problems.AssertAsync(await s_silo.Http.PostAsync($"/api/flows/{flowId}/messages", HttpApiTests.Json(deeper)), HttpStatusCode.BadRequest, "depth of 64");
        await sdk.Client.StopAsync(flowId);
    }

    /// <summary>
    /// Starts a flow whose step replies with <paramref name="status"/> and <paramref name="headers"/>, calls its webhook,
    /// expects 502, and returns the execution's record, failed at the replying step.
    /// </summary>
    private static async Task<JsonElement> FailedReplyAsync(int status, Dictionary<string, string> headers)
    {
        var (flowId, secret) = await StartReplyFlowAsync(status, headers);

        var response = await s_hooks.SendAsync(Hook(HttpMethod.Post, $"/hooks/{flowId}", """{"name":"ada"}""", secret));

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadGateway);
        var executionId = problem.GetProperty("executionId").GetString();
        var execution = await FlowActorsClientTests.PollAsync(
            async () =>
            {
                // The execution log hears of the error on the flow's event stream, a moment after the webhook does.
                using var answer = await s_silo.Http.GetAsync($"/api/flows/{flowId}/executions/{executionId}");
                return answer.IsSuccessStatusCode ? await answer.Content.ReadFromJsonAsync<JsonElement>() : default;
            },
            e => e.ValueKind == JsonValueKind.Object && e.GetProperty("status").GetString() == "Failed");
        Assert.AreEqual(JsonValueKind.Object, execution.ValueKind, "the execution was not recorded");
        Assert.AreEqual("reply", execution.GetProperty("failedStep").GetString(), execution.ToString());
        await s_silo.Http.PostAsync($"/api/flows/{flowId}/stop", null);
        return execution;
    }

    private static async Task<(string FlowId, string Secret)> StartReplyFlowAsync(int status, Dictionary<string, string> headers)
    {
        var configuration = JsonSerializer.Serialize(new { status, headers });
        var flowId = SdkFlows.NewId("reply");
        var definition = FlowDefinition.Chain("reply", new StepDefinition("reply", "echo", "reply", configuration));
        await SucceedsAsync(await s_silo.Http.PutAsJsonAsync($"/api/flows/{flowId}/draft", definition));
        await SucceedsAsync(await s_silo.Http.PostAsync($"/api/flows/{flowId}/publish", null));
        await SucceedsAsync(await s_silo.Http.PutAsync($"/api/flows/{flowId}/mode", HttpApiTests.Json("""{"mode":"Realtime"}""")));
        await SucceedsAsync(await s_silo.Http.PostAsync($"/api/flows/{flowId}/start", null));
        var running = await FlowActorsClientTests.PollAsync(
            () => s_silo.Http.GetFromJsonAsync<JsonElement>($"/api/flows/{flowId}"), f => f.GetProperty("lifecycle").GetString() == "Running");
        Assert.AreEqual("Running", running.GetProperty("lifecycle").GetString(), running.ToString());
        var created = await (await s_silo.Http.PostAsync($"/api/flows/{flowId}/webhook", null)).Content.ReadFromJsonAsync<JsonElement>();
        return (flowId, created.GetProperty("secret").GetString()!);
    }

    /// <summary>An array of <paramref name="n"/> arrays of <paramref name="n"/> numbers.</summary>
    private static string Nested(int n) => JsonSerializer.Serialize(Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, n)));

    private static async Task SucceedsAsync(HttpResponseMessage response) =>
        Assert.IsTrue(response.IsSuccessStatusCode, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");

    private static HttpRequestMessage With(HttpMethod method, string path, string body, string? timestamp, string signature)
    {
        var request = Hook(method, path, body, secret: null);
        if (timestamp is not null)
        {
            request.Headers.Add(TimestampHeader, timestamp);
        }

        request.Headers.Add(SignatureHeader, signature);
        return request;
    }

    private static async Task AssertUnauthorizedAsync(HttpResponseMessage response, string what)
    {
        Assert.AreEqual(HttpStatusCode.Unauthorized, response.StatusCode, $"{what}: {await response.Content.ReadAsStringAsync()}");
        await Problems.AssertUnauthorizedAsync(response);
    }

    /// <summary>
    /// The gateway turns the client away: every connection attempt fails (the client tries again and again, so it is
    /// enough to see two fail), and the client never starts.
    /// </summary>
    private static async Task AssertRefusedAsync(HostApplicationBuilder builder)
    {
        var refused = new RefusedConnections(wanted: 2);
        builder.Logging.AddProvider(refused);
        using var host = builder.Build();
        using var stop = new CancellationTokenSource();
        var start = host.StartAsync(stop.Token);

        await refused.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.IsFalse(start.IsCompletedSuccessfully, "the client connected");
        Console.WriteLine($"Refused: {string.Join("; ", refused.Reasons.Distinct())}");
        await stop.CancelAsync();
        await start.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary>The port refuses a TLS client presenting <paramref name="certificate"/> (or none).</summary>
    private static async Task AssertTlsRefusedAsync(int port, X509Certificate2? certificate)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, _, _, _) => true);
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "flowactors-silo",
                ClientCertificates = certificate is null ? null : [certificate],
            });

            // With TLS 1.3 the server judges the client's certificate after the handshake: its verdict is the next read.
            var read = await tls.ReadAsync(new byte[1]).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.AreEqual(0, read, $"port {port} talked to a client presenting {certificate?.Subject ?? "no certificate"}");
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            // refused during or right after the handshake
        }
    }

    private static ByteArrayContent Bytes(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        return content;
    }

    private static void AssertNoneReached(HttpResponseMessage response, IEnumerable<string> refused)
    {
        var names = HeaderNames(response);
        foreach (var name in refused)
        {
            Assert.IsFalse(names.Contains(name), $"{name} reached the caller: {string.Join(", ", names)}");
        }
    }

    private static HashSet<string> HeaderNames(HttpResponseMessage response) =>
        response.Headers.Concat(response.Content.Headers).Select(h => h.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.Concat(response.Content.Headers).Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase))
            .Select(h => string.Join(", ", h.Value)).SingleOrDefault();
}
