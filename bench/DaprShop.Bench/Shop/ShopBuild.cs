using System.Diagnostics;
using System.Security;
using System.Xml.Linq;

namespace DaprShop.Bench.Shop;

/// <summary>
/// Builds the runner and the four services in Release with one <c>dotnet build</c> of a temporary solution that
/// lists exactly them and the libraries they reference (not DaprShop.sln: that would build the tests, and this
/// bench while it runs). The libraries must be listed too: a solution build gives a referenced project that it
/// does not list that project's default configuration, Debug, whatever <c>-c</c> says.
/// </summary>
internal static class ShopBuild
{
    public const string Configuration = "Release";

    public static readonly IReadOnlyList<string> Projects =
    [
        "runtime/DaprShop.Run/DaprShop.Run.csproj",
        "services/AuthGateway/AuthGateway.csproj",
        "services/OrderService/OrderService.csproj",
        "services/PaymentService/PaymentService.csproj",
        "services/NotificationService/NotificationService.csproj",
    ];

    public static string RunnerDll(string repo) =>
        Path.Combine(repo, "runtime", "DaprShop.Run", "bin", Configuration, "net10.0", "DaprShop.Run.dll");

    /// <summary>Builds; returns how long it took. Throws with dotnet build's output when it fails.</summary>
    public static async Task<TimeSpan> RunAsync(string repo, TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);
        var scratch = Directory.CreateTempSubdirectory("daprshop-bench-build-");
        try
        {
            var solution = Path.Combine(scratch.FullName, "shop.slnx");
            var entries = WithReferences(Projects.Select(p => Path.Combine(repo, p))).Select(p => $"  <Project Path=\"{SecurityElement.Escape(p)}\" />");
            await File.WriteAllTextAsync(solution, $"<Solution>\n{string.Join('\n', entries)}\n</Solution>\n", cancellationToken);

            await log.WriteLineAsync($"Building the runner and the services ({Configuration})...");
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[] { "build", solution, "-c", Configuration, "-nologo", "-v:minimal", "-clp:NoSummary" })
            {
                start.ArgumentList.Add(arg);
            }

            var watch = Stopwatch.StartNew();
            using var build = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet build");
            var output = build.StandardOutput.ReadToEndAsync(cancellationToken);
            var errors = build.StandardError.ReadToEndAsync(cancellationToken);
            try
            {
                await build.WaitForExitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                build.Kill(entireProcessTree: true);
                throw;
            }

            if (build.ExitCode != 0)
            {
                throw new InvalidOperationException($"dotnet build of the shop failed with exit code {build.ExitCode}:\n{await output}{await errors}");
            }

            await log.WriteLineAsync($"Built in {watch.Elapsed.TotalSeconds:0.0} s.");
            return watch.Elapsed;
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    /// <summary>The projects and every project they reference, directly or not.</summary>
    private static SortedSet<string> WithReferences(IEnumerable<string> projects)
    {
        var all = new SortedSet<string>(StringComparer.Ordinal);
        var next = new Queue<string>(projects.Select(Path.GetFullPath));
        while (next.TryDequeue(out var project))
        {
            if (!all.Add(project))
            {
                continue;
            }

            var folder = Path.GetDirectoryName(project)!;
            foreach (var reference in XDocument.Load(project).Descendants("ProjectReference"))
            {
                if (reference.Attribute("Include")?.Value is { } include)
                {
                    next.Enqueue(Path.GetFullPath(Path.Combine(folder, include.Replace('\\', Path.DirectorySeparatorChar))));
                }
            }
        }

        return all;
    }
}
