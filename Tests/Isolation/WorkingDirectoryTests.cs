using System.Runtime.Versioning;
using FlowActors.Containers.Leases;
using FlowActors.TestSupport.Processes;
using FlowActors.Tests.Components;

namespace FlowActors.Tests.Isolation;

/// <summary>
/// The folder local components run in, where a .NET component would load an appsettings.json: the runtime creates it
/// owner-writable, and refuses one someone else prepared (another owner, or writable by others), starting nothing.
/// </summary>
[TestClass]
[SupportedOSPlatform("linux")]
public sealed class WorkingDirectoryTests
{
    private const uint Nobody = 65534;

    [TestMethod]
    public async Task DefaultWorkingDirectory_IsTheRuntimesOwn_WritableOnlyByItsUser_AndGoesWithIt()
    {
        var runtime = SampleComponent.CreateRuntime();
        string folder;
        try
        {
            var (first, _) = await SampleComponent.StartHealthyAsync(runtime, SampleComponent.Request("echo", flow: "cwd", step: "one"));
            var (second, _) = await SampleComponent.StartHealthyAsync(runtime, SampleComponent.Request("echo", flow: "cwd", step: "two"));

            folder = WorkingDirectoryOf(first);
            Assert.AreEqual(folder, WorkingDirectoryOf(second), "one folder per runtime");
            StringAssert.StartsWith(folder, Path.Combine(Path.GetTempPath(), "flowactors-components-"));
            Assert.AreNotEqual(Path.Combine(Path.GetTempPath(), "flowactors-components"), folder, "not the predictable folder another user could make first");
            Assert.AreEqual((UnixFileMode)0b111_101_101, File.GetUnixFileMode(folder), "rwxr-xr-x: components enter it, only the silo's user writes");
            Assert.IsEmpty(Directory.GetFileSystemEntries(folder));
        }
        finally
        {
            await runtime.DisposeAsync();
        }

        Assert.IsFalse(Directory.Exists(folder), "The runtime removes its folder when it is disposed.");
    }

    [TestMethod]
    public async Task ConfiguredWorkingDirectory_IsCreated_AndComponentsRunThere()
    {
        var root = Directory.CreateTempSubdirectory("flowactors-data-").FullName;
        try
        {
            File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
            var folder = Path.Combine(root, "work", "components");
            await using var runtime = SampleComponent.CreateRuntime(configure: o => o.WorkingDirectory = folder);

            var (lease, _) = await SampleComponent.StartHealthyAsync(runtime, SampleComponent.Request("echo", flow: "cwd"));

            Assert.AreEqual(folder, WorkingDirectoryOf(lease));
            Assert.AreEqual((UnixFileMode)0b111_101_101, File.GetUnixFileMode(folder));
            await runtime.StopAsync(lease, CancellationToken.None);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    public async Task WorkingDirectory_PreparedByAnotherUser_WithAnAppsettingsFile_IsRefused_AndNothingStarts()
    {
        var root = Directory.CreateTempSubdirectory("flowactors-data-").FullName;
        try
        {
            // What any local user can do in /tmp: make the folder first, world-writable, and plant a configuration there.
            var folder = Directory.CreateDirectory(Path.Combine(root, "components")).FullName;
            File.SetUnixFileMode(folder, (UnixFileMode)0b111_111_111);
            File.WriteAllText(Path.Combine(folder, "appsettings.json"), """{"Planted":true}""");
            Chown(folder, Nobody);
            await using var runtime = SampleComponent.CreateRuntime(configure: o => o.WorkingDirectory = folder);

            var refused = await Assert.ThrowsExactlyAsync<InvalidOperationException>(
                () => runtime.StartAsync(SampleComponent.Request("echo", flow: "planted"), CancellationToken.None));

            StringAssert.Contains(refused.Message, folder);
            StringAssert.Contains(refused.Message, $"belongs to uid {Nobody}");
            StringAssert.Contains(refused.Message, "WorkingDirectory");
            Assert.IsEmpty(await runtime.ListAsync(new Dictionary<string, string> { [ContainerLabels.Flow] = "planted" }, CancellationToken.None));

            // The silo's own folder, but writable by everyone: refused too.
            Chown(folder, 0);
            var loose = await Assert.ThrowsExactlyAsync<InvalidOperationException>(
                () => runtime.StartAsync(SampleComponent.Request("echo", flow: "planted"), CancellationToken.None));
            StringAssert.Contains(loose.Message, "may be written by others (mode 777)");
            StringAssert.Contains(loose.Message, $"chmod go-w {folder}");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static string WorkingDirectoryOf(Grains.Interfaces.Containers.ContainerLease lease) =>
        new FileInfo($"/proc/{ContainerProcesses.Pid(lease.ContainerId)}/cwd").LinkTarget!;

    private static void Chown(string path, uint user)
    {
        using var chown = System.Diagnostics.Process.Start("chown", [$"{user}:{user}", path]);
        chown.WaitForExit();
        Assert.AreEqual(0, chown.ExitCode, $"chown {user} {path}");
    }
}
