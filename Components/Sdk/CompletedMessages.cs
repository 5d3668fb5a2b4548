using FlowActors.ComponentProtocol;

namespace FlowActors.ComponentSdk;

/// <summary>
/// What the component answered for the messages it completed lately, by action and message id (stable per hop): the
/// platform calls again for a message whose answer it did not get (a batch that timed out part-way, a connection
/// that broke), and the component answers from here instead of repeating the message's work and its side effects.
/// Rebounds and poison are not kept: those messages are meant to be looked at again.
/// </summary>
internal sealed class CompletedMessages(int capacity)
{
    public const int DefaultCapacity = 1024;

    private readonly Lock _gate = new();
    private readonly Dictionary<(string Action, string Id), IReadOnlyList<Emit>> _answers = [];
    private readonly Queue<(string Action, string Id)> _order = new();

    public bool TryGet(string action, string id, out IReadOnlyList<Emit> emits)
    {
        lock (_gate)
        {
            return _answers.TryGetValue((action, id), out emits!);
        }
    }

    public void Add(string action, string id, IReadOnlyList<Emit> emits)
    {
        if (emits.Any(emit => emit.Kind is EmitKinds.Rebound or EmitKinds.Poison))
        {
            return;
        }

        lock (_gate)
        {
            if (!_answers.TryAdd((action, id), emits))
            {
                return;
            }

            _order.Enqueue((action, id));
            if (_order.Count > capacity)
            {
                _answers.Remove(_order.Dequeue());
            }
        }
    }
}
