using DaprShop.Run.Building;
using DaprShop.Run.Cli;
using DaprShop.Run.RunFiles;

namespace DaprShop.Run.Supervision;

/// <summary>
/// What a run will start, decided before anything starts: the run file, the resources every app
/// loads (a profile's, <c>--resources-path</c>'s, or the run file's own) and how each app's command
/// is built. Every refusal is a <see cref="RunFileException"/> with one line.
/// </summary>
/// <param name="Profile">The profile whose folders every app loads, or null (see <see cref="RunnerArguments.ChosenProfile"/>).</param>
internal sealed record RunPlan(RunFile RunFile, IReadOnlyList<PlannedApp> Apps, ResourcesProfile? Profile, string ResourcesDescription)
{
    public static RunPlan Create(RunnerArguments arguments, string workingDirectory)
    {
        var defaultFile = Path.Combine(workingDirectory, RunFileParser.DefaultFileName);
        if (arguments.RunFile is null && !File.Exists(defaultFile))
        {
            throw new RunFileException($"{defaultFile}: run file not found: run from the folder that holds dapr.yaml (the repository root) or pass -f FILE");
        }

        var runFile = RunFileParser.Load(arguments.RunFile ?? defaultFile);
        var fileName = Path.GetFileName(runFile.FilePath);
        var profile = arguments.ChosenProfile;
        IReadOnlyList<string>? resources = null;
        string description;
        if (profile is not null)
        {
            resources = Existing(profile.ResourcesPaths(runFile.Directory), $"profile {profile.Name}");
            var chosen = arguments.Profile is null ? "the default; choose another with --profile or --resources-path" : "--profile";
            description = $"Profile {profile.Name} ({chosen}): {string.Join(" + ", profile.Folders)} instead of {fileName}'s resourcesPaths";
        }
        else if (arguments.ResourcesPaths.Count > 0)
        {
            resources = Existing(arguments.ResourcesPaths, "--resources-path");
            description = $"Resources for every app: {Show(resources, workingDirectory)} (--resources-path)";
        }
        else
        {
            description = $"Resources: the resourcesPaths of {fileName} (no profile; choose one with --profile)";
        }

        var apps = new List<PlannedApp>();
        for (var i = 0; i < runFile.Apps.Count; i++)
        {
            var app = runFile.Apps[i];
            if (app.AppProtocol is not (Sidecar.SidecarOptions.HttpAppProtocol or Sidecar.SidecarOptions.GrpcAppProtocol))
            {
                throw new RunFileException($"{runFile.FilePath}: apps[{i}].appProtocol: the local sidecar reaches apps over http or grpc (h2c), not '{app.AppProtocol}'");
            }

            var dotnetRun = DotnetRunCommand.TryParse(app.Command, app.AppDirPath);
            if (dotnetRun is { ProjectPath: null })
            {
                throw new RunFileException($"{runFile.FilePath}: apps[{i}].command: 'dotnet run' finds no single project in {app.AppDirPath} (name one with --project)");
            }

            apps.Add(new PlannedApp(app, resources ?? app.ResourcesPaths, dotnetRun));
        }

        var unknown = arguments.RestartOnExit.FirstOrDefault(id => apps.All(a => a.App.AppId != id));
        if (unknown is not null)
        {
            throw new RunFileException($"--restart-on-exit: no app '{unknown}' in {runFile.FilePath} (apps: {string.Join(", ", apps.Select(a => a.App.AppId))})");
        }

        var unknownReplicated = arguments.Replicas.Keys.FirstOrDefault(id => apps.All(a => a.App.AppId != id));
        if (unknownReplicated is not null)
        {
            throw new RunFileException($"--replicas: no app '{unknownReplicated}' in {runFile.FilePath} (apps: {string.Join(", ", apps.Select(a => a.App.AppId))})");
        }

        var withoutPort = apps.FirstOrDefault(a => arguments.ReplicasOf(a.App.AppId) > 1 && a.App.AppPort is null);
        if (withoutPort is not null)
        {
            throw new RunFileException($"--replicas: {withoutPort.App.AppId} has no appPort in {runFile.FilePath}; only an app that listens can run as several instances");
        }

        return new RunPlan(runFile, [.. apps.Select(a => a with { Replicas = arguments.ReplicasOf(a.App.AppId) })], profile, description);
    }

    private static List<string> Existing(IReadOnlyList<string> folders, string source)
    {
        var missing = folders.FirstOrDefault(f => !Directory.Exists(f));
        return missing is null ? folders.ToList() : throw new RunFileException($"{source}: folder {missing} does not exist");
    }

    private static string Show(IEnumerable<string> paths, string workingDirectory) =>
        string.Join(" + ", paths.Select(p => Path.GetRelativePath(workingDirectory, p) is var relative && !relative.StartsWith("..", StringComparison.Ordinal) ? relative : p));
}

/// <summary>
/// One app of the plan: its run-file entry, the resources its sidecar loads, its <c>dotnet run</c> command if it has one,
/// and how many instances of it run (<c>--replicas</c>).
/// </summary>
internal sealed record PlannedApp(RunFileApp App, IReadOnlyList<string> ResourcesPaths, DotnetRunCommand? DotnetRun)
{
    public int Replicas { get; init; } = 1;

    /// <summary>
    /// What names instance <paramref name="instance"/> (from 1) in the output: the app id alone for an app with one
    /// instance, else <c>order-service#2</c>.
    /// </summary>
    public string InstanceName(int instance) => Replicas == 1 ? App.AppId : $"{App.AppId}#{instance}";
}
