using System.Diagnostics;
using System.Globalization;

namespace FlowActors.Tests.Isolation;

/// <summary>
/// A shared library any local user could plant, built here with the machine's gcc: its constructor appends
/// "REAL_UID EFFECTIVE_UID COMMAND" to a record file for every process that loads it (through <c>LD_PRELOAD</c>), so a
/// test reads which programs ran its code, and as whom. Library and record sit in a folder everyone may enter, the
/// record writable by everyone, as they would for an attacker using uid 65534.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class PreloadLibrary : IDisposable
{
    private const string Source = """
        #include <fcntl.h>
        #include <stdio.h>
        #include <unistd.h>

        __attribute__((constructor)) static void record(void)
        {
            char comm[64] = "?";
            int c = open("/proc/self/comm", O_RDONLY);
            if (c >= 0)
            {
                ssize_t n = read(c, comm, sizeof comm - 1);
                comm[n > 0 ? n - 1 : 0] = 0;
                close(c);
            }

            char line[128];
            int length = snprintf(line, sizeof line, "%u %u %s\n", getuid(), geteuid(), comm);
            int f = open(RECORD, O_WRONLY | O_APPEND | O_CREAT, 0666);
            if (f >= 0)
            {
                write(f, line, length);
                close(f);
            }
        }
        """;

    private readonly string _folder;

    private PreloadLibrary(string folder)
    {
        _folder = folder;
        Path = System.IO.Path.Combine(folder, "record.so");
        RecordPath = System.IO.Path.Combine(folder, "record.txt");
    }

    /// <summary>The library, for <c>LD_PRELOAD</c>.</summary>
    public string Path { get; }

    public string RecordPath { get; }

    /// <summary>Every load so far: who ran the library's code, in which program.</summary>
    public IReadOnlyList<(uint User, uint EffectiveUser, string Command)> Loads =>
        [.. File.ReadAllLines(RecordPath)
            .Where(line => line.Length > 0)
            .Select(line => line.Split(' ', 3))
            .Select(fields => (uint.Parse(fields[0], CultureInfo.InvariantCulture), uint.Parse(fields[1], CultureInfo.InvariantCulture), fields[2]))];

    public static async Task<PreloadLibrary> BuildAsync()
    {
        var folder = Directory.CreateTempSubdirectory("flowactors-preload-").FullName;
        var library = new PreloadLibrary(folder);
        try
        {
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            var source = System.IO.Path.Combine(folder, "record.c");
            await File.WriteAllTextAsync(source, Source);
            await File.WriteAllTextAsync(library.RecordPath, "");
            File.SetUnixFileMode(library.RecordPath, (UnixFileMode)0b110_110_110);

            var gcc = new ProcessStartInfo("gcc") { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var argument in (string[])["-shared", "-fPIC", "-O1", $"-DRECORD=\"{library.RecordPath}\"", "-o", library.Path, source])
            {
                gcc.ArgumentList.Add(argument);
            }

            using var build = Process.Start(gcc) ?? throw new InvalidOperationException("gcc did not start");
            var errors = build.StandardError.ReadToEndAsync();
            await build.StandardOutput.ReadToEndAsync();
            await build.WaitForExitAsync();
            Assert.AreEqual(0, build.ExitCode, $"gcc could not build the preload library: {await errors}");
            File.SetUnixFileMode(library.Path, (UnixFileMode)0b111_101_101);
            return library;
        }
        catch
        {
            library.Dispose();
            throw;
        }
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
