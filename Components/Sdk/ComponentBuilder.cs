using FlowActors.ComponentProtocol;

namespace FlowActors.ComponentSdk;

/// <summary>Declares the actions (and triggers) a component serves.</summary>
public sealed class ComponentBuilder
{
    private readonly Dictionary<string, ActionHandler> _actions = new(StringComparer.Ordinal);

    internal IReadOnlyDictionary<string, ActionHandler> Actions => _actions;

    internal Func<CancellationToken, Task>? WarmUpTask { get; private set; }

    /// <summary>
    /// Work to finish before the component reports ready (loading a cache, opening a connection): until it
    /// completes, <c>GET /healthz</c> answers 503 and the platform holds messages back.
    /// </summary>
    public ComponentBuilder WarmUp(Func<CancellationToken, Task> warmUp)
    {
        ArgumentNullException.ThrowIfNull(warmUp);
        WarmUpTask = warmUp;
        return this;
    }

    /// <summary>Serves <paramref name="name"/> with an asynchronous handler.</summary>
    public ComponentBuilder Action(string name, Func<ActionContext, Task<IReadOnlyList<Emit>>> handler)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(handler);
        if (!_actions.TryAdd(name, new ActionHandler(handler)))
        {
            throw new ArgumentException($"Action '{name}' is declared twice. Give each action its own name.", nameof(name));
        }

        return this;
    }

    /// <summary>Serves <paramref name="name"/> with a synchronous handler.</summary>
    public ComponentBuilder Action(string name, Func<ActionContext, IReadOnlyList<Emit>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Action(name, context => Task.FromResult(handler(context)));
    }
}
