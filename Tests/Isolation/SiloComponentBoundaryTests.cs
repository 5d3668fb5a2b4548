using System.Runtime.Versioning;
using FlowActors.TestSupport.Clients;
using FlowActors.TestSupport.Silos;

namespace FlowActors.Tests.Isolation;

/// <summary>
/// The component boundary of a real <c>Silo</c> process with its shipped settings (local processes), asked from inside a
/// component that flows run through: it cannot connect to the silo's gateway, silo-to-silo or admin HTTP port, nor read
/// the silo's data folder (its key, its client certificate), while real-time and ordinary flows through it work.
/// </summary>
[TestClass]
[SupportedOSPlatform("linux")]
public sealed class SiloComponentBoundaryTests
{
    [TestMethod]
    public async Task ComponentOfARealSilo_ReachesNoneOfItsPortsNorItsDataFolder_WhileFlowsThroughItRun()
    {
        await using var silo = await SiloProcess.StartWithDefaultsAsync();
        // The silo's folder is a private temporary one: opened for traversal, only the data folder's own permissions count.
        File.SetUnixFileMode(silo.ContentRoot, File.GetUnixFileMode(silo.ContentRoot) | UnixFileMode.OtherExecute);
        var data = silo.DataFolder;
        var key = Path.Combine(data, "api-key");
        Assert.IsTrue(File.Exists(key), "The silo generated no key in its data folder.");
        var certificate = silo.ClientCertificatePath;
        Assert.IsTrue(File.Exists(certificate), "The silo made no client certificate in its data folder.");
        await using var sdk = await SdkHost.StartAsync(silo);

        var reports = await ProbeFlows.RunAsync(sdk.Client, silo.ControlPlanePorts(), [data, key, certificate]);

        foreach (var (mode, report) in reports)
        {
            report.AssertNoneConnected(silo.ControlPlanePorts());
            Assert.AreEqual("denied", report.Reads[data], $"{mode}: {ProbeReport.Describe(report.Reads)}");
            Assert.AreEqual("denied", report.Reads[key], $"{mode}: {ProbeReport.Describe(report.Reads)}");
            Assert.AreEqual("denied", report.Reads[certificate], $"{mode}: {ProbeReport.Describe(report.Reads)}");
            Assert.AreEqual("65534", report.User, mode.ToString());
            CollectionAssert.AreEqual(new[] { "lo" }, report.Interfaces.ToArray(), mode.ToString());
        }

        Assert.AreEqual(0, silo.CountLines("NOT isolated"), silo.RecentOutput);

        // Its components (the sample real-time flow's, still running) run in a folder the silo made for itself, which no
        // other local user could have prepared (the shared, predictable /tmp/flowactors-components of old could be).
        var components = SiloProcess.ChildPids(silo.ProcessId)
            .Where(pid => File.ReadAllText($"/proc/{pid}/cmdline").StartsWith(Containers.Processes.ComponentLauncher.NamePrefix, StringComparison.Ordinal))
            .ToList();
        Assert.IsNotEmpty(components, "The sample real-time flow's components should be running.");
        var folders = components.Select(pid => new FileInfo($"/proc/{pid}/cwd").LinkTarget!).Distinct().ToList();
        Assert.HasCount(1, folders);
        StringAssert.StartsWith(folders[0], Path.Combine(Path.GetTempPath(), "flowactors-components-"));
        Assert.AreEqual((UnixFileMode)0b111_101_101, File.GetUnixFileMode(folders[0]), "rwxr-xr-x: only the silo's user writes there");
        Assert.IsEmpty(Directory.GetFileSystemEntries(folders[0]));
    }
}
