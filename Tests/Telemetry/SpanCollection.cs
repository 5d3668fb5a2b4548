using System.Collections;
using System.Diagnostics;

namespace FlowActors.Tests.Telemetry;

/// <summary>
/// Where the in-memory exporter puts the silo's spans: ended spans arrive from any thread while the test reads, so the
/// list takes a lock (a plain list would not do).
/// </summary>
internal sealed class SpanCollection : ICollection<Activity>
{
    private readonly List<Activity> _spans = [];
    private readonly Lock _lock = new();

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _spans.Count;
            }
        }
    }

    public bool IsReadOnly => false;

    public void Add(Activity item)
    {
        lock (_lock)
        {
            _spans.Add(item);
        }
    }

    public Activity[] Snapshot()
    {
        lock (_lock)
        {
            return [.. _spans];
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _spans.Clear();
        }
    }

    public bool Contains(Activity item) => Snapshot().Contains(item);

    public void CopyTo(Activity[] array, int arrayIndex) => Snapshot().CopyTo(array, arrayIndex);

    public bool Remove(Activity item)
    {
        lock (_lock)
        {
            return _spans.Remove(item);
        }
    }

    public IEnumerator<Activity> GetEnumerator() => ((IEnumerable<Activity>)Snapshot()).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
