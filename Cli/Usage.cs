using FlowActors.Cli.Commands;

namespace FlowActors.Cli;

/// <summary>The help texts.</summary>
public static class Usage
{
    public const string Text = """
        flowactors: FlowActors flows and components as files, and the flows at work.

        Usage: flowactors COMMAND [ARGUMENTS] [OPTIONS]

        Commands:
          apply FOLDER           create or update the components and flows in FOLDER's .json files; publish, start, stop
          flows                  list flows
          components             list components
          start FLOW / stop FLOW start (and wait until it runs) or stop a flow
          send FLOW JSON         send a message and print the reply
          try FLOW JSON          run the draft (or --step STEP) on a sample: mapped input, emits, edges taken
          tail FLOW              print the flow's events as they happen
          execution FLOW ID      show one execution, with its outputs
          executions FLOW        list recent executions
          counters FLOW          exact counters: accepted, completed, failed, dead-lettered, in flight...
          dead-letters FLOW      list what the flow's steps gave up on
          replay FLOW ID         send a dead letter again to its step (--revision N)
          discard FLOW ID        remove a dead letter
          credentials            list credentials (names and when they changed; values are write-only)
          credential set|show|delete ID   set a credential from env:VAR, file:PATH or stdin; show or delete it

        Options (every command):
          --url URL              the silo's HTTP API (default $FLOWACTORS_URL, else http://127.0.0.1:5080)
          --api-key KEY          the admin API key (default $FLOWACTORS_API_KEY, else --api-key-file, else
                                 .flowactors/api-key or Silo/.flowactors/api-key under the current folder)
          --api-key-file PATH    a file holding the key (default $FLOWACTORS_API_KEY_FILE)
          --output text|json     -o json prints results as JSON (errors too, on stderr)
          --help                 help for a command: flowactors send --help

        Exit codes: 0 done, 1 failed (refused, execution failed), 2 usage, 3 invalid files, 4 not found,
        5 silo unreachable or key refused, 6 timed out. See docs/cli.md.
        """;

    public static string For(string command) => command switch
    {
        "apply" => ApplyCommand.Help,
        "flows" => ListCommands.FlowsHelp,
        "components" => ListCommands.ComponentsHelp,
        "start" => LifecycleCommands.StartHelp,
        "stop" => LifecycleCommands.StopHelp,
        "send" => SendCommand.Help,
        "try" => TryCommand.Help,
        "tail" => TailCommand.Help,
        "execution" => ExecutionCommands.ExecutionHelp,
        "executions" => ExecutionCommands.ExecutionsHelp,
        "counters" => DeadLetterCommands.CountersHelp,
        "dead-letters" => DeadLetterCommands.DeadLettersHelp,
        "replay" => DeadLetterCommands.ReplayHelp,
        "discard" => DeadLetterCommands.DiscardHelp,
        "credentials" => CredentialCommands.ListHelp,
        "credential" => CredentialCommands.Help,
        _ => Text,
    };
}
