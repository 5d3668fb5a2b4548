using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FlowActors.Client;
using FlowActors.Silo.Samples;
using FlowActors.TestSupport.Clients;
using FlowActors.TestSupport.Silos;
using FlowActors.Tests.Api;
using FlowActors.Tests.Client;
using static FlowActors.Tests.Api.HttpApiTests;
using static FlowActors.Tests.Api.WebhookTests;

namespace FlowActors.Tests.Delivery;

/// <summary>
/// Dead letters, back-pressure and counters against the real Silo process with real component processes: what a
/// component gives up on is kept and replayed after a fix, a storm beyond a flow's backlog is refused with 429 and
/// Retry-After and never loses what it accepted, and the counters add up.
/// </summary>
[TestClass]
public sealed class DeliveryTests
{
    private const int Backlog = 20;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);
    private static SiloProcess s_silo = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _)
    {
        s_silo = await SiloProcess.StartAsync([$"--FlowActors:Flows:MaxInFlight={Backlog}", .. SiloProcess.NoRateLimits]);
        await DeployAsync(s_silo.Http);
        (await s_silo.Http.PostAsJsonAsync("/api/components/delay/revisions", SampleDeployments.Delay())).EnsureSuccessStatusCode();
    }

    [ClassCleanup]
    public static async Task StopAsync() => await s_silo.DisposeAsync();

    [TestMethod]
    [Timeout(180_000, CooperativeCancellation = true)]
    public async Task PermanentFailure_IsDeadLettered_ThenReplayedAfterAFixedRevision_AndCompletes()
    {
        var http = s_silo.Http;
        var component = SdkFlows.NewId("faulty");
        (await http.PostAsJsonAsync($"/api/components/{component}/revisions", SampleDeployments.Faulty())).EnsureSuccessStatusCode();
        var flowId = await StartFlowAsync(http, "Realtime", FlowDefinition.Chain(
            "fails until fixed",
            new StepDefinition("shout", "transform", "uppercase", """{"field":"name"}"""),
            new StepDefinition("check", component, "maybeFail")));
        await using var sdk = await SdkHost.StartAsync(s_silo);
        using var follow = new CancellationTokenSource(Wait);
        await using var events = (await sdk.Client.FollowSubscribedAsync(flowId, follow.Token)).GetAsyncEnumerator(follow.Token);

        var sent = await http.PostAsync($"/api/flows/{flowId}/messages", Json("""{"name":"ada","fail":"untilFixed"}"""));
        Assert.AreEqual(HttpStatusCode.Accepted, sent.StatusCode, await sent.Content.ReadAsStringAsync());
        var executionId = (await sent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("executionId").GetString()!;
        var failure = await NextOfAsync(events, executionId);
        Assert.AreEqual(FlowEventKind.Error, failure.Kind);

        // Stored before the error event went out: the list has it at once, with all an operator needs.
        var page = await http.GetFromJsonAsync<JsonElement>($"/api/flows/{flowId}/dead-letters?limit=10");
        Assert.AreEqual(1, page.GetProperty("total").GetInt32(), page.ToString());
        var listed = page.GetProperty("items")[0];
        var id = listed.GetProperty("id").GetString()!;
        var letter = await http.GetFromJsonAsync<JsonElement>($"/api/flows/{flowId}/dead-letters/{id}");
        Assert.AreEqual("check", letter.GetProperty("stepId").GetString());
        StringAssert.Contains(letter.GetProperty("error").GetString(), "until a revision tagged 'fixed'");
        Assert.AreEqual(1, letter.GetProperty("attempts").GetArrayLength());
        var message = letter.GetProperty("message");
        Assert.AreEqual(executionId, message.GetProperty("executionId").GetString());
        Assert.AreEqual("ADA", JsonDocument.Parse(message.GetProperty("body").GetString()!).RootElement.GetProperty("name").GetString(),
            "the body as the failing step received it");

        // The fix: a new revision. The running real-time flow still runs revision 1, so a replay pinned to 2 is refused.
        (await http.PostAsJsonAsync($"/api/components/{component}/revisions", SampleDeployments.Faulty(tag: "fixed"))).EnsureSuccessStatusCode();
        await Problems.AssertAsync(await http.PostAsync($"/api/flows/{flowId}/dead-letters/{id}/replay?revision=2", null),
            HttpStatusCode.Conflict, "runs revision 1");
        (await http.PostAsync($"/api/flows/{flowId}/stop", null)).EnsureSuccessStatusCode();
        (await http.PostAsync($"/api/flows/{flowId}/start", null)).EnsureSuccessStatusCode();
        await sdk.Client.WaitUntilRunningAsync(flowId, Wait);

        var replay = await http.PostAsync($"/api/flows/{flowId}/dead-letters/{id}/replay?revision=2", null);
        Assert.AreEqual(HttpStatusCode.Accepted, replay.StatusCode, await replay.Content.ReadAsStringAsync());
        var output = await NextOfAsync(events, executionId);
        Assert.AreEqual(FlowEventKind.Output, output.Kind, output.Error);
        Assert.AreEqual("fixed", JsonDocument.Parse(output.Message!.Body).RootElement.GetProperty("tag").GetString());

        Assert.AreEqual(HttpStatusCode.NotFound, (await http.GetAsync($"/api/flows/{flowId}/dead-letters/{id}")).StatusCode, "a replayed dead letter is gone");
        var counters = await CountersAsync(flowId, c => c.GetProperty("inFlight").GetInt32() == 0 && c.GetProperty("completed").GetInt64() == 1);
        Assert.AreEqual(1, counters.GetProperty("accepted").GetInt64(), counters.ToString());
        Assert.AreEqual(1, counters.GetProperty("failed").GetInt64(), counters.ToString());
        Assert.AreEqual(1, counters.GetProperty("deadLettered").GetInt64(), counters.ToString());
        Assert.AreEqual(1, counters.GetProperty("replayed").GetInt64(), counters.ToString());
        (await http.PostAsync($"/api/flows/{flowId}/stop", null)).EnsureSuccessStatusCode();
    }

    [TestMethod]
    [Timeout(240_000, CooperativeCancellation = true)]
    public async Task WebhookStorm_BeyondTheBacklog_Gets429WithRetryAfter_AndSendersThatRetryGetEveryMessageThroughOnce()
    {
        var http = s_silo.Http;
        using var hooks = s_silo.NewWebhookClient();
        var flowId = await StartFlowAsync(http, "Ordinary", FlowDefinition.Chain(
            "slow", new StepDefinition("wait", "delay", "delay", """{"ms":50}"""), new StepDefinition("answer", "echo", "echo")));
        var secret = (await (await http.PostAsync($"/api/flows/{flowId}/webhook", null)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        await using var sdk = await SdkHost.StartAsync(s_silo);
        using var follow = new CancellationTokenSource(Wait * 2);
        var events = await sdk.Client.FollowSubscribedAsync(flowId, follow.Token);

        // Every sender keeps at it as a well-behaved client does: on 429 it waits Retry-After and sends again.
        // Five times the backlog, 32 at a time: most senders meet a full backlog at least once.
        const int Storm = 100;
        var accepted = new ConcurrentBag<string>();
        var retryAfters = new ConcurrentBag<int>();
        await Parallel.ForEachAsync(Enumerable.Range(0, Storm), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
        {
            while (true)
            {
                using var response = await hooks.SendAsync(Hook(HttpMethod.Post, $"/hooks/{flowId}", $$"""{"n":{{i}}}""", secret), ct);
                var text = await response.Content.ReadAsStringAsync(ct);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    accepted.Add(JsonDocument.Parse(text).RootElement.GetProperty("executionId").GetString()!);
                    return;
                }

                Assert.AreEqual(HttpStatusCode.TooManyRequests, response.StatusCode, text);
                StringAssert.Contains(text, "FlowActors:Flows:MaxInFlight");
                var retryAfter = response.Headers.RetryAfter!.Delta!.Value;
                retryAfters.Add((int)retryAfter.TotalSeconds);
                await Task.Delay(retryAfter, ct);
            }
        });

        Console.WriteLine($"storm of {Storm}: all accepted after {retryAfters.Count} refusals with 429 (Retry-After {retryAfters.Min()}..{retryAfters.Max()} s)");
        Assert.AreEqual(Storm, accepted.Count);
        Assert.AreEqual(Storm, accepted.Distinct().Count());
        Assert.IsGreaterThan(0, retryAfters.Count, "a storm of 100 at 32 at a time overflows a backlog of 20");
        Assert.IsTrue(retryAfters.All(s => s is >= 1 and <= 30), string.Join(",", retryAfters));

        // Every accepted message completes, exactly once as far as the flow's outputs tell.
        var expected = accepted.ToHashSet();
        var outputs = new Dictionary<string, int>();
        await foreach (var e in events)
        {
            Assert.AreEqual(FlowEventKind.Output, e.Kind, e.Error);
            outputs[e.ExecutionId] = outputs.GetValueOrDefault(e.ExecutionId) + 1;
            if (expected.IsSubsetOf(outputs.Keys))
            {
                break;
            }
        }

        Assert.IsTrue(expected.IsSubsetOf(outputs.Keys), $"{expected.Except(outputs.Keys).Count()} accepted messages never completed");
        Console.WriteLine($"sent {Storm}, completed {outputs.Count}, duplicated {outputs.Values.Count(n => n > 1)}, lost {expected.Except(outputs.Keys).Count()}");
        var counters = await CountersAsync(flowId, c => c.GetProperty("inFlight").GetInt32() == 0);
        Console.WriteLine($"counters: {counters}");
        Assert.AreEqual(accepted.Count, counters.GetProperty("accepted").GetInt64(), counters.ToString());
        Assert.AreEqual(accepted.Count, counters.GetProperty("completed").GetInt64(), counters.ToString());
        Assert.AreEqual(retryAfters.Count, counters.GetProperty("rejected").GetInt64(), counters.ToString());
        Assert.AreEqual(0, counters.GetProperty("failed").GetInt64(), counters.ToString());

        // Drained: the flow takes messages again.
        using var after = await hooks.SendAsync(Hook(HttpMethod.Post, $"/hooks/{flowId}", """{"n":"after"}""", secret));
        Assert.AreEqual(HttpStatusCode.Accepted, after.StatusCode, await after.Content.ReadAsStringAsync());
        (await http.PostAsync($"/api/flows/{flowId}/stop", null)).EnsureSuccessStatusCode();
    }

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task Sdk_SendingBeyondTheBacklog_ThrowsFlowBusyException_WithRetryAfter()
    {
        await using var sdk = await SdkHost.StartAsync(s_silo);
        var flowId = await SdkFlows.StartAsync(sdk.Client, FlowDefinition.Chain(
            "slower", new StepDefinition("wait", "delay", "delay", """{"ms":300}""")), FlowMode.Ordinary);
        for (var i = 0; i < Backlog; i++)
        {
            await sdk.Client.SendAsync(flowId, $$"""{"n":{{i}}}""");
        }

        var busy = await Assert.ThrowsExactlyAsync<FlowBusyException>(() => sdk.Client.SendAsync(flowId, """{"n":"one too many"}"""));
        Assert.IsFalse(busy.WarmingUp);
        Assert.IsGreaterThanOrEqualTo(TimeSpan.FromSeconds(1), busy.RetryAfter);
        StringAssert.Contains(busy.Message, $"{Backlog} executions in flight");
        await sdk.Client.StopAsync(flowId);
    }

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task RealtimeFlow_WarmingUpPastItsBacklog_Answers503WithRetryAfter_ThenServesWhatItAccepted()
    {
        var http = s_silo.Http;
        var slow = SdkFlows.NewId("slow-echo");
        (await http.PostAsJsonAsync($"/api/components/{slow}/revisions", SampleDeployments.Echo(warmUp: TimeSpan.FromSeconds(8)))).EnsureSuccessStatusCode();
        var flowId = await StartFlowAsync(http, "Realtime", FlowDefinition.Chain("warming", new StepDefinition("answer", slow, "echo")));

        for (var i = 0; i < Backlog; i++)
        {
            var sent = await http.PostAsync($"/api/flows/{flowId}/messages", Json($$"""{"n":{{i}}}"""));
            Assert.AreEqual(HttpStatusCode.Accepted, sent.StatusCode, await sent.Content.ReadAsStringAsync());
        }

        using var refused = await http.PostAsync($"/api/flows/{flowId}/messages", Json("""{"n":"one too many"}"""));
        await Problems.AssertAsync(refused, HttpStatusCode.ServiceUnavailable, "still warming up");
        Assert.IsGreaterThanOrEqualTo(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta ?? TimeSpan.Zero);

        var counters = await CountersAsync(flowId, c => c.GetProperty("completed").GetInt64() == Backlog);
        Assert.AreEqual((long)Backlog, counters.GetProperty("accepted").GetInt64(), counters.ToString());
        Assert.AreEqual(0, counters.GetProperty("inFlight").GetInt32(), counters.ToString());
        Assert.AreEqual(1, counters.GetProperty("rejected").GetInt64(), counters.ToString());
        (await http.PostAsync($"/api/flows/{flowId}/stop", null)).EnsureSuccessStatusCode();
    }

    private static async Task<string> StartFlowAsync(HttpClient http, string mode, FlowDefinition definition)
    {
        var flowId = SdkFlows.NewId("dl");
        (await http.PutAsJsonAsync($"/api/flows/{flowId}/draft", definition)).EnsureSuccessStatusCode();
        (await http.PostAsync($"/api/flows/{flowId}/publish", null)).EnsureSuccessStatusCode();
        (await http.PutAsync($"/api/flows/{flowId}/mode", Json($$"""{"mode":"{{mode}}"}"""))).EnsureSuccessStatusCode();
        (await http.PostAsync($"/api/flows/{flowId}/start", null)).EnsureSuccessStatusCode();
        return flowId;
    }

    private static async Task<FlowEvent> NextOfAsync(IAsyncEnumerator<FlowEvent> events, string executionId)
    {
        while (await events.MoveNextAsync())
        {
            if (events.Current.ExecutionId == executionId)
            {
                return events.Current;
            }
        }

        throw new AssertFailedException($"The flow's events ended before execution {executionId} had one.");
    }

    private static Task<JsonElement> CountersAsync(string flowId, Func<JsonElement, bool> done) =>
        FlowActorsClientTests.PollAsync(() => s_silo.Http.GetFromJsonAsync<JsonElement>($"/api/flows/{flowId}/counters"), done);
}
