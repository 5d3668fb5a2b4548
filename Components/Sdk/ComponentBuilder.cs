using FlowActors.ComponentProtocol;

namespace FlowActors.ComponentSdk;

/// <summary>Declares the actions (and triggers) a component serves.</summary>
public sealed class ComponentBuilder
{
    private readonly Dictionary<string, ActionEntry> _actions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ActionDescription> _descriptions = new(StringComparer.Ordinal);

    internal IReadOnlyDictionary<string, ActionEntry> Actions => _actions;

    internal IReadOnlyDictionary<string, ActionDescription> Descriptions => _descriptions;

    internal Func<CancellationToken, Task>? WarmUpTask { get; private set; }

    internal int? MaxConcurrencyLimit { get; private set; }

    /// <summary>
    /// The most messages this component runs at once (a connection pool's size, an API's limit on parallel calls). The
    /// platform never sends more when the component's descriptor declares the same <c>maxConcurrency</c>; the SDK holds
    /// to it even when asked for more. Without it, the component runs as many at once as the step's concurrency.
    /// </summary>
    public ComponentBuilder MaxConcurrency(int messages)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(messages, 1);
        MaxConcurrencyLimit = messages;
        return this;
    }

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
        ArgumentNullException.ThrowIfNull(handler);
        return Add(name, new ActionEntry(new ActionHandler(handler), null));
    }

    /// <summary>
    /// Serves <paramref name="name"/> with a handler that takes a whole batch at once (one call for
    /// <c>POST /invoke/batch</c>, a batch of one for <c>POST /invoke</c>), for components that batch what they do
    /// with the messages, such as a send to a broker. It returns one list of emits per message, in order.
    /// </summary>
    public ComponentBuilder BatchAction(string name, BatchActionHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(name, new ActionEntry(null, handler));
    }

    private ComponentBuilder Add(string name, ActionEntry handler)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!_actions.TryAdd(name, handler))
        {
            throw new ArgumentException($"Action '{name}' is declared twice. Give each action its own name.", nameof(name));
        }

        return this;
    }

    /// <summary>
    /// Describes action <paramref name="name"/> for the console's designer: the JSON Schema of the configuration it reads
    /// and a sample input (JSON text). The same goes in the deployment's <c>descriptor.details</c>; <c>GET /descriptor</c>
    /// (and running the component with <c>--descriptor</c>) shows what the component declares.
    /// </summary>
    public ComponentBuilder Describe(string name, ActionDescription description)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(description);
        description.ThrowIfInvalid(name);
        _descriptions[name] = description;
        return this;
    }

    /// <summary>Serves <paramref name="name"/> with a synchronous handler.</summary>
    public ComponentBuilder Action(string name, Func<ActionContext, IReadOnlyList<Emit>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Action(name, context => Task.FromResult(handler(context)));
    }
}
