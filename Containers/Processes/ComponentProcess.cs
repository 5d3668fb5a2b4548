using System.ComponentModel;
using System.Diagnostics;
using FlowActors.Containers.Output;
using Microsoft.Extensions.Logging;

namespace FlowActors.Containers.Processes;

/// <summary>
/// One component process, the local-process runtime's "container": hands it its environment on standard input
/// (<see cref="ComponentLauncher"/>), forwards its output to the log within bounds (<see cref="ComponentOutput"/>),
/// reports an exit nobody asked for, says how it ended, and stops at most once however many callers ask. Its lease's
/// expiry is kept in <see cref="Leases.ContainerLeases"/>, where the reaper looks.
/// </summary>
internal sealed partial class ComponentProcess
{
    // How long an exit's description waits for the last output to be read: the pipes close when the process ends,
    // unless a child it left behind still holds them.
    private static readonly TimeSpan OutputDrain = TimeSpan.FromSeconds(2);

    private readonly Process _process;
    private readonly ILogger _logger;
    private readonly Action<ComponentProcess, int> _exitedUnasked;
    private readonly IReadOnlyList<KeyValuePair<string, object?>> _scope;
    private readonly ComponentOutput _output;
    private readonly Task _outputRead;
    private readonly Lock _gate = new();
    private Task? _stopping;
    private int? _exitCode;

    /// <param name="input">What to write to its standard input before closing it (its environment, or nothing).</param>
    /// <param name="exitedUnasked">Called with the exit code when the process exits without <see cref="StopAsync"/>.</param>
    public ComponentProcess(
        Process process,
        byte[] input,
        Uri endpoint,
        string leaseId,
        IReadOnlyDictionary<string, string> labels,
        ContainerRequest request,
        ComponentOutputLimits limits,
        ILogger logger,
        TimeProvider time,
        Action<ComponentProcess, int> exitedUnasked)
    {
        _process = process;
        _logger = logger;
        _exitedUnasked = exitedUnasked;
        ProcessId = process.Id;
        ContainerId = $"process-{ProcessId}";
        Endpoint = endpoint;
        LeaseId = leaseId;
        Holder = request.Holder;
        FlowId = request.FlowId;
        StepId = request.StepId;
        Labels = labels;
        _scope = [new("flow", request.FlowId), new("step", request.StepId), new("container", ContainerId)];

        _output = new ComponentOutput(limits, time, Forward, count => LogSuppressed(_logger, count, ContainerId, limits.LinesPerMinute));
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => OnExited();
        _outputRead = Task.WhenAll(
            Task.Run(() => _output.ReadAsync(process.StandardOutput.BaseStream, isError: false, CancellationToken.None)),
            Task.Run(() => _output.ReadAsync(process.StandardError.BaseStream, isError: true, CancellationToken.None)));
        _ = WriteInputAsync(process.StandardInput.BaseStream, input);
    }

    public int ProcessId { get; }

    public string ContainerId { get; }

    public Uri Endpoint { get; }

    public string LeaseId { get; }

    public string Holder { get; }

    public string FlowId { get; }

    public string StepId { get; }

    public IReadOnlyDictionary<string, string> Labels { get; }

    public bool IsRunning
    {
        get
        {
            try
            {
                return !_process.HasExited && !IsZombie(ProcessId);
            }
            catch (InvalidOperationException)
            {
                // Disposed by a concurrent stop.
                return false;
            }
        }
    }

    public bool IsStopping => Volatile.Read(ref _stopping) is not null;

    /// <summary>How the process ended: its exit code and last lines of stderr; null while it runs.</summary>
    public async Task<ContainerExit?> GetExitAsync(CancellationToken cancellationToken)
    {
        if (IsRunning || _exitCode is null && IsStopping)
        {
            return null;
        }

        // Gone (or a zombie about to be reaped): its last output is on its way through the pipes.
        await _outputRead.WaitAsync(OutputDrain, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        cancellationToken.ThrowIfCancellationRequested();
        int? exitCode = _exitCode;
        if (exitCode is null)
        {
            try
            {
                exitCode = _process.HasExited ? _process.ExitCode : null;
            }
            catch (InvalidOperationException)
            {
                // Disposed by a stop that began meanwhile.
            }
        }

        return new ContainerExit(exitCode, _output.LastErrorLines);
    }

    /// <summary>Kills the process and everything it started, and waits until they are gone. Idempotent.</summary>
    public Task StopAsync(TimeSpan timeout)
    {
        lock (_gate)
        {
            return _stopping ??= KillAsync(timeout);
        }
    }

    private async Task KillAsync(TimeSpan timeout)
    {
        await Task.Yield();
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (Exception exception) when (exception is InvalidOperationException or Win32Exception)
        {
            // Gone already.
        }

        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            LogStopTimedOut(_logger, ContainerId, timeout);
        }

        _process.Dispose();
    }

    /// <summary>
    /// True when the process has died but is not reaped yet. .NET reaps children on SIGCHLD, a moment after
    /// the kernel closed the process's sockets; a holder that just saw the connection drop and asks whether
    /// the component crashed must hear "yes", not "still running".
    /// </summary>
    private static bool IsZombie(int processId)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            // "pid (comm) S ...": the state follows the last ')', since comm may itself contain one.
            var stat = File.ReadAllText($"/proc/{processId}/stat");
            var state = stat.AsSpan(stat.LastIndexOf(')') + 1).TrimStart();
            return state.Length == 0 || state[0] is 'Z' or 'X';
        }
        catch (IOException)
        {
            return true;
        }
    }

    /// <summary>Hands the process its environment and closes its input; a process that died first just does not get it.</summary>
    private static async Task WriteInputAsync(Stream input, byte[] bytes)
    {
        try
        {
            await using (input)
            {
                await input.WriteAsync(bytes);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
        }
    }

    private void Forward(string line, bool isError)
    {
        using (_logger.BeginScope(_scope))
        {
            if (isError)
            {
                LogErrorOutput(_logger, line);
            }
            else
            {
                LogOutput(_logger, line);
            }
        }
    }

    private void OnExited()
    {
        if (IsStopping)
        {
            return;
        }

        int exitCode;
        try
        {
            exitCode = _process.ExitCode;
            _exitCode = exitCode;
        }
        catch (InvalidOperationException)
        {
            return; // disposed by a stop that began meanwhile
        }

        using (_logger.BeginScope(_scope))
        {
            LogExitedUnasked(_logger, ContainerId, exitCode, Holder);
        }

        _exitedUnasked(this, exitCode);
    }

    [LoggerMessage(EventId = 2210, Level = LogLevel.Information, Message = "{Line}")]
    private static partial void LogOutput(ILogger logger, string line);

    [LoggerMessage(EventId = 2211, Level = LogLevel.Warning, Message = "{Line}")]
    private static partial void LogErrorOutput(ILogger logger, string line);

    [LoggerMessage(EventId = 2212, Level = LogLevel.Warning, Message = "Component process {ContainerId} exited with code {ExitCode} while leased to {Holder}")]
    private static partial void LogExitedUnasked(ILogger logger, string containerId, int exitCode, string holder);

    [LoggerMessage(EventId = 2300, Level = LogLevel.Warning, Message = "Suppressed {Count} lines of the output of component process {ContainerId} (over its {PerMinute} lines a minute)")]
    private static partial void LogSuppressed(ILogger logger, long count, string containerId, int perMinute);

    [LoggerMessage(EventId = 2213, Level = LogLevel.Warning, Message = "Component process {ContainerId} was killed but had not exited after {Timeout}")]
    private static partial void LogStopTimedOut(ILogger logger, string containerId, TimeSpan timeout);
}
