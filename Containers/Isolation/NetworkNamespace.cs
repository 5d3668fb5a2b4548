using System.Globalization;
using System.Net.Sockets;
using Microsoft.Win32.SafeHandles;

namespace FlowActors.Containers.Isolation;

/// <summary>
/// An open handle on a Linux network namespace (<c>/proc/…/ns/net</c>). Holding it keeps the namespace alive; a thread
/// that <see cref="Enter"/>s it creates its sockets there, and a socket keeps the namespace it was created in, whichever
/// thread uses it later. Network namespaces are per thread: only dedicated threads enter one (the namespace thread, the
/// component spawner), never a thread-pool thread.
/// </summary>
public sealed class NetworkNamespace : IDisposable
{
    private static readonly Lazy<NetworkNamespace> SiloNamespace = new(() => Open("/proc/self/ns/net"));

    private readonly Handle _handle;

    private NetworkNamespace(Handle handle, string id)
    {
        _handle = handle;
        Id = id;
    }

    /// <summary>The kernel's name for the namespace, <c>net:[4026532312]</c>: equal ids, same namespace.</summary>
    public string Id { get; }

    /// <summary>
    /// The namespace of the silo's main thread, which never leaves it: where the silo's own sockets live, and where the
    /// threads that enter others return. Opened once and kept for the life of the process.
    /// </summary>
    public static NetworkNamespace Silo => SiloNamespace.Value;

    /// <summary>The namespace of process <paramref name="processId"/> (a container's init, as the engine reports it).</summary>
    public static NetworkNamespace OfProcess(int processId) =>
        Open(string.Create(CultureInfo.InvariantCulture, $"/proc/{processId}/ns/net"));

    /// <summary>
    /// Moves the calling thread into a new network namespace, brings its loopback interface up (a new namespace's
    /// <c>lo</c> is down, so nothing could bind 127.0.0.1), and returns it. The thread stays there until it enters another.
    /// Needs CAP_SYS_ADMIN and CAP_NET_ADMIN.
    /// </summary>
    public static NetworkNamespace CreateAndEnter()
    {
        if (LinuxNative.Unshare(LinuxNative.CloneNewNet) != 0)
        {
            throw LinuxNative.Failure("unshare(CLONE_NEWNET)");
        }

        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            LinuxNative.BringLoopbackUp(socket.Handle);
        }

        return Open("/proc/thread-self/ns/net");
    }

    /// <summary>Moves the calling thread into this namespace. Needs CAP_SYS_ADMIN.</summary>
    public void Enter()
    {
        var added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            if (LinuxNative.SetNamespace((int)_handle.DangerousGetHandle(), LinuxNative.CloneNewNet) != 0)
            {
                throw LinuxNative.Failure($"setns({Id})");
            }
        }
        finally
        {
            if (added)
            {
                _handle.DangerousRelease();
            }
        }
    }

    public void Dispose() => _handle.Dispose();

    public override string ToString() => Id;

    private static NetworkNamespace Open(string path)
    {
        var fd = LinuxNative.Open(path, LinuxNative.ReadOnly | LinuxNative.CloseOnExec);
        if (fd < 0)
        {
            throw LinuxNative.Failure($"open({path})");
        }

        var handle = new Handle(fd);
        try
        {
            // Named from the descriptor, not the path: the process behind a /proc path may have changed meanwhile.
            var id = new FileInfo(string.Create(CultureInfo.InvariantCulture, $"/proc/self/fd/{fd}")).LinkTarget
                ?? throw new IOException($"{path} is not a namespace link.");
            return new NetworkNamespace(handle, id);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private sealed class Handle : SafeHandleMinusOneIsInvalid
    {
        public Handle(int fd)
            : base(ownsHandle: true) => SetHandle(fd);

        protected override bool ReleaseHandle() => LinuxNative.Close((int)handle) == 0;
    }
}
