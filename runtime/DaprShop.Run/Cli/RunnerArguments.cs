using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;

namespace DaprShop.Run.Cli;

/// <summary>The runner's command line, parsed.</summary>
/// <param name="RunFile">The run file given with <c>-f</c>, or null for <c>./dapr.yaml</c>.</param>
/// <param name="ResourcesPaths">Folders given with <c>--resources-path</c>, absolute; empty when none was given.</param>
/// <param name="NoBuild">Skip the build (<c>--no-build</c>).</param>
public sealed record RunnerArguments(string? RunFile, IReadOnlyList<string> ResourcesPaths, bool NoBuild)
{
    /// <summary>How long the runner waits before it starts again an app named with <c>--restart-on-exit</c>.</summary>
    public static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(5);

    /// <summary>App ids given with <c>--restart-on-exit</c>: when one exits on its own it is started again instead of stopping the run.</summary>
    public IReadOnlySet<string> RestartOnExit { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>The most instances <c>--replicas</c> starts of one app.</summary>
    public const int MaxReplicas = 8;

    /// <summary>
    /// How many instances to start of an app, from <c>--replicas APPID=N</c> (one for an app not named): each with its own
    /// sidecar, sharing the run's backends, as the pods of a Deployment do.
    /// </summary>
    public IReadOnlyDictionary<string, int> Replicas { get; init; } = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>How many instances of <paramref name="appId"/> the run starts.</summary>
    public int ReplicasOf(string appId) => Replicas.GetValueOrDefault(appId, 1);

    /// <summary>
    /// <c>--dashboard</c> (true) or <c>--no-dashboard</c> (false); null when neither was given: then the dashboard runs
    /// when every app runs in Development (see <c>ShopRunner</c>).
    /// </summary>
    public bool? Dashboard { get; init; }

    /// <summary>The profile given with <c>--profile</c>, or null when none was given.</summary>
    public ResourcesProfile? Profile { get; init; }

    /// <summary>
    /// The profile whose folders every app loads: the one given with <c>--profile</c>; else the
    /// embedded profile when neither <c>-f</c> nor <c>--resources-path</c> is given; else none (the
    /// run file's own resourcesPaths, or <c>--resources-path</c>'s folders).
    /// </summary>
    public ResourcesProfile? ChosenProfile => Profile ?? (RunFile is null && ResourcesPaths.Count == 0 ? ResourcesProfile.Embedded : null);

    /// <summary>What help says above the options: what the runner does and its exit codes (one line per paragraph: help wraps them).</summary>
    public const string Description = """
        Runs a Dapr Multi-App Run file (dapr.yaml) on DaprShop's local Dapr runtime: builds the apps once, hosts one sidecar per app, starts every app, and prints "DaprShop is ready (profile NAME): URL" when all are healthy (without "(profile NAME)" when the run uses no profile; followed by "(dashboard: URL)" when the Aspire dashboard runs). Ctrl+C (or SIGTERM) stops everything.

        Resources: without options, ./dapr.yaml with the embedded profile (components/common + components/embedded instead of the file's resourcesPaths). --profile picks another profile, --resources-path any folders, and -f alone keeps the run file's own resourcesPaths.

        Options go after "--" when started with dotnet run, which would take them for itself otherwise.

        Exit codes: 0 after Ctrl+C or SIGTERM (and for --help); 1 when the build, a sidecar or an app fails, an app exits on its own, or a port is taken; 2 for a bad command line or run file.
        """;

    /// <summary>
    /// The runner's command: its options, <c>--help</c> and the <c>[suggest]</c> directive for shell
    /// completion. Its action reads the arguments (paths resolve against
    /// <paramref name="workingDirectory"/>) and returns what <paramref name="run"/> returns. Invoke it only
    /// when <see cref="UsageError"/> finds nothing wrong.
    /// </summary>
    public static RootCommand Command(string workingDirectory, Func<RunnerArguments, Task<int>> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var options = new Options();
        var command = options.Command();
        command.SetAction(parsed => run(options.Read(parsed, workingDirectory)));
        return command;
    }

    /// <summary>The arguments alone, without running anything (<c>--help</c> and directives are not acted on).</summary>
    /// <exception cref="ArgumentException">A bad command line, with the one line <see cref="UsageError"/> gives.</exception>
    public static RunnerArguments Parse(IReadOnlyList<string> args, string workingDirectory)
    {
        var options = new Options();
        var parsed = options.Command().Parse(args);
        return UsageError(parsed) is { } error ? throw new ArgumentException(error) : options.Read(parsed, workingDirectory);
    }

    /// <summary>
    /// Null when the command line can run (or only asks for help or completions); else what is wrong,
    /// as one line for <c>[run] error: ...</c> and exit code 2.
    /// </summary>
    public static string? UsageError(ParseResult parsed)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        if (parsed.Action is not ParseErrorAction || parsed.Errors.Count == 0)
        {
            return null;
        }

        var messages = parsed.Errors.Select(e => e.Message.ReplaceLineEndings(" ").Trim().TrimEnd('.')).Distinct(StringComparer.Ordinal);
        return $"{string.Join("; ", messages)} (see --help)";
    }

