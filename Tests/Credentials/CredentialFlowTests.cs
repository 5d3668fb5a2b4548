using FlowActors.Client;
using FlowActors.Grains.Interfaces.Credentials;
using FlowActors.Silo.Samples;
using FlowActors.Tests.Infrastructure;

namespace FlowActors.Tests.Credentials;

/// <summary>
/// Named credentials handed to components running as local processes: with every call, in the request only, the
/// current values (a rotation reaches a running flow's next message), checked by name when a flow is saved.
/// </summary>
[TestClass]
public sealed class CredentialFlowTests
{
    private static FlowCluster s_cluster = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _)
    {
        s_cluster = await FlowCluster.StartAsync();
        await s_cluster.DeployAsync("signer", SampleDeployments.Signer());
    }

    [ClassCleanup]
    public static async Task StopAsync() => await s_cluster.DisposeAsync();

    [TestMethod]
    [DataRow(FlowMode.Realtime)]
    [DataRow(FlowMode.Ordinary)]
    public Task Rotation_ReachesTheNextMessageOfARunningFlow(FlowMode mode) => CredentialScenarios.RotationReachesTheNextMessageAsync(s_cluster, mode);

    [TestMethod]
    [DataRow(FlowMode.Realtime)]
    [DataRow(FlowMode.Ordinary)]
    public Task WrongKey_IsRefusedByTheComponent_RightKeyPasses(FlowMode mode) => CredentialScenarios.WrongKeyIsRefused_RightKeyPassesAsync(s_cluster, mode);

    [TestMethod]
    public async Task Credential_IsInNoProcessEnvironmentOrCommandLine_WhileItsComponentRuns()
    {
        const string key = "proc-visible-key-5b1f0c2e";
        var credentialId = $"c{Guid.NewGuid():N}"[..16];
        await CredentialScenarios.SetKeyAsync(s_cluster, credentialId, key);
        await using var running = await s_cluster.StartRealtimeFlowAsync(CredentialScenarios.Signing(credentialId), CredentialScenarios.Wait);
        try
        {
            CredentialScenarios.AssertSigned(await CredentialScenarios.SendAsync(s_cluster, running.Events, running.FlowId, "{}"), key, "{}", revision: 1);
            Assert.HasCount(1, await s_cluster.ContainersOfAsync(running.FlowId), "the component runs while /proc is read");
            var showing = CredentialScenarios.ProcessesShowing(key).ToList();
            Assert.IsEmpty(showing, string.Join(", ", showing.Select(p => $"{p.Pid}/{p.Where}")));
        }
        finally
        {
            await s_cluster.Flow(running.FlowId).StopAsync();
        }
    }

    [TestMethod]
    public async Task SavingAStepThatNamesAnUnknownCredential_IsRefused_NamingTheStep()
    {
        var refused = await Assert.ThrowsExactlyAsync<FlowValidationException>(() =>
            s_cluster.Flow($"f{Guid.NewGuid():N}"[..20]).SaveDraftAsync(CredentialScenarios.Signing("no-such-credential")));
        var error = refused.Errors.Single();
        Assert.AreEqual("steps[0].credential", error.Field);
        StringAssert.Contains(error.Message, "Step 'sign'");
        StringAssert.Contains(error.Message, "'no-such-credential'");
    }

    [TestMethod]
    public async Task DeletedCredential_FailsTheNextCall_NamingTheStepAndTheCredential()
    {
        var credentialId = $"c{Guid.NewGuid():N}"[..16];
        await CredentialScenarios.SetKeyAsync(s_cluster, credentialId, "soon-deleted-key");
        await using var running = await s_cluster.StartRealtimeFlowAsync(CredentialScenarios.Signing(credentialId), CredentialScenarios.Wait);
        try
        {
            Assert.IsTrue(await CredentialScenarios.Registry(s_cluster).DeleteAsync(credentialId));
            var failed = await CredentialScenarios.SendAsync(s_cluster, running.Events, running.FlowId, "{}");
            Assert.AreEqual(FlowEventKind.Error, failed.Kind);
            StringAssert.Contains(failed.Error, "Step 'sign'");
            StringAssert.Contains(failed.Error, $"Credential '{credentialId}' does not exist");
        }
        finally
        {
            await s_cluster.Flow(running.FlowId).StopAsync();
        }
    }

    [TestMethod]
    public async Task Values_AreNeverReturned_OnlyNamesAndTimes()
    {
        var registry = CredentialScenarios.Registry(s_cluster);
        var credentialId = $"c{Guid.NewGuid():N}"[..16];
        var set = await registry.SetAsync(credentialId, new CredentialValues(new Dictionary<string, string?> { ["user"] = "u-1", ["password"] = "p-1" }), replace: true);
        CollectionAssert.AreEqual(new[] { "password", "user" }, set.Fields.Select(f => f.Name).ToArray());

        var merged = await registry.SetAsync(credentialId, new CredentialValues(new Dictionary<string, string?> { ["password"] = "p-2", ["user"] = null, ["token"] = "t" }), replace: false);
        CollectionAssert.AreEqual(new[] { "password", "token" }, merged.Fields.Select(f => f.Name).ToArray());
        Assert.IsGreaterThan(set.ChangedAt, merged.Fields.Single(f => f.Name == "password").ChangedAt);
        Assert.AreEqual(2, merged.Revision);
        var text = System.Text.Json.JsonSerializer.Serialize(await registry.ListAsync()) + new CredentialValues(new Dictionary<string, string?> { ["x"] = "p-3" });
        Assert.IsFalse(text.Contains("p-2", StringComparison.Ordinal) || text.Contains("p-3", StringComparison.Ordinal), text);
    }

    [TestMethod]
    [DataRow("bad id!", """{"apiKey":"x"}""", "not a valid credential id")]
    [DataRow("ok", "{}", "give at least one field")]
    [DataRow("ok", """{"1bad":"x"}""", "'1bad' is not a valid field name")]
    [DataRow("ok", """{"apiKey":""}""", "fields.apiKey: expected a non-empty string")]
    public async Task InvalidInput_IsRefused_NamingTheField(string credentialId, string fields, string expected)
    {
        var values = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string?>>(fields)!;
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => CredentialScenarios.Registry(s_cluster).SetAsync(credentialId, new CredentialValues(values), replace: true));
        StringAssert.Contains(refused.Message, expected);
    }
}
