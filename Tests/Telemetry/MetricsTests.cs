using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FlowActors.Silo.Samples;
using FlowActors.TestSupport.Silos;
using FlowActors.Tests.Flows;
using FlowActors.Tests.Infrastructure;

namespace FlowActors.Tests.Telemetry;

/// <summary>
/// A known load through the real Silo process (N messages, K of which the <c>faulty</c> step fails on request) and
/// exactly those counts in its metrics: scraped from the Prometheus endpoint, and in the console's charts.
/// </summary>
[TestClass]
[TestCategory("Telemetry")]
public sealed class MetricsTests
{
    private const int Messages = 12;
    private const int Failures = 4; // every third message, starting with the first
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task KnownLoad_ShowsExactlyItsMessagesAndFailures_InPrometheusAndInTheConsoleCharts()
    {
        await using var silo = await SiloProcess.StartAsync("--FlowActors:Telemetry:Prometheus:Enabled=true");
        var http = silo.Http;
        (await http.PostAsJsonAsync("/api/components/echo/revisions", SampleDeployments.Echo())).EnsureSuccessStatusCode();
        (await http.PostAsJsonAsync("/api/components/faulty/revisions", SampleDeployments.Faulty())).EnsureSuccessStatusCode();
        const string flowId = "known-load";
        (await http.PutAsJsonAsync($"/api/flows/{flowId}/draft", SampleFlows.WithFaultyStep())).EnsureSuccessStatusCode();
        (await http.PostAsync($"/api/flows/{flowId}/publish", null)).EnsureSuccessStatusCode();
        (await http.PutAsJsonAsync($"/api/flows/{flowId}/mode", new { mode = "Realtime" })).EnsureSuccessStatusCode();
        (await http.PostAsync($"/api/flows/{flowId}/start", null)).EnsureSuccessStatusCode();
        await WaitUntilAsync(async () => (await http.GetFromJsonAsync<JsonElement>($"/api/flows/{flowId}")).GetProperty("lifecycle").GetString() == "Running",
            "the flow runs", silo);

        for (var i = 0; i < Messages; i++)
        {
            var fails = i % 3 == 0;
            var response = await http.PostAsync($"/api/flows/{flowId}/messages?wait=true",
                JsonContent.Create(fails ? (object)new { fail = "error", n = i } : new { n = i }));
            Assert.AreEqual(fails ? HttpStatusCode.UnprocessableEntity : HttpStatusCode.OK, response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        // Webhook responses are counted by status: a refused secret on the flow's webhook, and a webhook that does not exist.
        (await http.PostAsync($"/api/flows/{flowId}/webhook", null)).EnsureSuccessStatusCode();
        using var caller = silo.NewWebhookClient();
        using (var refused = new HttpRequestMessage(HttpMethod.Post, $"/hooks/{flowId}") { Content = JsonContent.Create(new { n = 0 }) })
        {
            refused.Headers.Add("X-Webhook-Secret", "not-the-secret");
            Assert.AreEqual(HttpStatusCode.Unauthorized, (await caller.SendAsync(refused)).StatusCode);
        }

        Assert.AreEqual(HttpStatusCode.NotFound, (await caller.PostAsync("/hooks/no-such-flow", JsonContent.Create(new { n = 0 }))).StatusCode);

        // The counts land a moment after the replies (the flow's events are counted as they are folded): wait for them,
        // then require exactly the load, no more.
        var flow = ("flowactors_flow_id", flowId);
        PrometheusText metrics = null!;
        var expected = new (string Name, (string, string)[] Labels, int Value)[]
        {
            ("flowactors_flow_messages_received_total", [flow], Messages),
            ("flowactors_execution_duration_seconds_count", [flow, ("flowactors_outcome", "output")], Messages - Failures),
            ("flowactors_execution_duration_seconds_count", [flow, ("flowactors_outcome", "error")], Failures),
            ("flowactors_step_messages_received_total", [flow, Step("before")], Messages),
            ("flowactors_step_messages_sent_total", [flow, Step("before")], Messages),
            ("flowactors_step_messages_failed_total", [flow, Step("before")], 0),
            ("flowactors_step_messages_received_total", [flow, Step("check")], Messages),
            ("flowactors_step_messages_sent_total", [flow, Step("check")], Messages - Failures),
            ("flowactors_step_messages_failed_total", [flow, Step("check")], Failures),
            ("flowactors_step_messages_received_total", [flow, Step("after")], Messages - Failures),
            ("flowactors_step_messages_sent_total", [flow, Step("after")], Messages - Failures),
            ("flowactors_step_duration_seconds_count", [flow, Step("check")], Messages),
            ("flowactors_container_starts_total", [("flowactors_outcome", "succeeded")], 3),
            ("flowactors_flow_warmup_duration_seconds_count", [flow, ("flowactors_outcome", "succeeded")], 1),
            ("flowactors_webhook_responses_total", [("http_response_status_code", "401")], 1),
            ("flowactors_webhook_responses_total", [("http_response_status_code", "404")], 1),
        };
        await WaitUntilAsync(async () =>
        {
            metrics = new PrometheusText(await http.GetStringAsync("/metrics"));
            return expected.All(e => metrics.Sum(e.Name, e.Labels) >= e.Value);
        }, "the load's counts in the metrics", silo);
        foreach (var (name, labels, value) in expected)
        {
            Assert.AreEqual(value, metrics.Sum(name, labels), $"{name}{{{string.Join(",", labels)}}}");
        }

        // The console's charts read the same instruments.
        var charts = await http.GetFromJsonAsync<JsonElement>($"/api/overview/flows/{flowId}/charts");
        Assert.IsTrue(charts.GetProperty("enabled").GetBoolean());
        Assert.AreEqual(Messages, charts.GetProperty("flow").GetProperty("count").GetInt64());
        Assert.AreEqual(Failures, charts.GetProperty("flow").GetProperty("errors").GetInt64());
        var steps = charts.GetProperty("steps").EnumerateArray().ToDictionary(s => s.GetProperty("stepId").GetString()!);
        Assert.AreEqual(Messages, steps["check"].GetProperty("count").GetInt64());
        Assert.AreEqual(Failures, steps["check"].GetProperty("errors").GetInt64());
        Assert.AreEqual(Messages - Failures, steps["after"].GetProperty("count").GetInt64());
        Assert.IsTrue(steps["check"].GetProperty("p50Ms").GetDouble() > 0, "the step's latency is charted");
        var sparkline = (await http.GetFromJsonAsync<JsonElement>("/api/overview/charts")).GetProperty("flows").GetProperty(flowId);
        Assert.AreEqual(Messages, sparkline.EnumerateArray().Sum(c => c.GetInt64()));

        // The scrape endpoint is not anonymous.
        using var anonymous = silo.NewHttpClient(withKey: false);
        Assert.AreEqual(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/metrics")).StatusCode);
        anonymous.DefaultRequestHeaders.Authorization = new("Bearer", SiloProcess.ApiKey);
        Assert.AreEqual(HttpStatusCode.OK, (await anonymous.GetAsync("/metrics")).StatusCode, "Prometheus presents the key as a bearer token");
    }

    private static (string, string) Step(string stepId) => ("flowactors_step_id", stepId);

    private async Task WaitUntilAsync(Func<Task<bool>> condition, string what, SiloProcess silo)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > Wait)
            {
                TestContext.WriteLine(silo.RecentOutput);
                Assert.Fail($"Waited {Wait.TotalSeconds:0} s for {what}.");
            }

            await Task.Delay(100);
        }
    }
}
