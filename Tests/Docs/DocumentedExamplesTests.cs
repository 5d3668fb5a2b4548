using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FlowActors.Cli;
using FlowActors.TestSupport.Silos;
using FlowActors.Tests.Client;
using FlowActors.Tests.Infrastructure;

namespace FlowActors.Tests.Docs;

/// <summary>
/// docs/components.md, docs/flows.md and docs/mapping.md followed literally against the Silo process: every marked
/// example is taken from the Markdown and applied as written (deployments and drafts over the API, files with the CLI,
/// expressions with the silo's evaluator), and the documented outputs must be what comes out. The pages cannot drift
/// from what the API accepts.
/// </summary>
[TestClass]
public sealed partial class DocumentedExamplesTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    // One Silo process for the class's tests that need one, started by the first of them.
    private static readonly Lazy<Task<SiloProcess>> SharedSilo = new(() => SiloProcess.StartAsync());

    [ClassCleanup]
    public static async Task StopAsync()
    {
        if (SharedSilo.IsValueCreated)
        {
            await (await SharedSilo.Value).DisposeAsync();
        }
    }

    [TestMethod]
    public async Task ComponentsAndFlowsPages_ApplyAsWritten_AndGiveTheOutputsTheyShow()
    {
        var examples = DocExample.Read(Repository.PathOf("docs", "components.md"), "docs/components.md")
            .Concat(DocExample.Read(Repository.PathOf("docs", "flows.md"), "docs/flows.md"))
            .Concat(DocExample.Read(Repository.PathOf("docs", "mapping.md"), "docs/mapping.md"))
            .ToArray();
        foreach (var (kind, atLeast) in new[] { ("deploy", 2), ("file", 2), ("draft", 3), ("send", 3), ("output", 1), ("outputs", 2), ("result", 10) })
        {
            Assert.IsGreaterThanOrEqualTo(atLeast, examples.Count(e => e.Kind == kind), $"the pages have lost their '{kind}' examples");
        }

        var silo = await SharedSilo.Value;
        foreach (var deploy in examples.Where(e => e.Kind == "deploy"))
        {
            var response = await silo.Http.PostAsync($"/api/components/{deploy.Name}/revisions", Json(deploy.Text));
            Assert.AreEqual(HttpStatusCode.Created, response.StatusCode, $"{deploy.Source}: {await response.Content.ReadAsStringAsync()}");
        }

        // The file examples, in a folder as a reader would save them, applied with the tool (twice: nothing changes the second time).
        var folder = Directory.CreateTempSubdirectory("flowactors-docs-").FullName;
        foreach (var file in examples.Where(e => e.Kind == "file"))
        {
            var path = Path.Combine(folder, file.Name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, file.Text);
        }

        await using (var applied = await CliProcess.RunAsync(silo, "apply", folder))
        {
            applied.AssertExit(ExitCodes.Ok);
        }

        await using (var again = await CliProcess.RunAsync(silo, "apply", folder))
        {
            StringAssert.Contains(again.AssertExit(ExitCodes.Ok).Stderr, "0 changed");
        }

        foreach (var draft in examples.Where(e => e.Kind == "draft"))
        {
            await StartAsync(silo, draft);
        }

        foreach (var send in examples.Where(e => e.Kind == "send"))
        {
            var reply = await silo.Http.PostAsync($"/api/flows/{send.Name}/messages?wait=true", Json(send.Text));
            var text = await reply.Content.ReadAsStringAsync();
            Assert.AreEqual(HttpStatusCode.OK, reply.StatusCode, $"{send.Source}: {text}");
            var answer = JsonNode.Parse(text)!;
            if (examples.SingleOrDefault(e => e.Kind == "output" && e.Name == send.Name) is { } output)
            {
                AssertJson(output.Text, answer["body"], output.Source);
            }

            if (examples.SingleOrDefault(e => e.Kind == "outputs" && e.Name == send.Name) is { } outputs)
            {
                await AssertOutputsAsync(silo, send.Name, answer["executionId"]!.GetValue<string>(), outputs);
            }
        }

        await AssertExpressionsAsync(silo, examples);
    }

    /// <summary>
    /// The worked expressions of docs/mapping.md, each evaluated by the silo on the page's input (and bindings) as an
    /// expression or a condition, give the result the page shows.
    /// </summary>
    private static async Task AssertExpressionsAsync(SiloProcess silo, IReadOnlyList<DocExample> examples)
    {
        var input = JsonNode.Parse(examples.Single(e => e.Kind == "input").Text);
        foreach (var expression in examples.Where(e => e.Kind is "expression" or "condition"))
        {
            var sample = examples.SingleOrDefault(e => e.Kind == "bindings" && e.Name == expression.Name) is { } bindings
                ? JsonNode.Parse(bindings.Text)!.AsObject()
                : [];
            sample["expression"] = expression.Text.Trim();
            sample["input"] = input!.DeepClone();
            sample["condition"] = expression.Kind == "condition";
            var response = await silo.Http.PostAsync("/api/expressions/evaluate", Json(sample.ToJsonString()));
            var text = await response.Content.ReadAsStringAsync();
            Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, $"{expression.Source}: {text}");
            var answer = JsonNode.Parse(text)!;
            Assert.IsNull(answer["error"], $"{expression.Source}: {text}");
            AssertJson(examples.Single(e => e.Kind == "result" && e.Name == expression.Name).Text, answer["result"], expression.Source);
        }
    }

    [TestMethod]
    public void ReadmeAndDocs_LinkOnlyToFilesInTheRepository()
    {
        var pages = new[] { Repository.PathOf("README.md") }
            .Concat(Directory.GetFiles(Repository.PathOf("docs"), "*.md"))
            .Concat(Directory.GetFiles(Repository.PathOf("samples"), "*.md", SearchOption.AllDirectories));
        var broken = new List<string>();
        foreach (var page in pages)
        {
            foreach (Match link in MarkdownLink().Matches(File.ReadAllText(page)))
            {
                var target = link.Groups[1].Value.Split('#')[0];
                if (target.Length == 0 || target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
                {
                    continue;
                }

                var resolved = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, target));
                if (!resolved.StartsWith(Repository.Root + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                    || !(File.Exists(resolved) || Directory.Exists(resolved)))
                {
                    broken.Add($"{Path.GetRelativePath(Repository.Root, page)}: ({link.Groups[1].Value})");
                }
            }
        }

        Assert.IsEmpty(broken, "links that leave the repository or lead nowhere:\n" + string.Join("\n", broken));
        Assert.IsTrue(File.ReadAllText(Repository.PathOf("README.md")).Contains("(docs/architecture.md)", StringComparison.Ordinal),
            "README links to docs/architecture.md");
    }

    private static async Task StartAsync(SiloProcess silo, DocExample draft)
    {
        var path = $"/api/flows/{draft.Name}";
        var saved = await silo.Http.PutAsync($"{path}/draft", Json(draft.Text));
        Assert.AreEqual(HttpStatusCode.OK, saved.StatusCode, $"{draft.Source}: {await saved.Content.ReadAsStringAsync()}");
        (await silo.Http.PostAsync($"{path}/publish", null)).EnsureSuccessStatusCode();
        (await silo.Http.PostAsync($"{path}/start", null)).EnsureSuccessStatusCode();
        var lifecycle = await FlowActorsClientTests.PollAsync(
            async () => JsonNode.Parse(await silo.Http.GetStringAsync(path))!["lifecycle"]!.GetValue<string>(), l => l is "Running" or "Failed");
        Assert.AreEqual("Running", lifecycle, $"{draft.Source}: flow {draft.Name} did not start: {await silo.Http.GetStringAsync(path)}");
    }

    /// <summary>The execution's outputs, in any order, are the documented ones (step and body).</summary>
    private static async Task AssertOutputsAsync(SiloProcess silo, string flowId, string executionId, DocExample expected)
    {
        var wanted = JsonNode.Parse(expected.Text)!.AsArray();
        var execution = await FlowActorsClientTests.PollAsync(
            async () => await silo.Http.GetAsync($"/api/flows/{flowId}/executions/{executionId}") is { IsSuccessStatusCode: true } r
                ? JsonNode.Parse(await r.Content.ReadAsStringAsync())
                : null,
            e => e?["outputs"]?.AsArray().Count >= wanted.Count);
        var outputs = execution?["outputs"]?.AsArray() ?? [];
        Assert.HasCount(wanted.Count, outputs, $"{expected.Source}: {execution?.ToJsonString()}");
        foreach (var output in wanted)
        {
            var step = output!["stepId"]!.GetValue<string>();
            var actual = outputs.SingleOrDefault(o => o!["stepId"]!.GetValue<string>() == step);
            Assert.IsNotNull(actual, $"{expected.Source}: no output from step '{step}' in {execution!.ToJsonString()}");
            AssertJson(output["body"]!.ToJsonString(), actual["body"], expected.Source);
        }
    }

    private static void AssertJson(string expected, JsonNode? actual, string source) =>
        Assert.IsTrue(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"{source}: the page shows {expected.Trim()}, the silo answered {actual?.ToJsonString()}");

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex MarkdownLink();
}
