using System.Diagnostics;
using System.Text;
using FlowActors.TestSupport.Silos;

namespace FlowActors.Tests.Infrastructure;

/// <summary>The built <c>flowactors</c> tool, run as its own process the way a script runs it: arguments in, exit code and output out.</summary>
internal sealed class CliProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource _following = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private CliProcess(Process process) => _process = process;

    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Completes when <c>tail</c> says it follows the flow.</summary>
    public Task Following => _following.Task;

    /// <summary>Runs the tool against <paramref name="silo"/> (its URL and key) and waits for it to exit.</summary>
    public static async Task<CliProcess> RunAsync(SiloProcess silo, params string[] args)
    {
        var cli = Start(silo, args);
        await cli.WaitAsync(TimeSpan.FromMinutes(3));
        return cli;
    }

    /// <summary>Runs the tool through <c>scripts/flowactors</c>, README's fast way to run it, and waits for it to exit.</summary>
    public static async Task<CliProcess> RunScriptAsync(SiloProcess silo, params string[] args)
    {
        var cli = Start(silo, args, Repository.PathOf("scripts", "flowactors"));
        await cli.WaitAsync(TimeSpan.FromMinutes(3));
        return cli;
    }

    /// <summary>Starts the tool without waiting: for <c>tail</c>.</summary>
    public static CliProcess Start(SiloProcess silo, params string[] args) => Start(silo, args, script: null);

    private static CliProcess Start(SiloProcess silo, string[] args, string? script)
    {
        var start = new ProcessStartInfo(script ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = Repository.Root,
        };
        if (script is null)
        {
            start.ArgumentList.Add(Repository.BuildOutput("Cli", "FlowActors.Cli.dll"));
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["FLOWACTORS_URL"] = silo.BaseAddress.ToString();
        if (silo.GeneratedKey)
        {
            // As README's tour runs it: from the folder the silo runs in, where the tool finds the key the silo generated.
            start.WorkingDirectory = silo.ContentRoot;
        }
        else
        {
            start.Environment["FLOWACTORS_API_KEY"] = SiloProcess.ApiKey;
        }

        var cli = new CliProcess(Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start"));
        cli._process.OutputDataReceived += (_, e) => Append(cli._stdout, e.Data);
        cli._process.ErrorDataReceived += (_, e) =>
        {
            Append(cli._stderr, e.Data);
            if (e.Data?.StartsWith("Following ", StringComparison.Ordinal) == true)
            {
                cli._following.TrySetResult();
            }
        };
        cli._process.BeginOutputReadLine();
        cli._process.BeginErrorReadLine();
        cli._process.StandardInput.Close();
        return cli;
    }

    public int ExitCode => _process.ExitCode;

    /// <summary>Waits (bounded) for the tool to exit and for its output to be read.</summary>
    public async Task WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"flowactors did not exit within {timeout}.\nstdout: {Stdout}\nstderr: {Stderr}");
        }
    }

    /// <summary>Asserts the exit code, showing what the tool printed when it is another.</summary>
    public CliProcess AssertExit(int expected)
    {
        Assert.AreEqual(expected, ExitCode, $"stdout: {Stdout}\nstderr: {Stderr}");
        return this;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static void Append(StringBuilder text, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (text)
        {
            text.AppendLine(line);
        }
    }
}
