using System.Diagnostics;
using System.Security;
using DaprShop.Run.Logging;

namespace DaprShop.Run.Building;

/// <summary>
/// Builds the apps' projects with one <c>dotnet build</c> per configuration (normally exactly one),
/// never one per app: parallel builds of apps that share projects (ServiceDefaults, Contracts)
/// would race on those projects' outputs. Several projects are built through a temporary solution
/// listing exactly them, so MSBuild restores and builds the shared references once.
/// </summary>
public sealed class AppBuild(PrefixedConsole console)
{
    /// <summary>Builds the projects; false when the build failed or was cancelled.</summary>
    public async Task<bool> RunAsync(IReadOnlyCollection<(string Project, string Configuration)> projects, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(projects);
        foreach (var group in projects.Distinct().GroupBy(p => p.Configuration, StringComparer.Ordinal))
        {
            var paths = group.Select(p => p.Project).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            if (!await BuildAsync(paths, group.Key, cancellationToken))
            {
                return false;
            }
        }

        return true;
    }

    private async Task<bool> BuildAsync(List<string> projects, string configuration, CancellationToken cancellationToken)
    {
        var names = string.Join(", ", projects.Select(Path.GetFileNameWithoutExtension));
        console.Info($"Building {names} ({configuration}) with one dotnet build...");
        var scratch = projects.Count > 1 ? Directory.CreateTempSubdirectory("daprshop-run-") : null;
        try
        {
            var target = scratch is null ? projects[0] : WriteSolution(scratch.FullName, projects);
            var start = new ProcessStartInfo("dotnet") { UseShellExecute = false };
            foreach (var arg in new[] { "build", target, "-c", configuration, "-nologo", "-v:minimal" })
            {
                start.ArgumentList.Add(arg);
            }

            var watch = Stopwatch.StartNew();
            using var build = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet build");
            try
            {
                await build.WaitForExitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                build.Kill(entireProcessTree: true);
                await build.WaitForExitAsync(CancellationToken.None);
                return false;
            }

            if (build.ExitCode != 0)
            {
                console.Error($"the build failed (dotnet build exited with {build.ExitCode}): see the errors above; nothing was started");
                return false;
            }

            console.Info($"Built in {watch.Elapsed.TotalSeconds:0.0}s.");
            return true;
        }
        finally
        {
            scratch?.Delete(recursive: true);
        }
    }

    private static string WriteSolution(string folder, List<string> projects)
    {
        var path = Path.Combine(folder, "apps.slnx");
        var entries = projects.Select(p => $"  <Project Path=\"{SecurityElement.Escape(p)}\" />");
        File.WriteAllText(path, $"<Solution>\n{string.Join('\n', entries)}\n</Solution>\n");
        return path;
    }
}
