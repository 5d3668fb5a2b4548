using System.Text.Json;
using FlowActors.Cli;
using FlowActors.TestSupport.Silos;
using FlowActors.Tests.Credentials;
using FlowActors.Tests.Infrastructure;

namespace FlowActors.Tests.Cli;

/// <summary>
/// Credentials through the <c>flowactors</c> tool against the Silo process: a credential file (value from a file beside
/// it) and a flow file naming it, applied twice (the second changes nothing); <c>credential set</c> rotates it and the
/// running flow's next message is signed with the new key; nothing the tool prints shows a value.
/// </summary>
[TestClass]
public sealed class CliCredentialTests
{
    [TestMethod]
    public async Task CredentialFiles_Apply_AndCredentialSet_Rotates_AndNoOutputShowsAValue()
    {
        await using var silo = await SiloProcess.StartAsync();
        var folder = Directory.CreateTempSubdirectory("flowactors-cli-credentials-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "crm.key"), "cli-key-one-7f3a\n");
            File.WriteAllText(Path.Combine(folder, "rotated.key"), "cli-key-two-9c1d");
            File.WriteAllText(Path.Combine(folder, "signer.json"), """
                {"kind":"component","id":"signer","launch":{"image":"flowactors/samples:test","command":"dotnet",
                 "arguments":["./FlowActors.SampleComponents.dll","signer"],"environment":{"FLOWACTORS_COMPONENT":"signer"}},
                 "descriptor":{"actions":["sign"]}}
                """);
            File.WriteAllText(Path.Combine(folder, "crm.json"), """{"kind":"credential","id":"crm","fields":{"apiKey":{"file":"crm.key"}}}""");
            File.WriteAllText(Path.Combine(folder, "signing.json"), """
                {"kind":"flow","id":"signing","name":"signing","mode":"realtime",
                 "steps":[{"id":"sign","componentId":"signer","action":"sign","credential":"crm"}]}
                """);
            var printed = new List<string>();

            await using (var first = (await CliProcess.RunAsync(silo, "apply", folder)).AssertExit(ExitCodes.Ok))
            {
                printed.Add(first.Stdout + first.Stderr);
                StringAssert.Contains(first.Stdout, "credential crm: created");
            }

            await using (var second = (await CliProcess.RunAsync(silo, "apply", folder)).AssertExit(ExitCodes.Ok))
            {
                printed.Add(second.Stdout + second.Stderr);
                StringAssert.Contains(second.Stderr, "0 changed, 3 unchanged.");
            }

            Assert.AreEqual(CredentialScenarios.SignatureOf("cli-key-one-7f3a", "{}"), await SignatureAsync(silo, printed));

            await using (var set = (await CliProcess.RunAsync(silo, "credential", "set", "crm", $"apiKey=file:{Path.Combine(folder, "rotated.key")}")).AssertExit(ExitCodes.Ok))
            {
                printed.Add(set.Stdout + set.Stderr);
                StringAssert.Contains(set.Stdout, "credential crm: set, revision 2");
            }

            Assert.AreEqual(CredentialScenarios.SignatureOf("cli-key-two-9c1d", "{}"), await SignatureAsync(silo, printed), "the running flow's next message has the new key");
            await using (var list = (await CliProcess.RunAsync(silo, "credentials")).AssertExit(ExitCodes.Ok))
            await using (var show = (await CliProcess.RunAsync(silo, "credential", "show", "crm", "-o", "json")).AssertExit(ExitCodes.Ok))
            await using (var onTheCommandLine = (await CliProcess.RunAsync(silo, "credential", "set", "crm", "apiKey=plain-text")).AssertExit(ExitCodes.Usage))
            {
                printed.AddRange([list.Stdout, show.Stdout, onTheCommandLine.Stderr]);
                StringAssert.Contains(list.Stdout, "crm");
                Assert.AreEqual("apiKey", JsonDocument.Parse(show.Stdout).RootElement.GetProperty("fields")[0].GetProperty("name").GetString());
                StringAssert.Contains(onTheCommandLine.Stderr, "values never go on the command line");
            }

            var all = string.Join('\n', printed);
            Assert.IsFalse(all.Contains("cli-key-one-7f3a", StringComparison.Ordinal) || all.Contains("cli-key-two-9c1d", StringComparison.Ordinal), all);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<string?> SignatureAsync(SiloProcess silo, List<string> printed)
    {
        await using var sent = (await CliProcess.RunAsync(silo, "send", "signing", "{}")).AssertExit(ExitCodes.Ok);
        printed.Add(sent.Stdout + sent.Stderr);
        return JsonDocument.Parse(sent.Stdout).RootElement.GetProperty("signature").GetString();
    }
}
