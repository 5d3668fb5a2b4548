using FlowActors.Cli;
using FlowActors.Cli.Api;
using FlowActors.Cli.Commands;

// flowactors: flows and components as files, applied to a silo over its HTTP API; messages, events and executions.
// Exit codes are in ExitCodes (and docs/cli.md); results go to stdout, progress and errors to stderr.
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true; // end the command cleanly (tail's normal end)
    stop.Cancel();
};

// Errors before the command line is understood are text; after, they follow --output.
var output = new Output(Console.Out, Console.Error, json: false);
try
{
    var line = CommandLine.Parse(args);
    output = new Output(Console.Out, Console.Error, Output.IsJson(line));
    return await RunAsync(line, output, stop.Token);
}
catch (CliException e)
{
    output.Failure(e);
    return e.ExitCode;
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    return ExitCodes.Failed;
}

static async Task<int> RunAsync(CommandLine line, Output output, CancellationToken ct)
{
    var help = line.Flag("help") || line.Flag("h");
    if (line.Command is null or "help")
    {
        Console.WriteLine(Usage.Text);
        return line.Command is null && !help ? ExitCodes.Usage : ExitCodes.Ok;
    }

    if (help)
    {
        Console.WriteLine(Usage.For(line.Command));
        return ExitCodes.Ok;
    }

    using var api = ApiClient.From(line);
    var timeout = line.SecondsOption("timeout", line.Command == "send" ? TimeSpan.FromSeconds(30) : FlowWaits.DefaultTimeout);
    switch (line.Command)
    {
        case "apply":
            var folder = line.Argument(0, "the folder (or file) to apply");
            var rotate = line.Flag("rotate-credentials");
            line.ThrowIfUnused(1);
            return await new ApplyCommand(api, output, timeout, rotate).RunAsync(folder, ct);
        case "credentials":
            line.ThrowIfUnused(0);
            return await CredentialCommands.ListAsync(api, output, ct);
        case "credential":
            return await CredentialCommands.RunAsync(api, output, line, ct);
        case "flows":
            line.ThrowIfUnused(0);
            return await ListCommands.FlowsAsync(api, output, ct);
        case "components":
            line.ThrowIfUnused(0);
            return await ListCommands.ComponentsAsync(api, output, ct);
        case "start":
            var started = line.Argument(0, "the flow id");
            var wait = !line.Flag("no-wait");
            line.ThrowIfUnused(1);
            return await LifecycleCommands.StartAsync(api, output, started, wait, timeout, ct);
        case "stop":
            var stopped = line.Argument(0, "the flow id");
            line.ThrowIfUnused(1);
            return await LifecycleCommands.StopAsync(api, output, stopped, ct);
        case "send":
            var target = line.Argument(0, "the flow id");
            var body = SendCommand.Body(line, output);
            var waitForReply = !line.Flag("no-wait");
            line.ThrowIfUnused(2);
            return await SendCommand.RunAsync(api, output, target, body, waitForReply, timeout, ct);
        case "try":
            var tried = line.Argument(0, "the flow id");
            var sample = SendCommand.Body(line, output);
            var trialStep = line.Option("step");
            line.ThrowIfUnused(2);
            return await TryCommand.RunAsync(api, output, tried, trialStep, sample, ct);
        case "tail":
            var followed = line.Argument(0, "the flow id");
            int? count = line.Option("count") is null ? null : line.IntOption("count", 0, 1, int.MaxValue);
            line.ThrowIfUnused(1);
            return await TailCommand.RunAsync(api, output, followed, count, ct);
        case "execution":
            var flowId = line.Argument(0, "the flow id");
            var executionId = line.Argument(1, "the execution id");
            line.ThrowIfUnused(2);
            return await ExecutionCommands.ShowAsync(api, output, flowId, executionId, ct);
        case "executions":
            var listed = line.Argument(0, "the flow id");
            var limit = line.IntOption("limit", 20, 1, 1000);
            line.ThrowIfUnused(1);
            return await ExecutionCommands.ListAsync(api, output, listed, limit, ct);
        case "counters":
            var counted = line.Argument(0, "the flow id");
            line.ThrowIfUnused(1);
            return await DeadLetterCommands.CountersAsync(api, output, counted, ct);
        case "dead-letters":
            var lettersOf = line.Argument(0, "the flow id");
            var offset = line.IntOption("offset", 0, 0, int.MaxValue);
            var pageSize = line.IntOption("limit", 20, 1, 1000);
            line.ThrowIfUnused(1);
            return await DeadLetterCommands.ListAsync(api, output, lettersOf, offset, pageSize, ct);
        case "replay":
            var replayedFlow = line.Argument(0, "the flow id");
            var replayed = line.Argument(1, "the dead letter id");
            int? revision = line.Option("revision") is null ? null : line.IntOption("revision", 0, 1, int.MaxValue);
            line.ThrowIfUnused(2);
            return await DeadLetterCommands.ReplayAsync(api, output, replayedFlow, replayed, revision, ct);
        case "discard":
            var discardedFlow = line.Argument(0, "the flow id");
            var discarded = line.Argument(1, "the dead letter id");
            line.ThrowIfUnused(2);
            return await DeadLetterCommands.DiscardAsync(api, output, discardedFlow, discarded, ct);
        default:
            throw new CliException(ExitCodes.Usage, $"Unknown command '{line.Command}'. Run 'flowactors help' for the list.");
    }
}
