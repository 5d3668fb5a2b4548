using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Text.Json;
using FlowActors.Cli;
using FlowActors.Client;
using FlowActors.Containers;
using FlowActors.Containers.Processes;
using FlowActors.TestSupport.Silos;
using FlowActors.Tests.AdminConsole;
using FlowActors.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using static Microsoft.Playwright.Assertions;

namespace FlowActors.Tests.Components;

/// <summary>
/// A local-process revision pins what it runs, not only its command line: the files its launch names are digested at
/// deployment and checked at each start, so a script edited in place no longer changes what an "old" revision runs (it
/// refuses to start, naming the file); <c>flowactors apply</c> deploys a new revision for the edited file; and the
/// console tells revisions apart by their environment and pinned files.
/// </summary>
[TestClass]
[SupportedOSPlatform("linux")]
public sealed class RevisionPinningTests
{
    [TestMethod]
    public async Task ScriptEditedInPlace_StopsItsRevisionFromStarting_NamingTheFile()
    {
        using var folder = new ComponentFolder();
        var files = new LaunchFiles(Options.Create(new LocalProcessRuntimeOptions()));
        var launch = new ComponentLaunch(null, "sh", [folder.Script], new Dictionary<string, string>());
        var pinned = await files.PinAsync(launch, CancellationToken.None);
        var revision = new ComponentRevision("pinned", 1, launch, new ComponentDescriptor([], ["echo"]), DateTimeOffset.UtcNow, pinned);
        var request = SampleComponent.Request("echo", flow: "pinned") with { Revision = revision };
        await using var runtime = SampleComponent.CreateRuntime();

        Assert.AreEqual(folder.Script, pinned.Single().Path, "the script is pinned; 'sh', found on PATH, is the machine's");
        var (lease, _) = await SampleComponent.StartHealthyAsync(runtime, request);
        await runtime.StopAsync(lease, CancellationToken.None);

        folder.Edit();
        var refused = await Assert.ThrowsExactlyAsync<ComponentStartException>(() => runtime.StartAsync(request, CancellationToken.None));

        StringAssert.Contains(refused.Message, $"Component 'pinned' revision 1 cannot start for step 'pinned/echo': it pins {folder.Script}");
        StringAssert.Contains(refused.Message, $"sha256 {pinned[0].Sha256[..16]}");
        StringAssert.Contains(refused.Message, "deploy a new revision");
        Assert.IsTrue((await files.CheckAsync(revision, CancellationToken.None)).Single().Changed);
    }

    [TestMethod]
    public async Task Apply_DeploysANewRevision_WhenAPinnedFileChanged_AndTheApiSaysWhichChanged()
    {
        using var folder = new ComponentFolder();
        var definitions = Directory.CreateTempSubdirectory("flowactors-apply-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(definitions, "pinned.json"), JsonSerializer.Serialize(new
            {
                kind = "component",
                id = "pinned",
                launch = new { command = "sh", arguments = new[] { folder.Script } },
                descriptor = new { actions = new[] { "echo" } },
            }));
            await using var silo = await SiloProcess.StartAsync();

            await using (var first = (await CliProcess.RunAsync(silo, "apply", definitions)).AssertExit(ExitCodes.Ok))
            {
                StringAssert.Contains(first.Stdout, "deployed revision 1");
            }

            await using (var again = (await CliProcess.RunAsync(silo, "apply", definitions)).AssertExit(ExitCodes.Ok))
            {
                StringAssert.Contains(again.Stdout, "component pinned: unchanged");
            }

            folder.Edit();
            await using var edited = (await CliProcess.RunAsync(silo, "apply", definitions)).AssertExit(ExitCodes.Ok);

            StringAssert.Contains(edited.Stdout, $"deployed revision 2 ({folder.Script} changed since revision 1)");
            var checks = await silo.Http.GetFromJsonAsync<JsonElement>("/api/components/pinned/revisions/1/files");
            Assert.IsTrue(checks[0].GetProperty("changed").GetBoolean(), checks.ToString());
            Assert.IsFalse((await silo.Http.GetFromJsonAsync<JsonElement>("/api/components/pinned/revisions/2/files"))[0].GetProperty("changed").GetBoolean());
        }
        finally
        {
            Directory.Delete(definitions, recursive: true);
        }
    }

    [TestMethod]
    [TestCategory("Browser")]
    public async Task ComponentsPage_ShowsEachRevisionsEnvironment_SoRevisionsOfOneCommandDiffer()
    {
        await using var silo = await SiloProcess.StartAsync();
        foreach (var greeting in (string[])["hello", "bonjour"])
        {
            var echo = Silo.Samples.SampleDeployments.Echo();
            var deployment = echo with { Launch = echo.Launch with { Environment = new Dictionary<string, string> { ["GREETING"] = greeting } } };
            (await silo.Http.PostAsJsonAsync("/api/components/greeter/revisions", deployment)).EnsureSuccessStatusCode();
        }

        await using var browser = await ConsoleBrowser.LaunchAsync();
        await using var context = await browser.NewContextAsync(silo);
        var page = await ConsoleBrowser.LogInAsync(context, "/console/components");
        await ConsoleBrowser.WaitLiveAsync(page);

        var component = page.Locator("tr[data-component='greeter']");
        await Expect(component.Locator("[data-revision='1']")).ToContainTextAsync("GREETING=hello");
        await Expect(component.Locator("[data-revision='2']")).ToContainTextAsync("GREETING=bonjour");
        await Expect(component.Locator("[data-revision='2']")).ToContainTextAsync("./FlowActors.SampleComponents.dll");
    }

    /// <summary>A folder the component's user can read, holding a script that runs the sample echo component.</summary>
    private sealed class ComponentFolder : IDisposable
    {
        private readonly string _folder = Directory.CreateTempSubdirectory("flowactors-pinned-").FullName;

        public ComponentFolder()
        {
            File.SetUnixFileMode(_folder, (UnixFileMode)0b111_101_101);
            Script = Path.Combine(_folder, "echo.sh");
            File.WriteAllText(Script, $"exec dotnet {SampleComponent.DllPath} echo\n");
            File.SetUnixFileMode(Script, (UnixFileMode)0b110_100_100);
        }

        public string Script { get; }

        /// <summary>Changes the script in place, as an editor does.</summary>
        public void Edit() => File.AppendAllText(Script, "# edited after the revision was deployed\n");

        public void Dispose() => Directory.Delete(_folder, recursive: true);
    }
}
