using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using FlowActors.Containers;
using FlowActors.Tests.Infrastructure;

namespace FlowActors.Tests.Components;

/// <summary>
/// The Node.js SDK as a user gets it, with the real npm: <c>npm pack</c> makes what <c>npm publish</c> would publish (its
/// name and version, the SDK and its samples, no tests and nothing secret), and both ways docs/components.md installs it
/// (the folder, and the packed tarball) give a scratch project whose component, importing
/// <c>@flowactors/component</c>, serves the protocol.
/// </summary>
[TestClass]
public sealed class NodePackageTests
{
    private static readonly LoopbackPorts Ports = new();
    private static readonly string Package = Repository.PathOf("Components", "Node");
    private static string s_destination = null!;
    private static JsonElement s_packed;

    /// <summary>One <c>npm pack</c> for the class: what it reports and the tarball it writes.</summary>
    [ClassInitialize]
    public static async Task PackAsync(TestContext _)
    {
        s_destination = Directory.CreateTempSubdirectory("flowactors-pack-").FullName;
        s_packed = JsonDocument.Parse(await NpmAsync(s_destination, "pack", Package, "--json", "--pack-destination", s_destination)).RootElement[0].Clone();
    }

    [ClassCleanup]
    public static void Clean() => Directory.Delete(s_destination, recursive: true);

    [TestMethod]
    public void NpmPack_HoldsTheSdkItsSamplesAndReadme_NoTestsOrSecrets_NamedAsPackageJsonSays()
    {
        var packed = s_packed;

        var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(Package, "package.json"))).RootElement;
        Assert.AreEqual("@flowactors/component", packed.GetProperty("name").GetString());
        Assert.AreEqual(manifest.GetProperty("version").GetString(), packed.GetProperty("version").GetString());
        Assert.AreEqual("public", manifest.GetProperty("publishConfig").GetProperty("access").GetString(), "a scoped package publishes as it stands");
        var files = packed.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("path").GetString()!).Order(StringComparer.Ordinal).ToArray();
        CollectionAssert.AreEqual(new[] { "README.md", "index.js", "package.json", "samples/greet.js" }, files, string.Join(", ", files));
        Assert.IsTrue(File.Exists(Path.Combine(s_destination, packed.GetProperty("filename").GetString()!)), "the tarball is written");
        Assert.IsFalse(files.Any(f => f.StartsWith("test/", StringComparison.Ordinal) || Secretive(f)), string.Join(", ", files));
    }

    [TestMethod]
    public async Task InstalledAsDocumented_FromTheFolderOrTheTarball_AComponentImportingTheSdkServesTheProtocol()
    {
        var tarball = Path.Combine(s_destination, s_packed.GetProperty("filename").GetString()!);

        foreach (var source in new[] { Package, tarball })
        {
            var project = Directory.CreateTempSubdirectory("flowactors-node-").FullName;
            await NpmAsync(project, "install", "--offline", "--no-audit", "--no-fund", source);
            File.WriteAllText(Path.Combine(project, "component.mjs"), """
                import { component, emit } from '@flowactors/component';
                component().action('shout', ctx => [emit.data({ ...ctx.body, name: ctx.body.name.toUpperCase() })]).run();
                """);
            await AssertServesAsync(project, source);
            Directory.Delete(project, recursive: true);
        }
    }

    private static async Task AssertServesAsync(string project, string installedFrom)
    {
        var port = Ports.Reserve();
        var start = new ProcessStartInfo("node", ["component.mjs"]) { WorkingDirectory = project, RedirectStandardError = true, RedirectStandardOutput = true };
        start.Environment["FLOWACTORS_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var node = Process.Start(start)!;
        var stderr = node.StandardError.ReadToEndAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
            // Readiness is the protocol's health probe, which the platform polls too.
            var waited = Stopwatch.StartNew();
            while (!await ReadyAsync(http))
            {
                Assert.IsFalse(node.HasExited || waited.Elapsed > TimeSpan.FromSeconds(20),
                    $"installed from {installedFrom}, the component did not answer /healthz (exited: {node.HasExited})");
                await Task.Delay(50);
            }

            using var reply = await http.PostAsync("/invoke", new StringContent(
                """{"action":"shout","message":{"id":"1","executionId":"1","body":{"name":"ada"}}}""", Encoding.UTF8, "application/json"));
            var text = await reply.Content.ReadAsStringAsync();
            Assert.AreEqual(HttpStatusCode.OK, reply.StatusCode, text);
            Assert.AreEqual("ADA", JsonDocument.Parse(text).RootElement.GetProperty("emits")[0].GetProperty("body").GetProperty("name").GetString(), text);
        }
        finally
        {
            node.Kill(entireProcessTree: true);
            await node.WaitForExitAsync();
            _ = await stderr;
        }
    }

    private static async Task<bool> ReadyAsync(HttpClient http)
    {
        try
        {
            return (await http.GetAsync("/healthz")).StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false; // not listening yet
        }
    }

    /// <summary>File names that have no place in a published package: credentials, keys, local settings.</summary>
    private static bool Secretive(string path)
    {
        var name = Path.GetFileName(path);
        return name is ".npmrc" or ".env" or "api-key" || name.StartsWith(".env.", StringComparison.Ordinal)
            || new[] { ".pem", ".key", ".pfx", ".p12" }.Contains(Path.GetExtension(name), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Runs npm in <paramref name="folder"/> and returns its stdout; a failure shows what npm said.</summary>
    private static async Task<string> NpmAsync(string folder, params string[] args)
    {
        var start = new ProcessStartInfo("npm", args) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        using var npm = Process.Start(start)!;
        var stdout = npm.StandardOutput.ReadToEndAsync();
        var stderr = npm.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await npm.WaitForExitAsync(timeout.Token);
        Assert.AreEqual(0, npm.ExitCode, $"npm {string.Join(' ', args)}:\n{await stdout}\n{await stderr}");
        return await stdout;
    }
}
