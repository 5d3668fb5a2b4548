using System.Text.Json;
using FlowActors.Client;
using FlowActors.Silo.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace FlowActors.Tests.Api;

/// <summary>
/// While the cluster settles after a silo's death, a call that needed the dead silo fails in Orleans
/// (<see cref="SiloUnavailableException"/>, or a refused connection). A caller must be able to tell that apart from a
/// fault: the SDK throws the retryable <see cref="ClusterUnavailableException"/>, the HTTP API answers 503 with
/// Retry-After, never 500. (The failover itself: ClusterFailoverTests.)
/// </summary>
[TestClass]
public sealed class ClusterSettlingTests
{
    public static IEnumerable<object[]> Settling() =>
    [
        [new SiloUnavailableException("The target silo became unavailable for message: Request [...]")],
        [new Orleans.Runtime.Messaging.ConnectionFailedException("Unable to connect to endpoint S127.0.0.1:11111:1")],
        [ClusterUnavailableException.From(new SiloUnavailableException())],
        [new InvalidOperationException("wrapped", new SiloUnavailableException())],
    ];

    [TestMethod]
    [DynamicData(nameof(Settling))]
    public async Task CallThatMetADeadSilo_Is503WithRetryAfter_Not500(Exception exception)
    {
        var (status, retryAfter, problem) = await HandleAsync(exception);

        Assert.AreEqual(StatusCodes.Status503ServiceUnavailable, status, problem);
        Assert.AreEqual("1", retryAfter);
        StringAssert.Contains(JsonDocument.Parse(problem).RootElement.GetProperty("detail").GetString(), "Send the request again after Retry-After");
    }

    [TestMethod]
    public async Task AnyOtherFault_Is500WithoutDetail()
    {
        var (status, retryAfter, problem) = await HandleAsync(new InvalidOperationException("a fault"));

        Assert.AreEqual(StatusCodes.Status500InternalServerError, status, problem);
        Assert.AreEqual("", retryAfter);
        Assert.IsFalse(JsonDocument.Parse(problem).RootElement.TryGetProperty("detail", out _), problem);
    }

    [TestMethod]
    public void SdkCallThatMetADeadSilo_IsRetryable()
    {
        Assert.IsTrue(ClusterUnavailableException.IsSettling(new SiloUnavailableException()));
        Assert.IsTrue(ClusterUnavailableException.IsSettling(new GatewayTooBusyException()));
        Assert.IsFalse(ClusterUnavailableException.IsSettling(new TimeoutException()));
        Assert.IsFalse(ClusterUnavailableException.IsSettling(new OrleansException("a fault")));
        Assert.AreEqual(TimeSpan.FromSeconds(1), ClusterUnavailableException.From(new SiloUnavailableException()).RetryAfter);
    }

    private static async Task<(int Status, string RetryAfter, string Problem)> HandleAsync(Exception exception)
    {
        var services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Method = "POST";
        context.Request.Path = "/api/flows/orders/messages";
        context.Response.Body = new MemoryStream();
        var handler = new ApiExceptionHandler(services.GetRequiredService<IProblemDetailsService>(), NullLogger<ApiExceptionHandler>.Instance);

        Assert.IsTrue(await handler.TryHandleAsync(context, exception, CancellationToken.None));
        context.Response.Body.Position = 0;
        return (context.Response.StatusCode, context.Response.Headers.RetryAfter.ToString(), await new StreamReader(context.Response.Body).ReadToEndAsync());
    }
}
