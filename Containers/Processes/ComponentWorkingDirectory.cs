using FlowActors.Containers.Isolation;

namespace FlowActors.Containers.Processes;

/// <summary>
/// The folder local component processes run in. Programs read files from their working directory (a .NET host's
/// <c>appsettings.json</c>, Python's import path for <c>-m</c> and <c>-c</c>), so nobody but the silo's user may have
/// put anything there. By default each runtime makes a folder of its own with an unpredictable name in the temporary
/// folder (as <c>mkdtemp</c> does: nobody can have made it first), readable by all since components enter it as another
/// user, and removes it when it is disposed. Not in the data folder: that is owner-only, and a component must be able to
/// reach its working directory by its path (the .NET host checks it exists). A configured folder is used only when it is
/// a real folder (no symbolic link) owned by the silo's user that no one else may write to, in a parent that only its
/// owner (or root) may change, or that is sticky, as /tmp is. Anything else is refused, naming the folder and the fix,
/// and nothing starts.
/// </summary>
internal static class ComponentWorkingDirectory
{
    private const UnixFileMode Readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const uint TypeMask = 0xF000; // S_IFMT
    private const uint DirectoryType = 0x4000; // S_IFDIR
    private const uint OthersWrite = 0x12; // S_IWGRP | S_IWOTH
    private const uint Sticky = 0x200; // S_ISVTX

    /// <summary>A new folder of this runtime's own in the temporary folder, with a name nobody could guess beforehand.</summary>
    public static string CreatePrivate()
    {
        var folder = Directory.CreateTempSubdirectory("flowactors-components-").FullName;
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(folder, Readable);
            Check(folder, folder, isParent: false);
        }

        return folder;
    }

    /// <summary>Creates the configured <paramref name="path"/> (and its parents, if missing) or checks the one there; returns its full path.</summary>
    /// <exception cref="InvalidOperationException">The folder, or its parent, may be changed by someone other than the silo's user.</exception>
    public static string Ensure(string path)
    {
        var full = Path.GetFullPath(path);
        if (OperatingSystem.IsWindows())
        {
            return Directory.CreateDirectory(full).FullName;
        }

        var parent = Path.GetDirectoryName(full) ?? throw Refused(full, "it is the root folder", "choose a folder of its own");
        if (!Directory.Exists(parent))
        {
            Directory.CreateDirectory(parent, Readable);
        }

        if (!Directory.Exists(full) && !File.Exists(full))
        {
            try
            {
                Directory.CreateDirectory(full, Readable);
            }
            catch (IOException)
            {
                // Made by someone else meanwhile: checked below like any folder that was there.
            }
        }

        Check(parent, full, isParent: true);
        Check(full, full, isParent: false);
        return full;
    }

    private static void Check(string folder, string workingDirectory, bool isParent)
    {
        var me = LinuxNative.EffectiveUserId();
        var (owner, mode) = LinuxNative.OwnerAndMode(folder);
        var what = isParent ? $"its parent folder {folder}" : "it";
        if ((mode & TypeMask) != DirectoryType)
        {
            throw Refused(workingDirectory, $"{what} is not a folder (a symbolic link, or a file)", $"remove {folder}, or choose another folder");
        }

        if (owner != me && !(isParent && owner == 0))
        {
            throw Refused(workingDirectory, $"{what} belongs to uid {owner}, not to the silo's user (uid {me})",
                $"remove {folder} (someone else may have put files there), or choose another folder");
        }

        if ((mode & OthersWrite) != 0 && !(isParent && (mode & Sticky) != 0))
        {
            throw Refused(workingDirectory, $"{what} may be written by others (mode {Convert.ToString(mode & 0xFFF, 8)})",
                $"chmod go-w {folder} after checking what is in it, or choose another folder");
        }
    }

    private static InvalidOperationException Refused(string folder, string why, string fix) => new(
        $"Local component processes run in {folder}, but {why}: components would run with files someone else may have put there "
        + $"(an appsettings.json a .NET component loads). Fix: {fix} ({LocalProcessRuntimeOptions.SectionName}:WorkingDirectory).");
}
