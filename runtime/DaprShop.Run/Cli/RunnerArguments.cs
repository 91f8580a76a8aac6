namespace DaprShop.Run.Cli;

/// <summary>The runner's command line, parsed.</summary>
/// <param name="RunFile">The run file given with <c>-f</c>, or null for <c>./dapr.yaml</c> with the embedded profile.</param>
/// <param name="ResourcesPaths">Folders given with <c>--resources-path</c>, absolute; empty when none was given.</param>
/// <param name="NoBuild">Skip the build (<c>--no-build</c>).</param>
/// <param name="Help">Print the usage and exit (<c>--help</c>).</param>
public sealed record RunnerArguments(string? RunFile, IReadOnlyList<string> ResourcesPaths, bool NoBuild, bool Help)
{
    /// <summary>How long the runner waits before it starts again an app named with <c>--restart-on-exit</c>.</summary>
    public static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(5);

    /// <summary>App ids given with <c>--restart-on-exit</c>: when one exits on its own it is started again instead of stopping the run.</summary>
    public IReadOnlySet<string> RestartOnExit { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>The resources folders of the embedded profile, relative to the run file's folder.</summary>
    public static readonly IReadOnlyList<string> EmbeddedProfile = ["components/common", "components/embedded"];

    public const string Usage = """
        Runs a Dapr Multi-App Run file (dapr.yaml) on DaprShop's local Dapr runtime: builds the apps once,
        hosts one sidecar per app, starts every app, and prints "DaprShop is ready: <url>" when all are healthy.
        Ctrl+C (or SIGTERM) stops everything.

        Usage:
          dotnet run --project runtime/DaprShop.Run [-- OPTIONS]

        Options (after "--" when started with dotnet run, which would take them for itself otherwise):
          -f, --run-file FILE|DIR   Run this file (a folder means its dapr.yaml). Its own resourcesPaths are used.
                                    Without -f: ./dapr.yaml with the embedded profile, i.e. the resources in
                                    components/common + components/embedded instead of the file's resourcesPaths.
          --resources-path DIR      Load components, resiliency and subscriptions from DIR instead (repeatable),
                                    for every app, e.g. --resources-path components/common --resources-path components/redis.
          --no-build                Do not build; start what was built last.
          --restart-on-exit APPID   When this app exits on its own, start it again after 5 s (its sidecar stays up)
                                    instead of stopping the run (repeatable). For outage drills: kill the app,
                                    watch the others cope, and see it come back.
          -h, --help                Show this help.

        Exit codes: 0 after Ctrl+C or SIGTERM; 1 when the build, a sidecar or an app fails, an app exits on its own,
        or a port is taken; 2 for a bad command line or run file.
        """;

    /// <summary>Parses the arguments; paths given with <c>--resources-path</c> resolve against <paramref name="workingDirectory"/>.</summary>
    /// <exception cref="ArgumentException">An unknown option or a missing value, with a one-line message.</exception>
    public static RunnerArguments Parse(IReadOnlyList<string> args, string workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? runFile = null;
        var resources = new List<string>();
        var noBuild = false;
        var help = false;
        var restart = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var (name, inline) = SplitInlineValue(args[i]);
            switch (name)
            {
                case "-f" or "--run-file":
                    runFile = Path.GetFullPath(Path.Combine(workingDirectory, inline ?? NextValue(args, ref i, name)));
                    break;
                case "--resources-path":
                    resources.Add(Path.GetFullPath(Path.Combine(workingDirectory, inline ?? NextValue(args, ref i, name))));
                    break;
                case "--restart-on-exit":
                    restart.Add(inline ?? NextValue(args, ref i, name));
                    break;
                case "--no-build" when inline is null:
                    noBuild = true;
                    break;
                case "-h" or "--help" or "-?" when inline is null:
                    help = true;
                    break;
                default:
                    throw new ArgumentException($"unknown option '{args[i]}' (see --help)");
            }
        }

        return new RunnerArguments(runFile, resources, noBuild, help) { RestartOnExit = restart };
    }

    private static (string Name, string? Value) SplitInlineValue(string arg)
    {
        var equals = arg.IndexOf('=', StringComparison.Ordinal);
        return arg.StartsWith("--", StringComparison.Ordinal) && equals > 2 ? (arg[..equals], arg[(equals + 1)..]) : (arg, null);
    }

    private static string NextValue(IReadOnlyList<string> args, ref int i, string name)
    {
        if (i + 1 >= args.Count || string.IsNullOrWhiteSpace(args[i + 1]))
        {
            throw new ArgumentException($"option '{name}' needs a value (see --help)");
        }

        return args[++i];
    }
}
