using System.Reflection;
using System.Xml.Linq;
using FlowActors.Client;

namespace FlowActors.Tests.Client;

/// <summary>
/// What SDK users see of the client assembly, and of every FlowActors type reachable from it (contracts, options,
/// exceptions), holds no Orleans type: they program against FlowActors, and Orleans stays an implementation detail.
/// And all of it is in the client's own namespace, so that <c>using FlowActors.Client;</c> is all an SDK user writes.
/// </summary>
[TestClass]
public sealed class PublicSurfaceTests
{
    [TestMethod]
    public void ClientPublicSurface_ExposesNoOrleansType()
    {
        var surface = Walk();

        Assert.IsEmpty(surface.OrleansUses, "Orleans types on the SDK's public surface:\n" + string.Join("\n", surface.OrleansUses));
        CollectionAssert.IsSubsetOf(
            new[] { "FlowActors.Client.IFlowActorsClient", "FlowActors.Client.FlowStatus", "FlowActors.Client.ExecutionRecord" },
            surface.Visited.ToArray(),
            "the walk reaches the contracts the SDK returns");
    }

    [TestMethod]
    public void ClientPublicSurface_IsInTheClientsNamespace()
    {
        var surface = Walk();

        // The contracts stay in Grains.Interfaces (grains need them, and they cross the wire) but take the client's
        // namespace: an SDK user never imports FlowActors.Grains.Interfaces.*. FlowActors.Client.Hosting is the
        // client's too (its folder), for the host builder's AddFlowActorsClient.
        var elsewhere = surface.Visited.Where(t => t != "FlowActors.Client" && !t.StartsWith("FlowActors.Client.", StringComparison.Ordinal)).Order().ToArray();
        Assert.IsEmpty(elsewhere, "types on the SDK's public surface outside FlowActors.Client:\n" + string.Join("\n", elsewhere));
        Assert.IsEmpty(surface.Foreign, "types from neither FlowActors nor the BCL on the SDK's public surface:\n" + string.Join("\n", surface.Foreign));
    }

    [TestMethod]
    public void OrleansTypedHelpers_AreInternal()
    {
        var exported = typeof(IFlowActorsClient).Assembly.GetExportedTypes().Select(t => t.Name).ToArray();

        CollectionAssert.DoesNotContain(exported, "FlowReplies");
        CollectionAssert.DoesNotContain(exported, "FlowEventSubscription");
        CollectionAssert.DoesNotContain(exported, "FlowActorsClient", "users get IFlowActorsClient from DI; the class takes an IClusterClient");
    }

    /// <summary>
    /// Walks the client assembly's exported types and the FlowActors types their documentation names (the exceptions
    /// <see cref="IFlowActorsClient"/> throws are met in a catch, never in a signature).
    /// </summary>
    private static PublicSurface Walk()
    {
        var assembly = typeof(IFlowActorsClient).Assembly;
        var surface = new PublicSurface();
        foreach (var type in assembly.GetExportedTypes())
        {
            surface.Visit(type, type.FullName!);
        }

        foreach (var (documented, named) in DocumentedTypes(assembly))
        {
            surface.Visit(named, $"named in the docs of {documented}");
        }

        CollectionAssert.Contains(surface.Visited.ToArray(), "FlowActors.Client.FlowValidationException", "the walk reaches the exceptions the docs name");
        return surface;
    }

    private static IEnumerable<(string Documented, Type Named)> DocumentedTypes(Assembly assembly)
    {
        var file = Path.ChangeExtension(assembly.Location, ".xml");
        Assert.IsTrue(File.Exists(file), $"{file} is missing: Directory.Build.props generates documentation files");
        var exported = assembly.GetExportedTypes().Select(t => t.FullName!).ToHashSet(StringComparer.Ordinal);
        var contracts = typeof(FlowStatus).Assembly;
        foreach (var member in XDocument.Load(file).Descendants("member"))
        {
            // "T:Ns.Type", "M:Ns.Type.Method(...)", "P:Ns.Type.Property": the documented type is the longest exported prefix.
            var name = member.Attribute("name")!.Value[2..].Split('(')[0];
            var documented = exported.Where(t => name == t || name.StartsWith(t + ".", StringComparison.Ordinal)).MaxBy(t => t.Length);
            if (documented is null)
            {
                continue;
            }

            foreach (var cref in member.Descendants().Attributes("cref").Select(a => a.Value).Where(c => c.StartsWith("T:FlowActors.", StringComparison.Ordinal)))
            {
                var type = assembly.GetType(cref[2..]) ?? contracts.GetType(cref[2..]);
                Assert.IsNotNull(type, $"{documented}'s docs name {cref}, which neither the client nor the contracts define");
                yield return (documented, type);
            }
        }
    }

    /// <summary>Walks public members (signatures, generic arguments, base types) and the FlowActors types they lead to.</summary>
    private sealed class PublicSurface
    {
        private const BindingFlags Declared = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

        public HashSet<string> Visited { get; } = new(StringComparer.Ordinal);

        public List<string> OrleansUses { get; } = [];

        /// <summary>Types of other libraries than FlowActors, Orleans and the BCL: an SDK user would need their packages too.</summary>
        public List<string> Foreign { get; } = [];

        public void Visit(Type type, string where)
        {
            if (type.IsGenericParameter)
            {
                return;
            }

            if (type.HasElementType)
            {
                Visit(type.GetElementType()!, where);
                return;
            }

            if (type.IsConstructedGenericType)
            {
                foreach (var argument in type.GetGenericArguments())
                {
                    Visit(argument, where);
                }

                Visit(type.GetGenericTypeDefinition(), where);
                return;
            }

            if (IsOrleans(type))
            {
                OrleansUses.Add($"{where}: {type.FullName}");
                return;
            }

            if (type.Namespace?.StartsWith("FlowActors", StringComparison.Ordinal) != true)
            {
                if (!IsBcl(type))
                {
                    Foreign.Add($"{where}: {type.FullName}");
                }

                return;
            }

            if (!Visited.Add(type.FullName!))
            {
                return;
            }

            if (type.BaseType is { } baseType)
            {
                Visit(baseType, $"{type.Name} base type");
            }

            foreach (var contract in type.GetInterfaces())
            {
                Visit(contract, $"{type.Name} implements");
            }

            foreach (var member in type.GetMembers(Declared))
            {
                var at = $"{type.Name}.{member.Name}";
                switch (member)
                {
                    case MethodBase method:
                        if (method is MethodInfo info)
                        {
                            Visit(info.ReturnType, at);
                        }

                        foreach (var parameter in method.GetParameters())
                        {
                            Visit(parameter.ParameterType, $"{at}({parameter.Name})");
                        }

                        break;
                    case PropertyInfo property:
                        Visit(property.PropertyType, at);
                        break;
                    case FieldInfo field:
                        Visit(field.FieldType, at);
                        break;
                    case EventInfo e:
                        Visit(e.EventHandlerType!, at);
                        break;
                    case Type nested:
                        Visit(nested, at);
                        break;
                }
            }
        }

        private static bool IsBcl(Type type) =>
            type.Assembly == typeof(object).Assembly
            || type.Assembly.GetName().Name is { } name
                && (name.StartsWith("System.", StringComparison.Ordinal) || name.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal));

        private static bool IsOrleans(Type type) =>
            type.Namespace?.StartsWith("Orleans", StringComparison.Ordinal) == true
            || type.Assembly.GetName().Name?.StartsWith("Orleans", StringComparison.Ordinal) == true;
    }
}
