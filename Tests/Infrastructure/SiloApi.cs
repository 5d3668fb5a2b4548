using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using FlowActors.Client;
using FlowActors.TestSupport.Silos;

namespace FlowActors.Tests.Infrastructure;

/// <summary>What the tests ask a <see cref="SiloProcess"/> over its HTTP API, typed.</summary>
public static class SiloApi
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static async Task<FlowStatus> GetStatusAsync(this SiloProcess silo, string flowId) =>
        await silo.Http.GetFromJsonAsync<FlowStatus>($"/api/flows/{flowId}", Json)
        ?? throw new InvalidOperationException($"GET /api/flows/{flowId} answered null.");

    /// <summary>Waits (bounded) until the flow runs with every step holding a container; fails naming where it stood.</summary>
    public static async Task<FlowStatus> WaitRunningAsync(this SiloProcess silo, string flowId, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        FlowStatus? status = null;
        while (clock.Elapsed < timeout)
        {
            try
            {
                status = await silo.GetStatusAsync(flowId);
                if (status.Lifecycle == FlowLifecycle.Running && status.Steps.All(s => s.ContainerId is not null && s.Phase == StepPhase.Ready))
                {
                    return status;
                }

                Assert.AreNotEqual(FlowLifecycle.Failed, status.Lifecycle, status.Error);
            }
            catch (HttpRequestException)
            {
                // the flow does not exist yet (the seeder is still deploying)
            }

            await Task.Delay(100);
        }

        Assert.Fail($"Flow {flowId} was not running within {timeout}: {status}\n{silo.RecentOutput}");
        return null!;
    }

    /// <summary>The container each step holds, by step id.</summary>
    public static Dictionary<string, string?> Containers(this FlowStatus status) =>
        status.Steps.ToDictionary(s => s.StepId, s => s.ContainerId);

    /// <summary>Sends a body and waits for the flow's output; returns the reply's JSON.</summary>
    public static async Task<JsonElement> SendAndWaitAsync(this SiloProcess silo, string flowId, string body)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await silo.Http.PostAsync($"/api/flows/{flowId}/messages?wait=true", content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.IsTrue(response.IsSuccessStatusCode, $"POST /api/flows/{flowId}/messages answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }
}
