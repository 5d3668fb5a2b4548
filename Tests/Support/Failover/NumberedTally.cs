namespace FlowActors.TestSupport.Failover;

/// <summary>
/// Counts what became of numbered messages 0..count-1 sent through one flow: each number is sent (once, or again after
/// a send that failed), and each output names the number it came from. Thread-safe; shared by the failover chaos test
/// and <c>bench -- failover</c>.
/// </summary>
public sealed class NumberedTally(string flow, int count)
{
    private readonly int[] _delivered = new int[count];
    private readonly bool[] _sent = new bool[count];
    private int _failed;
    private int _resent;
    private int _foreign;

    public string Flow { get; } = flow;

    public int Count { get; } = count;

    /// <summary>Number <paramref name="n"/> was accepted by the flow (its send returned).</summary>
    public void Sent(int n) => Volatile.Write(ref _sent[n], true);

    /// <summary>A send of a number failed (the client got an error) and is tried again: a duplicate is possible.</summary>
    public void Resent() => Interlocked.Increment(ref _resent);

    /// <summary>An output named number <paramref name="n"/>; anything else is counted apart.</summary>
    public void Delivered(int n)
    {
        if (n >= 0 && n < Count)
        {
            Interlocked.Increment(ref _delivered[n]);
        }
        else
        {
            Interlocked.Increment(ref _foreign);
        }
    }

    /// <summary>The flow reported an error event for a message instead of an output.</summary>
    public void ErrorEvent() => Interlocked.Increment(ref _failed);

    public int SentCount => _sent.Count(s => s);

    /// <summary>Distinct numbers that came out at least once.</summary>
    public int DeliveredCount => _delivered.Count(d => d > 0);

    /// <summary>Outputs beyond the first of their number.</summary>
    public int Duplicated => _delivered.Sum(d => Math.Max(0, d - 1));

    /// <summary>Numbers that were sent and never came out.</summary>
    public int Lost => Enumerable.Range(0, Count).Count(n => _sent[n] && _delivered[n] == 0);

    public int ErrorEvents => _failed;

    public int Resends => _resent;

    /// <summary>Outputs that named no number of this run.</summary>
    public int Foreign => _foreign;

    public override string ToString() =>
        $"{Flow}: sent {SentCount}, delivered {DeliveredCount}, duplicated {Duplicated}, lost {Lost}, error events {ErrorEvents}, sends retried {Resends}";
}
