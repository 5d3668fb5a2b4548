using FlowActors.Client.Hosting;
using FlowActors.Silo.Hosting;
using FlowActors.Silo.Hosting.Azure;
using FlowActors.TestSupport.Silos;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace FlowActors.Tests.Hosting;

/// <summary>Profile settings are checked at start, and every refusal names the setting and what to set.</summary>
[TestClass]
public sealed class ProfileOptionsTests
{
    [TestMethod]
    public void UnknownProfile_IsRefusedNamingTheSetting()
    {
        var e = Assert.ThrowsExactly<OptionsValidationException>(() => HostingProfiles.Read(Configuration(("FlowActors:Profile", "Cloud"))));

        StringAssert.Contains(e.Message, "FlowActors:Profile is 'Cloud'");
        Assert.AreEqual(HostingProfile.Embedded, HostingProfiles.Read(Configuration()));
        Assert.AreEqual(HostingProfile.Azure, HostingProfiles.Read(Configuration(("FlowActors:Profile", "azure"))));
    }

    [TestMethod]
    public void AzureProfile_WithoutAnAccount_AsksForAConnectionStringOrTheServiceUris()
    {
        var e = Assert.ThrowsExactly<OptionsValidationException>(() => AzureStorageProfileOptions.From(Configuration()));

        StringAssert.Contains(e.Message, "FlowActors:Azure:ConnectionString");
        StringAssert.Contains(e.Message, "FlowActors:Azure:TableServiceUri");
    }

    [TestMethod]
    public void AzureProfile_RefusesMixedCredentialsABadPrefixAndRelativeUris()
    {
        var e = Assert.ThrowsExactly<OptionsValidationException>(() => AzureStorageProfileOptions.From(Configuration(
            ("FlowActors:Azure:ConnectionString", "UseDevelopmentStorage=true"),
            ("FlowActors:Azure:TableServiceUri", "/relative"),
            ("FlowActors:Azure:ResourcePrefix", "Flow-Actors"),
            ("FlowActors:Azure:QueueCount", "0"))));

        StringAssert.Contains(e.Message, "not both");
        StringAssert.Contains(e.Message, "FlowActors:Azure:TableServiceUri is '/relative'");
        StringAssert.Contains(e.Message, "FlowActors:Azure:ResourcePrefix is 'Flow-Actors'");
        StringAssert.Contains(e.Message, "FlowActors:Azure:QueueCount is 0");
    }

    [TestMethod]
    public void AzureProfile_TakesServiceUrisForAManagedIdentity()
    {
        var options = AzureStorageProfileOptions.From(Configuration(
            ("FlowActors:Azure:TableServiceUri", "https://acct.table.core.windows.net/"),
            ("FlowActors:Azure:BlobServiceUri", "https://acct.blob.core.windows.net/"),
            ("FlowActors:Azure:QueueServiceUri", "https://acct.queue.core.windows.net/")));

        Assert.IsFalse(options.UsesConnectionString);
        Assert.AreEqual("flowactorsmembership", options.Names.MembershipTable);
        Assert.AreEqual("flowactors-grains", options.Names.GrainStateContainer);
    }

    [TestMethod]
    public void SiloHost_RefusesAnAdvertisedAddressThatIsNoAddress()
    {
        var e = Assert.ThrowsExactly<OptionsValidationException>(() => SiloHostOptions.From(Configuration(("FlowActors:Silo:AdvertisedAddress", "silo-1.example"))));

        StringAssert.Contains(e.Message, "FlowActors:Silo:AdvertisedAddress is 'silo-1.example'");
    }

    [TestMethod]
    public void Sdk_WithAzureTableClustering_NeedsExactlyOneWayToTheTable()
    {
        var validator = new FlowActorsClientOptionsValidator();

        var neither = validator.Validate(null, new FlowActorsClientOptions { Clustering = FlowActorsClustering.AzureTable });
        var both = validator.Validate(null, new FlowActorsClientOptions
        {
            Clustering = FlowActorsClustering.AzureTable,
            AzureTableConnectionString = "UseDevelopmentStorage=true",
            AzureTableServiceUri = new Uri("https://acct.table.core.windows.net/"),
        });

        StringAssert.Contains(neither.FailureMessage, "FlowActors:Client:AzureTableConnectionString");
        StringAssert.Contains(both.FailureMessage, "not both");
    }

    [TestMethod]
    public async Task RealSilo_InTheAzureProfileWithoutAnAccount_ExitsNamingTheSetting()
    {
        var e = await Assert.ThrowsExactlyAsync<InvalidOperationException>(() => SiloProcess.StartAsync("--FlowActors:Profile=Azure"));

        StringAssert.Contains(e.Message, "FlowActors:Azure:ConnectionString");
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();
}
