namespace DaprShop.Run.Logging;

/// <summary>
/// The runner's one output stream: every line of every app, sidecar and of the runner itself goes
/// through here, one whole line at a time, each behind the prefix of whoever wrote it
/// (<c>[order-service]</c>, <c>[order-service:daprd]</c>, <c>[run]</c>). Prefixes are coloured per app
/// when standard output is a terminal and <c>NO_COLOR</c> is not set.
/// </summary>
public sealed class PrefixedConsole
{
    private const string Reset = "\u001b[0m";

    private static readonly string[] Palette =
    [
        "\u001b[36m", // cyan
        "\u001b[35m", // magenta
        "\u001b[33m", // yellow
        "\u001b[32m", // green
        "\u001b[34m", // blue
        "\u001b[96m", // bright cyan
        "\u001b[95m", // bright magenta
        "\u001b[93m", // bright yellow
    ];

    private const string RunnerColour = "\u001b[1m";
    private const string ErrorColour = "\u001b[1;31m";

    private readonly TextWriter _out;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, string> _colours = new(StringComparer.Ordinal);

    public PrefixedConsole(TextWriter output, bool useColour)
    {
        _out = output;
        UseColour = useColour;
    }

    /// <summary>Whether prefixes carry ANSI colours.</summary>
    public bool UseColour { get; }

    /// <summary>A console on standard output, coloured when it is a terminal and <c>NO_COLOR</c> is unset.</summary>
    public static PrefixedConsole ForStandardOutput() =>
        new(Console.Out, !Console.IsOutputRedirected
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"))
            && Environment.GetEnvironmentVariable("TERM") != "dumb");

    /// <summary>Gives each app its colour, in the order the apps are named (the run file's order).</summary>
    public void AssignColour(string appId)
    {
        lock (_lock)
        {
            if (!_colours.ContainsKey(appId))
            {
                _colours[appId] = Palette[_colours.Count % Palette.Length];
            }
        }
    }

    /// <summary>A line the app wrote to its standard output or error.</summary>
    public void App(string appId, string line) => Write($"[{appId}]", ColourOf(appId), line);

    /// <summary>A line the app's sidecar logged.</summary>
    public void Sidecar(string appId, string line) => Write($"[{appId}:daprd]", ColourOf(appId), line);

    /// <summary>A line of the runner itself.</summary>
    public void Info(string line) => Write("[run]", RunnerColour, line);

    /// <summary>An error of the runner, one line.</summary>
    public void Error(string line) => Write("[run]", ErrorColour, $"error: {line}");

    /// <summary>A line with no prefix (the ready line, which scripts match as it is).</summary>
    public void Plain(string line)
    {
        lock (_lock)
        {
            _out.WriteLine(line);
            _out.Flush();
        }
    }

    private string ColourOf(string appId)
    {
        lock (_lock)
        {
            return _colours.TryGetValue(appId, out var colour) ? colour : Palette[0];
        }
    }

    private void Write(string prefix, string colour, string line)
    {
        // An app may end a line with a carriage return, or leave a colour of its own switched on:
        // neither may run into the next prefix.
        line = line.TrimEnd('\r');
        var text = UseColour ? $"{colour}{prefix}{Reset} {line}{Reset}" : $"{prefix} {line}";
        lock (_lock)
        {
            _out.WriteLine(text);
            _out.Flush();
        }
    }
}
