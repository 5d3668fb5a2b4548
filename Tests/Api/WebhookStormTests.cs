using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using FlowActors.Client;
using FlowActors.TestSupport.Clients;
using FlowActors.TestSupport.Silos;
using FlowActors.Tests.Client;
using static FlowActors.Tests.Api.WebhookTests;

namespace FlowActors.Tests.Api;

/// <summary>A thousand bad webhook requests do not hurt the silo or the flows running on it.</summary>
[TestClass]
public sealed class WebhookStormTests
{
    private const int Limit = 4096;

    [TestMethod]
    [Timeout(180_000, CooperativeCancellation = true)]
    public async Task ThousandBadRequests_GetTheirStatuses_AndTheSiloStillServes_WithNothingLostFromRunningFlows()
    {
        // Rate limits lifted: this storm is about every other refusal (SecurityTests.RateLimits_* covers 429).
        await using var silo = await SiloProcess.StartAsync([$"--FlowActors:Api:MaxBodyBytes={Limit}", .. SiloProcess.NoRateLimits]);
        using var hooks = silo.NewWebhookClient();
        await DeployAsync(silo.Http);
        var (flowId, secret) = await StartFlowWithWebhookAsync(silo.Http, "Ordinary", reply: false);
        var (stoppedId, stoppedSecret) = await StartFlowWithWebhookAsync(silo.Http, "Ordinary", reply: false);
        await silo.Http.PostAsync($"/api/flows/{stoppedId}/stop", null);
        var (replyId, replySecret) = await StartFlowWithWebhookAsync(silo.Http, "Realtime", reply: true);

        // A flow that keeps working through the storm, fed through the SDK.
        await using var sdk = await SdkHost.StartAsync(silo);
        var running = await SdkFlows.StartAsync(sdk.Client, SdkFlows.Shout(), FlowMode.Realtime);
        using var follow = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        var events = sdk.Client.FollowAsync(running, follow.Token); // sends through this client wait for the subscription
        var sent = new ConcurrentBag<string>();
        var feeding = Task.Run(async () =>
        {
            for (var i = 0; i < 200; i++)
            {
                sent.Add(await sdk.Client.SendAsync(running, $$"""{"name":"n{{i}}"}"""));
                await Task.Delay(5);
            }
        });

        var kinds = BadRequests(flowId, secret, stoppedId, stoppedSecret);
        var outcomes = new ConcurrentDictionary<string, ConcurrentBag<HttpStatusCode>>();
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, 1000), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var (name, expected, make) = kinds[i % kinds.Length];
            using var response = await hooks.SendAsync(make(i), ct);
            Assert.AreEqual(expected, response.StatusCode, $"{name}: {await response.Content.ReadAsStringAsync(ct)}");
            Assert.AreEqual("application/problem+json", response.Content.Headers.ContentType?.MediaType, name);
            outcomes.GetOrAdd(name, _ => []).Add(response.StatusCode);
        });
        var stormTime = clock.Elapsed;
        await feeding;

        Assert.AreEqual(1000, outcomes.Values.Sum(v => v.Count));
        Assert.IsLessThan(TimeSpan.FromSeconds(120), stormTime);

        var valid = await hooks.SendAsync(Hook(HttpMethod.Post, $"/hooks/{flowId}", """{"name":"after"}""", secret));
        Assert.AreEqual(HttpStatusCode.Accepted, valid.StatusCode, await valid.Content.ReadAsStringAsync());
        var replied = await hooks.SendAsync(Hook(HttpMethod.Post, $"/hooks/{replyId}", """{"name":"after"}""", replySecret));
        Assert.AreEqual(HttpStatusCode.OK, replied.StatusCode, await replied.Content.ReadAsStringAsync());

        var expectedExecutions = sent.ToHashSet();
        var outputs = new HashSet<string>();
        await foreach (var e in events)
        {
            Assert.AreEqual(FlowEventKind.Output, e.Kind, e.Error);
            outputs.Add(e.ExecutionId);
            if (expectedExecutions.IsSubsetOf(outputs))
            {
                break;
            }
        }

        Assert.IsTrue(expectedExecutions.IsSubsetOf(outputs), $"{expectedExecutions.Except(outputs).Count()} of 200 messages got no output");
        Console.WriteLine($"1000 bad requests in {stormTime.TotalSeconds:0.0} s: " +
            string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value.Count}×{(int)o.Value.First()}")));
    }

    private static (string Name, HttpStatusCode Expected, Func<int, HttpRequestMessage> Make)[] BadRequests(
        string flowId, string secret, string stoppedId, string stoppedSecret) =>
    [
        ("declared-too-large", HttpStatusCode.RequestEntityTooLarge, _ => Hook(HttpMethod.Post, $"/hooks/{flowId}", Padded(Limit + 1), secret)),
        ("chunked-too-large", HttpStatusCode.RequestEntityTooLarge, i =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/hooks/{flowId}/x") { Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(Padded((Limit * (1 + (i % 3))) + 1)))) };
            request.Headers.TransferEncodingChunked = true;
            request.Headers.Add(SecretHeader, secret);
            return request;
        }),
        ("malformed-json", HttpStatusCode.BadRequest, i => Hook(HttpMethod.Post, $"/hooks/{flowId}", "{\"a\":" + new string('[', i % 50), secret)),
        ("not-utf8", HttpStatusCode.BadRequest, i =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/hooks/{flowId}") { Content = new ByteArrayContent([0xff, 0xfe, (byte)i, 0x00, 0xc3]) };
            request.Headers.Add(SecretHeader, secret);
            return request;
        }),
        ("missing-secret", HttpStatusCode.Unauthorized, _ => Hook(HttpMethod.Post, $"/hooks/{flowId}", "{}", secret: null)),
        ("wrong-secret", HttpStatusCode.Unauthorized, i => Hook(HttpMethod.Post, $"/hooks/{flowId}", "{}", secret[..^4] + i.ToString("x4"))),
        ("bad-signature", HttpStatusCode.Unauthorized, i =>
        {
            var request = Hook(HttpMethod.Post, $"/hooks/{flowId}", "{}", secret: null);
            request.Headers.Add(TimestampHeader, DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add(SignatureHeader, i % 2 == 0 ? "sha256=" + new string('0', 64) : "not-hex-" + i);
            return request;
        }),
        ("unknown-flow", HttpStatusCode.NotFound, i => Hook(HttpMethod.Post, $"/hooks/nope-{i}", "{}", secret)),
        ("invalid-flow-id", HttpStatusCode.NotFound, i => Hook(HttpMethod.Post, $"/hooks/{new string('z', 100 + i)}", "{}", secret)),
        ("stopped-flow", HttpStatusCode.Conflict, _ => Hook(HttpMethod.Post, $"/hooks/{stoppedId}", "{}", stoppedSecret)),
    ];

    private static string Padded(int length) => "{\"pad\":\"" + new string('x', Math.Max(0, length - 10)) + "\"}";
}