    /// <summary>The options of one command (System.CommandLine ties an option to the commands it is added to).</summary>
    private sealed class Options
    {
        private const int MaxHelpWidth = 120;

        private readonly Option<string> _runFile = new("--run-file", "-f")
        {
            HelpName = "FILE|DIR",
            Description = "Run this file (a folder means its dapr.yaml) with its own resourcesPaths, unless --profile or "
                + "--resources-path is given too. Without -f: ./dapr.yaml with the embedded profile.",
        };

        private readonly Option<ResourcesProfile> _profile = new("--profile")
        {
            HelpName = string.Join('|', ResourcesProfile.All.Select(p => p.Name)),
            Description = "Load the components of a profile for every app, instead of the run file's resourcesPaths: "
                + string.Join("; ", ResourcesProfile.All.Select(p => $"{p.Name} = {string.Join(" + ", p.Folders)}"))
                + " (relative to the run file's folder). Default: embedded, unless -f or --resources-path is given. "
                + "Not with --resources-path.",
            CustomParser = ParseProfile,
        };

        private readonly Option<List<string>> _resourcesPaths = new("--resources-path")
        {
            HelpName = "DIR",
            Description = "Load components, resiliency and subscriptions from DIR instead, for every app (repeatable), e.g. "
                + "--resources-path components/common --resources-path components/redis. Not with --profile.",
        };

        private readonly Option<bool> _noBuild = new("--no-build")
        {
            Arity = ArgumentArity.Zero,
            Description = "Do not build; start what was built last.",
        };

        private readonly Option<List<string>> _restartOnExit = new("--restart-on-exit")
        {
            HelpName = "APPID",
            Description = $"When this app exits on its own, start it again after {RestartDelay.TotalSeconds:0} s (its sidecar "
                + "stays up) instead of stopping the run (repeatable). For outage drills: kill the app, watch the others "
                + "cope, and see it come back.",
        };

        private readonly Option<Dictionary<string, int>> _replicas = new("--replicas")
        {
            HelpName = "APPID=N",
            Description = $"Start N instances of this app (1 to {MaxReplicas}; repeatable), each with its own sidecar, sharing the "
                + "profile's backends as pods do: requests rotate over them, actors are placed across them by consistent "
                + "hashing, and they share one consumer group. The first instance takes the run file's ports, the others free "
                + "ones. An instance's app and sidecar stop and (with --restart-on-exit) start again together.",
            CustomParser = ParseReplicas,
        };

        private readonly Option<bool> _dashboard = new("--dashboard")
        {
            Arity = ArgumentArity.Zero,
            Description = "Start the Aspire dashboard (traces, metrics and logs of every app and sidecar) on 127.0.0.1:18888 and "
                + "send it every app's and sidecar's telemetry over OTLP (127.0.0.1:4317). Default: on when every app runs in "
                + "Development.",
        };

        private readonly Option<bool> _noDashboard = new("--no-dashboard")
        {
            Arity = ArgumentArity.Zero,
            Description = "Do not start the dashboard (the apps then export telemetry only where OTEL_EXPORTER_OTLP_ENDPOINT says).",
        };

