using System.Globalization;
using System.Reflection;
using DaprShop.Run.Apps;

namespace DaprShop.Run.Dashboard;

/// <summary>
/// The .NET Aspire dashboard (NuGet package <c>Aspire.Dashboard.Sdk.linux-x64</c>, a self-contained executable that
/// the runner's build finds in the package folder): an OpenTelemetry viewer for traces, metrics and structured logs. The
/// runner starts it on loopback with the OTLP receivers and the frontend unsecured, which its warnings allow only for a
/// developer's own machine, and points every app and sidecar at it.
/// </summary>
public static class AspireDashboard
{
    /// <summary>The prefix of its output lines.</summary>
    public const string Name = "dashboard";

    /// <summary>Where the runner's build found the executable (assembly metadata written by DaprShop.Run.csproj).</summary>
    public const string PathMetadataKey = "AspireDashboardPath";

    /// <summary>
    /// Stops the dashboard when the runner is gone, whatever killed it (the dashboard does not watch its parent the way
    /// DaprShop.ServiceDefaults makes the apps do): it runs the dashboard, checks every second that the runner (its
    /// first argument) and the dashboard are both alive, and stops the dashboard otherwise. A stop of the runner's own
    /// stops the process tree, the dashboard included.
    /// </summary>
    private const string Watcher = """
        "$0" & dashboard=$!
        trap 'kill -TERM $dashboard 2>/dev/null; wait $dashboard; exit 0' TERM INT
        while kill -0 "$1" 2>/dev/null && kill -0 $dashboard 2>/dev/null; do sleep 1; done
        kill -TERM $dashboard 2>/dev/null
        wait $dashboard
        """;

    /// <summary>The dashboard's executable, or null when this build has none (a platform the package does not serve) or it was removed.</summary>
    public static string? FindExecutable() =>
        typeof(AspireDashboard).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == PathMetadataKey)?.Value is { Length: > 0 } path && File.Exists(path)
            ? path
            : null;

    /// <summary>How to start the executable at <paramref name="executable"/> on <paramref name="endpoints"/>, tied to this process.</summary>
    public static AppLaunch Launch(string executable, DashboardEndpoints endpoints)
    {
        ArgumentNullException.ThrowIfNull(executable);
        ArgumentNullException.ThrowIfNull(endpoints);
        EnsureExecutable(executable);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ASPNETCORE_URLS"] = endpoints.Frontend.ToString().TrimEnd('/'),
            ["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = endpoints.OtlpGrpc.ToString().TrimEnd('/'),
            ["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] = endpoints.OtlpHttp.ToString().TrimEnd('/'),

            // No browser token, no OTLP API key: everything listens on 127.0.0.1 only, on a developer's machine.
            ["ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true",
            ["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true",

            // Its warnings (unsecured endpoints among them) and errors; its start-up chatter stays out of the shop's log.
            ["Logging__LogLevel__Default"] = "Warning",
        };
        return new AppLaunch(
            Name,
            "/bin/sh",
            ["-c", Watcher, executable, Environment.ProcessId.ToString(CultureInfo.InvariantCulture)],
            Path.GetDirectoryName(executable)!,
            environment);
    }

    /// <summary>The package folder may have lost the executable bit (an archive extracted without it): set it for the owner.</summary>
    private static void EnsureExecutable(string executable)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var mode = File.GetUnixFileMode(executable);
        if ((mode & UnixFileMode.UserExecute) == 0)
        {
            File.SetUnixFileMode(executable, mode | UnixFileMode.UserExecute);
        }
    }
}

/// <summary>
/// Where the dashboard listens: its frontend (a browser) and its OTLP receivers over gRPC and HTTP. The defaults are
/// the ports the standalone dashboard and OpenTelemetry use (18888; 4317 and 4318).
/// </summary>
public sealed record DashboardEndpoints(int FrontendPort, int OtlpGrpcPort, int OtlpHttpPort)
{
    public static DashboardEndpoints Default { get; } = new(18888, 4317, 4318);

    /// <summary>
    /// The default ports where they are free, else ports the OS picks (another shop's dashboard, or a collector, may
    /// hold the defaults); the ready line names the frontend's.
    /// </summary>
    public static DashboardEndpoints Choose(Func<int, bool> isFree, Func<int> anyFree)
    {
        ArgumentNullException.ThrowIfNull(isFree);
        ArgumentNullException.ThrowIfNull(anyFree);
        var taken = new HashSet<int>();
        int Pick(int port)
        {
            var chosen = isFree(port) ? port : anyFree();
            while (!taken.Add(chosen))
            {
                chosen = anyFree();
            }

            return chosen;
        }

        return new DashboardEndpoints(Pick(Default.FrontendPort), Pick(Default.OtlpGrpcPort), Pick(Default.OtlpHttpPort));
    }

    /// <summary>Whether these are not all the default ports.</summary>
    public bool Moved => this != Default;

    public Uri Frontend => Loopback(FrontendPort);

    public Uri OtlpGrpc => Loopback(OtlpGrpcPort);

    public Uri OtlpHttp => Loopback(OtlpHttpPort);

    private static Uri Loopback(int port) => new($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
}
