using System.Reflection;
using System.Text.RegularExpressions;
using FlowActors.Silo.Hosting;
using FlowActors.Tests.Infrastructure;

namespace FlowActors.Tests.Docs;

/// <summary>
/// docs/architecture.md is a newcomer's map: its table of grains names every grain the product runs, and only those.
/// A grain added without a row, or a row left for a grain that is gone, fails here.
/// </summary>
[TestClass]
public sealed partial class ArchitecturePageTests
{
    [TestMethod]
    public void GrainTable_NamesEveryGrainOfTheProduct_AndNoOther()
    {
        var grains = ProductGrains();
        Assert.IsGreaterThanOrEqualTo(10, grains.Count, "the product's assemblies were found: " + string.Join(", ", grains));
        var listed = ListedGrains(File.ReadAllLines(Repository.PathOf("docs", "architecture.md")));

        var missing = grains.Except(listed).Order().ToArray();
        var gone = listed.Except(grains).Order().ToArray();
        Assert.IsTrue(missing.Length == 0 && gone.Length == 0,
            $"the grain table of docs/architecture.md misses [{string.Join(", ", missing)}] and lists grains the product does not have [{string.Join(", ", gone)}]");
    }

    /// <summary>The grain classes of the assemblies the Silo runs (its own and the FlowActors ones it references).</summary>
    private static HashSet<string> ProductGrains()
    {
        var assemblies = new Dictionary<string, Assembly>(StringComparer.Ordinal);
        var pending = new Stack<Assembly>([typeof(EmbeddedProfile).Assembly]);
        while (pending.TryPop(out var assembly))
        {
            if (!assemblies.TryAdd(assembly.GetName().Name!, assembly))
            {
                continue;
            }

            foreach (var reference in assembly.GetReferencedAssemblies().Where(r => r.Name!.StartsWith("FlowActors.", StringComparison.Ordinal)))
            {
                pending.Push(Assembly.Load(reference));
            }
        }

        return assemblies.Values
            .SelectMany(a => a.GetTypes())
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(Grain).IsAssignableFrom(t))
            .Select(t => t.Name)
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The backquoted names ending in Grain in the first column of the table whose header is "| grain | key | owns |".</summary>
    private static HashSet<string> ListedGrains(string[] page)
    {
        var header = Array.FindIndex(page, line => line.StartsWith("| grain |", StringComparison.Ordinal));
        Assert.IsGreaterThanOrEqualTo(0, header, "docs/architecture.md has lost its table of grains ('| grain | key | owns |')");
        return page.Skip(header + 2)
            .TakeWhile(line => line.StartsWith('|'))
            .Select(line => line.Split('|')[1])
            .SelectMany(cell => GrainName().Matches(cell).Select(m => m.Groups[1].Value))
            .ToHashSet(StringComparer.Ordinal);
    }

    [GeneratedRegex(@"`(\w+Grain)`")]
    private static partial Regex GrainName();
}
