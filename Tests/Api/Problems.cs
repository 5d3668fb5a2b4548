using System.Net;
using System.Text.Json;

namespace FlowActors.Tests.Api;

/// <summary>Asserts on the API's ProblemDetails answers.</summary>
internal static class Problems
{
    /// <summary>Asserts the status and a ProblemDetails body; returns the body.</summary>
    public static async Task<JsonElement> AssertAsync(HttpResponseMessage response, HttpStatusCode status, string? detailContains = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(status, response.StatusCode, text);
        Assert.AreEqual("application/problem+json", response.Content.Headers.ContentType?.MediaType, text);
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.AreEqual((int)status, problem.GetProperty("status").GetInt32(), text);
        Assert.IsFalse(string.IsNullOrEmpty(problem.GetProperty("title").GetString()), text);
        if (detailContains is not null)
        {
            StringAssert.Contains(problem.GetProperty("detail").GetString(), detailContains, text);
        }

        return problem;
    }

    /// <summary>
    /// 401 whose detail says what the endpoint expects (the admin key or a session; a webhook's signature or secret) and
    /// nothing about what was wrong with what was sent.
    /// </summary>
    public static async Task AssertUnauthorizedAsync(HttpResponseMessage response)
    {
        var problem = await AssertAsync(response, HttpStatusCode.Unauthorized);
        Assert.AreEqual("Unauthorized", problem.GetProperty("title").GetString());
        var detail = problem.GetProperty("detail").GetString() ?? "";
        Assert.IsTrue(detail.Contains("X-Api-Key", StringComparison.Ordinal) || detail.Contains("X-Webhook-Signature", StringComparison.Ordinal), detail);
        foreach (var telling in new[] { "wrong", "expired", "replayed", "missing", "invalid" })
        {
            Assert.IsFalse(detail.Contains(telling, StringComparison.OrdinalIgnoreCase), $"the detail tells why: {detail}");
        }
    }
}
