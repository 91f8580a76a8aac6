namespace DaprShop.Run.Building;

/// <summary>
/// An app command of the form <c>dotnet run [options] [-- app arguments]</c>, understood well
/// enough to build its project together with the others, and to start its built entry assembly
/// directly (<c>dotnet App.dll</c>) when that is equivalent: same working folder, same arguments,
/// no launch profile, no option the runner does not know. Starting the assembly skips
/// <c>dotnet run</c>'s evaluation of the project, which costs seconds per app on a small machine.
/// </summary>
public sealed record DotnetRunCommand
{
    private static readonly string[] ProjectExtensions = [".csproj", ".fsproj", ".vbproj"];

    /// <summary>The project <c>dotnet run</c> would run, absolute; null when it names no single project.</summary>
    public string? ProjectPath { get; init; }

    /// <summary><c>-c</c>/<c>--configuration</c>, <c>Debug</c> by default.</summary>
    public string Configuration { get; init; } = "Debug";

    /// <summary><c>-f</c>/<c>--framework</c>, when given.</summary>
    public string? Framework { get; init; }

    /// <summary>The arguments after <c>--</c>, which <c>dotnet run</c> hands to the app.</summary>
    public IReadOnlyList<string> AppArguments { get; init; } = [];

    /// <summary>Whether the command has <c>--no-build</c>.</summary>
    public bool NoBuild { get; init; }

    /// <summary>
    /// Whether every option is one the runner understands and no launch profile applies, so that
    /// starting the entry assembly is equivalent to the command.
    /// </summary>
    public bool CanStartAssembly { get; init; }

    /// <summary>Recognises <c>dotnet run ...</c>; null for any other command.</summary>
    public static DotnetRunCommand? TryParse(IReadOnlyList<string> command, string workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.Count < 2 || !IsDotnet(command[0]) || command[1] != "run")
        {
            return null;
        }

        string? project = null;
        var configuration = "Debug";
        string? framework = null;
        var noBuild = false;
        var noLaunchProfile = false;
        var understood = true;
        var appArguments = new List<string>();
        for (var i = 2; i < command.Count; i++)
        {
            var arg = command[i];
            if (arg == "--")
            {
                appArguments.AddRange(command.Skip(i + 1));
                break;
            }

            switch (arg)
            {
                case "--no-build":
                    noBuild = true;
                    break;
                case "--no-restore":
                    break;
                case "--no-launch-profile":
                    noLaunchProfile = true;
                    break;
                case "-c" or "--configuration" when i + 1 < command.Count:
                    configuration = command[++i];
                    break;
                case "-f" or "--framework" when i + 1 < command.Count:
                    framework = command[++i];
                    break;
                case "--project" when i + 1 < command.Count:
                    project = command[++i];
                    break;
                case "-v" or "--verbosity" when i + 1 < command.Count:
                    i++;
                    break;
                default:
                    // Anything else (a launch profile, a runtime identifier, MSBuild properties, bare
                    // arguments dotnet run passes on to the app) is left to dotnet run itself.
                    understood = false;
                    break;
            }
        }

        var projectPath = FindProject(project is null ? workingDirectory : Path.GetFullPath(Path.Combine(workingDirectory, project)));
        var hasLaunchSettings = projectPath is not null
            && File.Exists(Path.Combine(Path.GetDirectoryName(projectPath)!, "Properties", "launchSettings.json"));
        return new DotnetRunCommand
        {
            ProjectPath = projectPath,
            Configuration = configuration,
            Framework = framework,
            AppArguments = appArguments,
            NoBuild = noBuild,
            CanStartAssembly = understood && projectPath is not null && (noLaunchProfile || !hasLaunchSettings),
        };
    }

    /// <summary>
    /// The built entry assembly (<c>bin/&lt;configuration&gt;/&lt;framework&gt;/&lt;project&gt;.dll</c> beside its
    /// <c>.runtimeconfig.json</c>), or null when there is not exactly one.
    /// </summary>
    public string? FindEntryAssembly()
    {
        if (!CanStartAssembly || ProjectPath is null)
        {
            return null;
        }

        var name = Path.GetFileNameWithoutExtension(ProjectPath);
        var output = Path.Combine(Path.GetDirectoryName(ProjectPath)!, "bin", Configuration);
        if (!Directory.Exists(output))
        {
            return null;
        }

        var folders = Framework is null ? Directory.GetDirectories(output) : [Path.Combine(output, Framework)];
        var candidates = folders
            .Select(folder => Path.Combine(folder, name + ".dll"))
            .Where(dll => File.Exists(dll) && File.Exists(Path.ChangeExtension(dll, ".runtimeconfig.json")))
            .ToList();
        return candidates.Count == 1 ? candidates[0] : null;
    }

    /// <summary>
    /// The command with <c>--no-build</c> after <c>run</c> when it lacks it: the runner builds every
    /// app once before it starts them, and apps building themselves at the same time would race on
    /// the projects they share.
    /// </summary>
    public static IReadOnlyList<string> WithNoBuild(IReadOnlyList<string> command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var end = command.ToList().IndexOf("--");
        var options = end < 0 ? command : command.Take(end).ToList();
        if (command.Count < 2 || options.Contains("--no-build"))
        {
            return command;
        }

        return [command[0], command[1], "--no-build", .. command.Skip(2)];
    }

    private static bool IsDotnet(string program) =>
        Path.GetFileNameWithoutExtension(program) == "dotnet";

    private static string? FindProject(string path)
    {
        if (File.Exists(path))
        {
            return path;
        }

        if (!Directory.Exists(path))
        {
            return null;
        }

        var projects = Directory.EnumerateFiles(path)
            .Where(f => ProjectExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .ToList();
        return projects.Count == 1 ? projects[0] : null;
    }
}
