using System.Globalization;

namespace FlowActors.Cli;

/// <summary>
/// The parsed command line: a command, its positional arguments and its options (<c>--name value</c>,
/// <c>--name=value</c> or a flag). Options may come anywhere; <c>--</c> ends them.
/// </summary>
public sealed class CommandLine
{
    private static readonly HashSet<string> Flags = new(StringComparer.Ordinal) { "help", "no-wait", "no-start", "h" };

    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    private CommandLine()
    {
    }

    public string? Command { get; private set; }

    public List<string> Arguments { get; } = [];

    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        var line = new CommandLine();
        var onlyArguments = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!onlyArguments && arg == "--")
            {
                onlyArguments = true;
            }
            else if (!onlyArguments && arg.StartsWith('-') && arg.Length > 1)
            {
                var name = arg.TrimStart('-');
                string value;
                if (name.IndexOf('=') is var eq and > 0)
                {
                    value = name[(eq + 1)..];
                    name = name[..eq];
                }
                else if (Flags.Contains(name))
                {
                    value = "true";
                }
                else if (i + 1 < args.Count)
                {
                    value = args[++i];
                }
                else
                {
                    throw new CliException(ExitCodes.Usage, $"Option --{name} needs a value.");
                }

                line._options[name == "o" ? "output" : name] = value;
            }
            else if (line.Command is null)
            {
                line.Command = arg;
            }
            else
            {
                line.Arguments.Add(arg);
            }
        }

        return line;
    }

    public string? Option(string name)
    {
        _read.Add(name);
        return _options.GetValueOrDefault(name);
    }

    public bool Flag(string name) => Option(name) is "true";

    public int IntOption(string name, int fallback, int min, int max)
    {
        if (Option(name) is not { } text)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new CliException(ExitCodes.Usage, $"--{name} is '{text}'; expected a whole number from {min} to {max}.");
    }

    public TimeSpan SecondsOption(string name, TimeSpan fallback) =>
        Option(name) is null ? fallback : TimeSpan.FromSeconds(IntOption(name, 0, 1, 24 * 3600));

    /// <summary>The positional argument at <paramref name="index"/>, or a usage error naming it.</summary>
    public string Argument(int index, string what) =>
        index < Arguments.Count ? Arguments[index] : throw new CliException(ExitCodes.Usage, $"Missing {what}. See 'flowactors {Command} --help'.");

    /// <summary>Refuses options no part of the command read, and arguments beyond <paramref name="count"/>: typos fail loudly.</summary>
    public void ThrowIfUnused(int count)
    {
        if (_options.Keys.FirstOrDefault(name => !_read.Contains(name)) is { } unknown)
        {
            throw new CliException(ExitCodes.Usage, $"Unknown option --{unknown} for '{Command}'. See 'flowactors {Command} --help'.");
        }

        if (Arguments.Count > count)
        {
            throw new CliException(ExitCodes.Usage, $"Unexpected argument '{Arguments[count]}' for '{Command}'. See 'flowactors {Command} --help'.");
        }
    }
}
