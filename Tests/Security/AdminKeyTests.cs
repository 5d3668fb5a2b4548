using System.Net;
using System.Net.Sockets;
using FlowActors.TestSupport.Silos;
using FlowActors.Tests.Api;

namespace FlowActors.Tests.Security;

/// <summary>
/// The admin key against the real Silo process: key material too weak to be a key stops the silo at start, wherever it
/// comes from, and wrong keys are throttled per client address.
/// </summary>
[TestClass]
[TestCategory("Security")]
public sealed class AdminKeyTests
{
    [TestMethod]
    [DataRow("\n", "is 0 characters long")]
    [DataRow("   \t \n\n", "is 0 characters long")]
    [DataRow("short-key\n", "is 9 characters long")]
    [DataRow("                 padded-to-twenty     \n", "is 16 characters long")]
    public async Task KeyFile_ThatIsWhitespaceOrShort_StopsTheSilo_NamingTheSetting(string content, string says)
    {
        var folder = Directory.CreateTempSubdirectory("flowactors-key-").FullName;
        try
        {
            var keyFile = Path.Combine(folder, "api-key");
            await File.WriteAllTextAsync(keyFile, content);

            // The shipped settings, no configured key: the silo reads the file. Sixteen characters pass only with a lower minimum.
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                SiloProcess.StartWithDefaultsAsync($"--FlowActors:Api:KeyFile={keyFile}", "--FlowActors:Api:MinKeyLength=20"));

            StringAssert.Contains(refused.Message, "FlowActors:Api:KeyFile");
            StringAssert.Contains(refused.Message, says);
            StringAssert.Contains(refused.Message, "at least 20 are required");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    [DataRow("                    ")]
    [DataRow(" fifteen-chars-x ")]
    public async Task ConfiguredKey_ThatIsWhitespaceOrShortAfterTrimming_StopsTheSilo_NamingTheSetting(string key)
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => SiloProcess.StartWithDefaultsAsync($"--FlowActors:Api:Key={key}"));

        StringAssert.Contains(refused.Message, "FlowActors:Api:Key ");
        StringAssert.Contains(refused.Message, "after trimming whitespace; at least 16 are required");
    }

    [TestMethod]
    public async Task WrongKeys_AreThrottledPerClientAddress_With429AndRetryAfter()
    {
        // One token back a minute, so that none comes back while the test runs on a slow machine.
        await using var silo = await SiloProcess.StartAsync("--FlowActors:Api:WrongKeys:PerMinute=1");
        using var guesser = ClientFrom(silo, IPAddress.Parse("127.0.0.2"));
        using var other = ClientFrom(silo, IPAddress.Parse("127.0.0.3"));

        // The shipped burst is 20 wrong keys, whichever way they come.
        for (var i = 0; i < 10; i++)
        {
            await Problems.AssertUnauthorizedAsync(await guesser.SendAsync(WithKey("/api/flows", $"guess-{i:D2}-0123456789abcdef")));
            var login = await guesser.PostAsync("/console/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["apiKey"] = $"guess-{i:D2}" }));
            Assert.AreEqual(HttpStatusCode.Redirect, login.StatusCode);
            StringAssert.Contains(login.Headers.Location?.OriginalString, "failed=1");
        }

        // Now even the right key is refused from that address, so the answer tells a guesser nothing; other addresses are not.
        foreach (var request in new[] { WithKey("/api/flows", "one-more-guess-0123456789"), WithKey("/api/flows", SiloProcess.ApiKey), WithKey("/dashboard/", SiloProcess.ApiKey) })
        {
            var throttled = await guesser.SendAsync(request);
            await Problems.AssertAsync(throttled, HttpStatusCode.TooManyRequests, "FlowActors:Api:WrongKeys");
            Assert.IsTrue(throttled.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), throttled.Headers.RetryAfter?.ToString());
        }

        var loginThrottled = await guesser.PostAsync("/console/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["apiKey"] = SiloProcess.ApiKey }));
        await Problems.AssertAsync(loginThrottled, HttpStatusCode.TooManyRequests);
        Assert.AreEqual(HttpStatusCode.OK, (await other.SendAsync(WithKey("/api/flows", SiloProcess.ApiKey))).StatusCode);
    }

    /// <summary>A client whose connections come from <paramref name="local"/> (any address of 127.0.0.0/8 is this machine's).</summary>
    private static HttpClient ClientFrom(SiloProcess silo, IPAddress local)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(local, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = silo.BaseAddress };
    }

    private static HttpRequestMessage WithKey(string path, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Api-Key", key);
        return request;
    }
}
