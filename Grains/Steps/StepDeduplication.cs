namespace FlowActors.Grains.Steps;

/// <summary>
/// Which messages a step has in hand or completed, by message id (stable per hop: see FlowMessage.Next), so that a
/// message delivered again (the stream timed out a delivery, a publisher retried after a partial failure) is dropped
/// rather than processed twice. Completed ids are kept for the last <c>capacity</c> messages, oldest forgotten first.
/// </summary>
/// <remarks>Not thread-safe: it lives in a grain activation.</remarks>
internal sealed class StepDeduplication(int capacity)
{
    private readonly HashSet<string> _completed = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly HashSet<string> _inHand = new(StringComparer.Ordinal);

    /// <summary>Completions since the window was last stored.</summary>
    public int Unsaved { get; private set; }

    /// <summary>
    /// Takes the message in hand; false when the step has it in hand already (queued, in a call, waiting for a retry)
    /// or completed it: then it is a duplicate, to be dropped.
    /// </summary>
    public bool TryBegin(string id) => !_completed.Contains(id) && _inHand.Add(id);

    /// <summary>The message was processed and what came of it published: a later delivery of it is a duplicate.</summary>
    public void Complete(string id)
    {
        _inHand.Remove(id);
        if (!_completed.Add(id))
        {
            return;
        }

        _order.Enqueue(id);
        Unsaved++;
        while (_order.Count > capacity)
        {
            _completed.Remove(_order.Dequeue());
        }
    }

    /// <summary>
    /// The step let the message go unprocessed (its delivery failed, it was dead-lettered, the step stopped): a later
    /// delivery, or a replay, is processed.
    /// </summary>
    public void Abandon(string id) => _inHand.Remove(id);

    /// <summary>The completed ids, oldest first, for storage; marks them saved.</summary>
    public string[] Save()
    {
        Unsaved = 0;
        return [.. _order];
    }

    /// <summary>Remembers ids an earlier activation completed.</summary>
    public void Load(IEnumerable<string>? completed)
    {
        foreach (var id in completed ?? [])
        {
            Complete(id);
        }

        Unsaved = 0;
    }
}