        public RootCommand Command()
        {
            _profile.CompletionSources.Add(ResourcesProfile.All.Select(p => p.Name).ToArray());
            foreach (var option in new Option[] { _runFile, _resourcesPaths, _restartOnExit })
            {
                option.Validators.Add(NeedsValue);
            }

            var command = new RootCommand(Description)
            {
                HelpName = "dotnet run --project runtime/DaprShop.Run --",
            };

            // --help and the [suggest] directive come with RootCommand; --version would only print the assembly's 1.0.0.
            command.Options.Remove(command.Options.OfType<VersionOption>().Single());
            if (command.Options.OfType<HelpOption>().Single().Action is HelpAction help)
            {
                help.MaxWidth = HelpWidth();
            }

            command.Options.Add(_runFile);
            command.Options.Add(_profile);
            command.Options.Add(_resourcesPaths);
            command.Options.Add(_noBuild);
            command.Options.Add(_restartOnExit);
            command.Options.Add(_replicas);
            command.Options.Add(_dashboard);
            command.Options.Add(_noDashboard);
            command.Validators.Add(ProfileOrResourcesPaths);
            command.Validators.Add(DashboardOrNot);
            return command;
        }

        public RunnerArguments Read(ParseResult parsed, string workingDirectory)
        {
            string InWorkingDirectory(string path) => Path.GetFullPath(Path.Combine(workingDirectory, path));
            return new RunnerArguments(
                parsed.GetValue(_runFile) is { } runFile ? InWorkingDirectory(runFile) : null,
                (parsed.GetValue(_resourcesPaths) ?? []).Select(InWorkingDirectory).ToList(),
                parsed.GetValue(_noBuild))
            {
                Profile = parsed.GetValue(_profile),
                RestartOnExit = (parsed.GetValue(_restartOnExit) ?? []).ToHashSet(StringComparer.Ordinal),
                Replicas = parsed.GetValue(_replicas) ?? new Dictionary<string, int>(StringComparer.Ordinal),
                Dashboard = parsed.GetValue(_dashboard) ? true : parsed.GetValue(_noDashboard) ? false : null,
            };
        }

        private void ProfileOrResourcesPaths(CommandResult result)
        {
            if (result.GetResult(_profile) is not null && result.GetResult(_resourcesPaths) is not null)
            {
                result.AddError("--profile and --resources-path do not go together: a profile names its resources paths; give one or the other");
            }
        }

        private void DashboardOrNot(CommandResult result)
        {
            if (result.GetResult(_dashboard) is not null && result.GetResult(_noDashboard) is not null)
            {
                result.AddError("--dashboard and --no-dashboard do not go together; give one or the other");
            }
        }

        /// <summary>The terminal's width up to 120 columns; 120 when help goes to a file or a pipe (unwrapped otherwise).</summary>
        private static int HelpWidth() => Console.IsOutputRedirected ? MaxHelpWidth : Math.Clamp(Console.WindowWidth, 40, MaxHelpWidth);

        private static ResourcesProfile? ParseProfile(ArgumentResult result)
        {
            var name = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
            if (ResourcesProfile.Find(name) is { } profile)
            {
                return profile;
            }

            result.AddError($"--profile: no profile '{name}'; the profiles are {string.Join(", ", ResourcesProfile.All.Select(p => p.Name))}");
            return null;
        }

        private static Dictionary<string, int>? ParseReplicas(ArgumentResult result)
        {
            var replicas = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var token in result.Tokens.Select(t => t.Value))
            {
                var parts = token.Split('=', 2);
                if (parts.Length != 2 || parts[0].Length == 0
                    || !int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count)
                    || count is < 1 or > MaxReplicas)
                {
                    result.AddError($"--replicas: '{token}' is not APPID=N with N from 1 to {MaxReplicas} (e.g. --replicas order-service=2)");
                    return null;
                }

                if (!replicas.TryAdd(parts[0], count))
                {
                    result.AddError($"--replicas: {parts[0]} is named twice");
                    return null;
                }
            }

            return replicas;
        }

        private static void NeedsValue(OptionResult result)
        {
            if (result.Tokens.Any(t => string.IsNullOrWhiteSpace(t.Value)))
            {
                result.AddError($"option '{result.IdentifierToken?.Value}' needs a value");
            }
        }
    }
}
