using System.Diagnostics;
using System.Text.Json;
using FlowActors.ComponentProtocol;
using FlowActors.ComponentSdk;
using Microsoft.AspNetCore.Http;

namespace FlowActors.SampleComponents;

/// <summary>
/// <c>maybeFail</c>: misbehaves as the body's <c>fail</c> field says, so the platform's failure handling can
/// be tested: <c>crash</c> (exits without answering), <c>hang</c> (never answers), <c>garbage</c> (200 with
/// a body that is not JSON), <c>error</c> (an error emit), <c>untilFixed</c> (an error emit, unless this revision is
/// tagged <c>fixed</c>: a permanent failure a new revision repairs), <c>throw</c> (the handler throws); anything else
/// passes the body on.
/// </summary>
internal static class FaultyComponent
{
    public static void Configure(ComponentBuilder component) =>
        component.Action("maybeFail", async context =>
        {
            switch (FailMode(context.Body))
            {
                case "crash":
                    // SIGKILL to itself: no graceful shutdown, no answer, like an out-of-memory kill.
                    Process.GetCurrentProcess().Kill();
                    await Task.Delay(Timeout.Infinite, context.Aborted);
                    return [];
                case "hang":
                    await Task.Delay(Timeout.Infinite, context.Aborted);
                    return [];
                case "garbage":
                    context.HttpContext.Response.StatusCode = StatusCodes.Status200OK;
                    context.HttpContext.Response.ContentType = "text/html";
                    await context.HttpContext.Response.WriteAsync("<html>this is not a protocol reply</html>", context.Aborted);
                    return [];
                case "error":
                    return [Emit.Fail("The faulty component failed on purpose (fail: error).")];
                case "untilFixed" when Environment.GetEnvironmentVariable(Bodies.TagVariable) != "fixed":
                    return [Emit.Fail("The faulty component cannot handle this message until a revision tagged 'fixed' (fail: untilFixed).")];
                case "throw":
                    throw new InvalidOperationException("The faulty component threw on purpose (fail: throw).");
                default:
                    return [Emit.Data(Bodies.Rewrite(context.Body), context.Message.Headers)];
            }
        });

    private static string? FailMode(JsonElement body) =>
        body.ValueKind == JsonValueKind.Object
        && body.TryGetProperty("fail", out var fail)
        && fail.ValueKind == JsonValueKind.String
            ? fail.GetString()
            : null;
}
