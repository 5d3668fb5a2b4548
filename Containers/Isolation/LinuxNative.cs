using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FlowActors.Containers.Isolation;

/// <summary>The few Linux system calls component isolation needs, from libc (the runtime maps "libc" to libc.so.6).</summary>
internal static partial class LinuxNative
{
    public const int CloneNewNet = 0x40000000;
    public const int ReadOnly = 0;
    public const int CloseOnExec = 0x80000;

    private const string Libc = "libc";
    private const uint GetInterfaceFlags = 0x8913;
    private const uint SetInterfaceFlags = 0x8914;
    private const short InterfaceUp = 0x1;
    private const int CurrentDirectory = -100; // AT_FDCWD
    private const int SymlinkNoFollow = 0x100; // AT_SYMLINK_NOFOLLOW
    private const uint BasicStats = 0x7ff; // STATX_BASIC_STATS

    [LibraryImport(Libc, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags);

    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    /// <summary>Moves the calling thread into a new network namespace (only <c>lo</c>, down).</summary>
    [LibraryImport(Libc, EntryPoint = "unshare", SetLastError = true)]
    public static partial int Unshare(int flags);

    /// <summary>Moves the calling thread into the namespace <paramref name="fd"/> refers to.</summary>
    [LibraryImport(Libc, EntryPoint = "setns", SetLastError = true)]
    public static partial int SetNamespace(int fd, int namespaceType);

    [LibraryImport(Libc, EntryPoint = "geteuid")]
    public static partial uint EffectiveUserId();

    /// <summary>The owner and mode of <paramref name="path"/> itself (a symbolic link is not followed), from <c>statx</c>, whose layout is the same on every architecture.</summary>
    public static (uint Owner, uint Mode) OwnerAndMode(string path)
    {
        var status = default(FileStatus);
        if (Statx(CurrentDirectory, path, SymlinkNoFollow, BasicStats, ref status) != 0)
        {
            throw Failure($"statx({path})");
        }

        return (status.Owner, status.Mode);
    }

    [LibraryImport(Libc, EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Statx(int directory, string path, int flags, uint mask, ref FileStatus status);

    [LibraryImport(Libc, EntryPoint = "ioctl", SetLastError = true)]
    private static partial int InterfaceControl(nint fd, nuint request, ref InterfaceRequest request2);

    /// <summary>Brings the loopback interface of the calling thread's network namespace up, as <c>ip link set lo up</c> does.</summary>
    public static void BringLoopbackUp(nint socket)
    {
        var request = new InterfaceRequest();
        "lo"u8.CopyTo(request.Name);
        if (InterfaceControl(socket, GetInterfaceFlags, ref request) != 0)
        {
            throw Failure("ioctl(SIOCGIFFLAGS, lo)");
        }

        request.Flags |= InterfaceUp;
        if (InterfaceControl(socket, SetInterfaceFlags, ref request) != 0)
        {
            throw Failure("ioctl(SIOCSIFFLAGS, lo up)");
        }
    }

    /// <summary>An exception naming the call and the error number it failed with (EPERM: the silo lacks a capability).</summary>
    public static System.ComponentModel.Win32Exception Failure(string call)
    {
        var error = Marshal.GetLastPInvokeError();
        return new System.ComponentModel.Win32Exception(error, $"{call} failed: {Marshal.GetPInvokeErrorMessage(error)} (errno {error})");
    }

    /// <summary><c>struct ifreq</c>: the interface name, then a 24-byte union whose first member here is the flags.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 40)]
    private struct InterfaceRequest
    {
        public InterfaceName Name;
        public short Flags;
    }

    /// <summary><c>struct statx</c> (256 bytes): only the owner and the mode (type and permission bits) are read.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct FileStatus
    {
        [FieldOffset(20)]
        public uint Owner;

        [FieldOffset(28)]
        public ushort Mode;
    }

    [InlineArray(16)]
    private struct InterfaceName
    {
        private byte _first;
    }
}
