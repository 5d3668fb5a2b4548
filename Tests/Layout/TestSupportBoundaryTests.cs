using System.Xml.Linq;
using FlowActors.TestSupport;
using FlowActors.Tests.Infrastructure;

namespace FlowActors.Tests.Layout;

/// <summary>
/// The test suite and the benchmark share code through one library, Tests/Support (FlowActors.TestSupport), and only
/// through it: neither project compiles the other's files (or the library's), and no test framework reaches the benchmark
/// program, whose runs fail with the library's own <see cref="CheckFailedException"/>.
/// </summary>
[TestClass]
public sealed class TestSupportBoundaryTests
{
    private static readonly string[] TestFrameworks = ["MSTest", "Microsoft.NET.Test.Sdk", "Microsoft.Testing.", "xunit", "NUnit"];

    [TestMethod]
    [DataRow("bench/Bench.csproj")]
    [DataRow("Tests/Support/TestSupport.csproj")]
    public void Project_ReferencesNoTestFramework(string project)
    {
        var frameworks = Items(project, "PackageReference")
            .Where(name => TestFrameworks.Any(framework => name.StartsWith(framework, StringComparison.OrdinalIgnoreCase)))
            .ToArray();

        Assert.IsEmpty(frameworks, $"{project} references a test framework ({string.Join(", ", frameworks)}); the shared code fails with Check instead.");
    }

    [TestMethod]
    [DataRow("bench/Bench.csproj")]
    [DataRow("Tests/Tests.csproj")]
    [DataRow("Tests/Support/TestSupport.csproj")]
    public void Project_CompilesOnlyItsOwnFiles(string project)
    {
        var foreign = Items(project, "Compile").Where(path => path.Contains("..", StringComparison.Ordinal)).ToArray();

        Assert.IsEmpty(foreign, $"{project} compiles files of another folder ({string.Join(", ", foreign)}); share them through Tests/Support instead.");
    }

    [TestMethod]
    public void TestAssembly_HoldsNoneOfTheSharedLibrarysTypes()
    {
        var tests = typeof(TestSupportBoundaryTests).Assembly;
        var shared = tests.GetTypes()
            .Where(t => t.Namespace is { } ns && (ns.StartsWith("FlowActors.TestSupport", StringComparison.Ordinal) || ns.StartsWith("FlowActors.Bench", StringComparison.Ordinal)))
            .Select(t => t.FullName)
            .ToArray();

        Assert.AreNotEqual(tests, typeof(Check).Assembly, "Check comes from the TestSupport assembly, not from the tests' own");
        Assert.IsEmpty(shared, $"the test assembly compiles the support library's or the benchmark's files: {string.Join(", ", shared)}");
    }

    /// <summary>The Include (or Update) of every <paramref name="element"/> item the project file names.</summary>
    private static IEnumerable<string> Items(string project, string element) =>
        XDocument.Load(Repository.PathOf(project.Split('/')))
            .Descendants(element)
            .Select(item => (string?)item.Attribute("Include") ?? (string?)item.Attribute("Update") ?? "")
            .ToArray();
}
