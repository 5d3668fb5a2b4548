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

    /// <summary>401 with nothing that tells a caller what was wrong.</summary>
    public static async Task AssertUnauthorizedAsync(HttpResponseMessage response)
    {
        var problem = await AssertAsync(response, HttpStatusCode.Unauthorized);
        Assert.IsFalse(problem.TryGetProperty("detail", out _), problem.ToString());
        Assert.AreEqual("Unauthorized", problem.GetProperty("title").GetString());
    }
}
