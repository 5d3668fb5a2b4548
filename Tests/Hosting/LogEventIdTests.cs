using System.Reflection;
using Microsoft.Extensions.Logging;

namespace FlowActors.Tests.Hosting;

/// <summary>
/// Operators alert and filter on EventIds, so every log message of the product has one of its own, stable across
/// releases, in its area's range (docs/operations.md lists them).
/// </summary>
[TestClass]
public sealed class LogEventIdTests
{
    [TestMethod]
    public void EveryLogMessage_HasAnEventId_UsedByNoOtherMessage()
    {
        var messages = ProductAssemblies()
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => (Method: $"{m.DeclaringType!.FullName}.{m.Name}", Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(m => m.Attribute is not null)
            .ToList();

        Assert.IsTrue(messages.Count > 50, $"found only {messages.Count} log messages: is the scan looking at the product?");
        var missing = messages.Where(m => m.Attribute!.EventId <= 0).Select(m => m.Method).ToList();
        Assert.AreEqual(0, missing.Count, "log messages without an EventId: " + string.Join(", ", missing));
        var shared = messages.GroupBy(m => m.Attribute!.EventId).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(" and ", g.Select(m => m.Method))}").ToList();
        Assert.AreEqual(0, shared.Count, "EventIds used twice: " + string.Join("; ", shared));
    }

    private static IEnumerable<Assembly> ProductAssemblies() =>
        Directory.EnumerateFiles(AppContext.BaseDirectory, "FlowActors.*.dll")
            .Where(f => !Path.GetFileName(f).StartsWith("FlowActors.Tests", StringComparison.Ordinal))
            .Select(f => Assembly.LoadFrom(f))
            .Where(a => a.GetName().Name!.StartsWith("FlowActors.", StringComparison.Ordinal));
}
