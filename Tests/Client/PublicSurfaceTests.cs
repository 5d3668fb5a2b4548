using System.Reflection;
using FlowActors.Client;

namespace FlowActors.Tests.Sdk;

/// <summary>
/// What SDK users see of the client assembly, and of every FlowActors type reachable from it (contracts, options,
/// exceptions), holds no Orleans type: they program against FlowActors, and Orleans stays an implementation detail.
/// </summary>
[TestClass]
public sealed class PublicSurfaceTests
{
    [TestMethod]
    public void ClientPublicSurface_ExposesNoOrleansType()
    {
        var surface = new PublicSurface();
        foreach (var type in typeof(IFlowActorsClient).Assembly.GetExportedTypes())
        {
            surface.Visit(type, type.FullName!);
        }

        Assert.IsEmpty(surface.OrleansUses, "Orleans types on the SDK's public surface:\n" + string.Join("\n", surface.OrleansUses));
        CollectionAssert.IsSubsetOf(
            new[] { "FlowActors.Client.IFlowActorsClient", "FlowActors.Grains.Interfaces.Flows.FlowStatus", "FlowActors.Grains.Interfaces.Executions.ExecutionRecord" },
            surface.Visited.ToArray(),
            "the walk reaches the contracts the SDK returns");
    }

    [TestMethod]
    public void OrleansTypedHelpers_AreInternal()
    {
        var exported = typeof(IFlowActorsClient).Assembly.GetExportedTypes().Select(t => t.Name).ToArray();

        CollectionAssert.DoesNotContain(exported, "FlowReplies");
        CollectionAssert.DoesNotContain(exported, "FlowEventSubscription");
        CollectionAssert.DoesNotContain(exported, "FlowActorsClient", "users get IFlowActorsClient from DI; the class takes an IClusterClient");
    }

    /// <summary>Walks public members (signatures, generic arguments, base types) and the FlowActors types they lead to.</summary>
    private sealed class PublicSurface
    {
        private const BindingFlags Declared = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

        public HashSet<string> Visited { get; } = new(StringComparer.Ordinal);

        public List<string> OrleansUses { get; } = [];

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

            if (type.Namespace?.StartsWith("FlowActors", StringComparison.Ordinal) != true || !Visited.Add(type.FullName!))
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

        private static bool IsOrleans(Type type) =>
            type.Namespace?.StartsWith("Orleans", StringComparison.Ordinal) == true
            || type.Assembly.GetName().Name?.StartsWith("Orleans", StringComparison.Ordinal) == true;
    }
}
