using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FlowActors.Client;
using FlowActors.Client.Events;
using FlowActors.Grains.Interfaces.Credentials;
using FlowActors.Tests.Infrastructure;

namespace FlowActors.Tests.Credentials;

/// <summary>
/// What a credential must do for a component that needs one (the sample <c>signer</c>), whatever runs the component:
/// the component signs with the key it was handed, a rotation reaches the next message of a running flow, a wrong key is
/// refused by the "API". Shared by the local-process and Docker test classes.
/// </summary>
internal static class CredentialScenarios
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    public static ICredentialRegistryGrain Registry(FlowCluster cluster) => cluster.Client.GetGrain<ICredentialRegistryGrain>(CredentialRegistry.Key);

    public static Task<CredentialInfo> SetKeyAsync(FlowCluster cluster, string credentialId, string key) =>
        Registry(cluster).SetAsync(credentialId, new CredentialValues(new Dictionary<string, string?> { ["apiKey"] = key }), replace: true);

    /// <summary>A one-step flow whose step signs with <paramref name="credentialId"/> (and accepts only <paramref name="acceptedKey"/> when given).</summary>
    public static FlowDefinition Signing(string credentialId, string? acceptedKey = null) => FlowDefinition.Chain(
        "signing",
        new StepDefinition("sign", "signer", "sign",
            acceptedKey is null ? null : $$"""{"keySha256":"{{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(acceptedKey)))}}"}""",
            Credential: credentialId));

    /// <summary>What the signer's output says for <paramref name="body"/> when it was handed <paramref name="key"/>.</summary>
    public static string SignatureOf(string key, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(body)));

    public static async Task<FlowEvent> SendAsync(FlowCluster cluster, FlowEventSubscription events, string flowId, string body)
    {
        var execution = await cluster.Flow(flowId).SendAsync(FlowMessage.Create(body));
        return (await events.WaitForAsync(1, e => e.ExecutionId == execution, Wait)).Single();
    }

    /// <summary>
    /// Two messages to a running flow around a rotation: the first signed with the old key, the very next with the new
    /// one (no restart, no wait: the rotation returned before the second message was sent).
    /// </summary>
    public static async Task RotationReachesTheNextMessageAsync(FlowCluster cluster, FlowMode mode)
    {
        var credentialId = $"c{Guid.NewGuid():N}"[..16];
        await SetKeyAsync(cluster, credentialId, "key-one-0123456789");
        var flowId = await cluster.CreateFlowAsync(Signing(credentialId), mode);
        await using var events = await cluster.SubscribeAsync(flowId);
        await cluster.Flow(flowId).StartAsync();
        await cluster.WaitForLifecycleAsync(flowId, FlowLifecycle.Running, Wait);
        try
        {
            const string first = """{"n":1}""", second = """{"n":2}""";
            var before = await SendAsync(cluster, events, flowId, first);
            AssertSigned(before, "key-one-0123456789", first, revision: 1);

            var rotated = await SetKeyAsync(cluster, credentialId, "key-two-9876543210");
            Assert.AreEqual(2, rotated.Revision);
            var after = await SendAsync(cluster, events, flowId, second);
            AssertSigned(after, "key-two-9876543210", second, revision: 2);
        }
        finally
        {
            await cluster.Flow(flowId).StopAsync();
        }
    }

    /// <summary>A key the "API" does not accept fails the execution at the step, naming it; the right one passes.</summary>
    public static async Task WrongKeyIsRefused_RightKeyPassesAsync(FlowCluster cluster, FlowMode mode)
    {
        var credentialId = $"c{Guid.NewGuid():N}"[..16];
        await SetKeyAsync(cluster, credentialId, "not-the-accepted-key");
        var flowId = await cluster.CreateFlowAsync(Signing(credentialId, acceptedKey: "the-accepted-key-42"), mode);
        await using var events = await cluster.SubscribeAsync(flowId);
        await cluster.Flow(flowId).StartAsync();
        await cluster.WaitForLifecycleAsync(flowId, FlowLifecycle.Running, Wait);
        try
        {
            var refused = await SendAsync(cluster, events, flowId, """{"n":1}""");
            Assert.AreEqual(FlowEventKind.Error, refused.Kind);
            StringAssert.Contains(refused.Error, "401 Unauthorized");
            StringAssert.Contains(refused.Error, "'sign'");
            Assert.IsFalse(refused.Error!.Contains("not-the-accepted-key", StringComparison.Ordinal), refused.Error);

            await SetKeyAsync(cluster, credentialId, "the-accepted-key-42");
            AssertSigned(await SendAsync(cluster, events, flowId, """{"n":2}"""), "the-accepted-key-42", """{"n":2}""", revision: 2);
        }
        finally
        {
            await cluster.Flow(flowId).StopAsync();
        }
    }

    public static void AssertSigned(FlowEvent output, string key, string body, long revision)
    {
        Assert.AreEqual(FlowEventKind.Output, output.Kind, output.Error);
        var signed = JsonDocument.Parse(output.Message!.Body).RootElement;
        Assert.AreEqual(SignatureOf(key, body), signed.GetProperty("signature").GetString(), "signed with the key the component was handed");
        Assert.AreEqual(revision, signed.GetProperty("credentialRevision").GetInt64());
    }

    /// <summary>Every process's environment and command line on this machine, to find a value that must not be there.</summary>
    public static IEnumerable<(int Pid, string Where)> ProcessesShowing(string value)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            foreach (var file in new[] { "environ", "cmdline" })
            {
                byte[] content;
                try
                {
                    content = File.ReadAllBytes(Path.Combine(directory, file));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    continue; // gone meanwhile
                }

                if (content.AsSpan().IndexOf(Encoding.UTF8.GetBytes(value)) >= 0)
                {
                    yield return (pid, file);
                }
            }
        }
    }
}
