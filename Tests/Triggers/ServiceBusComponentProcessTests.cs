using FlowActors.Client;
using FlowActors.ComponentProtocol;
using FlowActors.Containers;
using FlowActors.Containers.Processes;
using FlowActors.Silo.Samples;
using FlowActors.Tests.Components;

namespace FlowActors.Tests.Triggers;

/// <summary>
/// The Service Bus component as it ships: its executable, started by the local-process runtime from the deployment
/// the silo offers, answering the platform's client. No namespace here: what it can show is its batch path and its
/// errors (sending itself is <see cref="ServiceBusSendTests"/>, against the fake).
/// </summary>
[TestClass]
public sealed class ServiceBusComponentProcessTests
{
    [TestMethod]
    public async Task TheShippedComponent_AnswersABatchWithAnErrorPerMessage_NamingTheField_WithoutTheSecret()
    {
        const string Secret = "Sup3rSecretKeyValue";
        var deployment = SampleDeployments.ServiceBusSend();
        var dll = Path.Combine(AppContext.BaseDirectory, Path.GetFileName(deployment.Launch.Arguments[0]));
        Assert.IsTrue(File.Exists(dll), $"{dll} is missing: Tests.csproj must reference Components/ServiceBus/ServiceBusComponent.csproj.");
        var launch = deployment.Launch with { Image = null, Arguments = [dll] };
        var revision = new ComponentRevision("servicebus", 1, launch, deployment.Descriptor, DateTimeOffset.UtcNow);
        var configuration = $$"""{"connectionString":"Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey={{Secret}}","messageId":"{body:id}"}""";
        await using LocalProcessContainerRuntime runtime = SampleComponent.CreateRuntime();
        using var client = SampleComponent.CreateClient();
        var (lease, _) = await SampleComponent.StartHealthyAsync(runtime,
            new ContainerRequest("tests", "send", revision, configuration, "tests/send@test", TimeSpan.FromMinutes(5)));

        var results = await client.InvokeBatchAsync(lease.Endpoint, "send", [FlowMessage.Create("""{"id":1}"""), FlowMessage.Create("""{"id":2}""")],
            configuration, null, SampleComponent.CallTimeout, CancellationToken.None);

        Assert.HasCount(2, results, "one result per message");
        foreach (var result in results)
        {
            var error = result.Single();
            Assert.AreEqual(EmitKinds.Error, error.Kind);
            StringAssert.Contains(error.Error, "queue: give exactly one of 'queue' and 'topic'");
            Assert.DoesNotContain(Secret, error.Error!);
        }
    }
}
