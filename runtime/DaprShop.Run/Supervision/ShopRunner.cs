using System.ComponentModel;
using DaprShop.Run.Apps;
using DaprShop.Run.Building;
using DaprShop.Run.Cli;
using DaprShop.Run.Dashboard;
using DaprShop.Run.Logging;
using DaprShop.Run.RunFiles;
using DaprShop.Run.Telemetry;
using DaprShop.Sidecar;
using DaprShop.Sidecar.Components;
using DaprShop.Sidecar.Configuration;
using DaprShop.Sidecar.PubSub;
using Microsoft.Extensions.Logging;

namespace DaprShop.Run.Supervision;

/// <summary>
/// One run of a run file: check, build once, host a sidecar per app in this process (one
/// <see cref="LocalCluster"/>), start the apps, wait until all are healthy, print the ready line,
/// and stop everything on a signal or when an app exits on its own.
/// </summary>
public sealed class ShopRunner(PrefixedConsole console)
{
    /// <summary>How long the apps and sidecars have to become healthy.</summary>
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(120);

    /// <summary>How long an app has to exit after SIGTERM before its process tree is killed.</summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    /// <summary>How long the dashboard has to answer once the apps are ready, before the run goes on without its URL.</summary>
    public static readonly TimeSpan DashboardReadyTimeout = TimeSpan.FromSeconds(20);

    /// <summary>
    /// The one line that says the shop is up: <c>DaprShop is ready (profile redis): http://127.0.0.1:8080</c>,
    /// or without the parentheses when the run uses no profile, followed by <c> (dashboard: URL)</c> when the
    /// dashboard runs. Scripts, the end-to-end fixture and the bench wait for <c>DaprShop is ready</c> and read
    /// the URL after the first <c>": "</c>, up to the next space.
    /// </summary>
    public static string ReadyLine(ResourcesProfile? profile, string url, Uri? dashboard = null)
    {
        var line = profile is null ? $"DaprShop is ready: {url}" : $"DaprShop is ready (profile {profile.Name}): {url}";
        return dashboard is null ? line : $"{line} (dashboard: {dashboard.ToString().TrimEnd('/')})";
    }

    /// <summary>
    /// Said once per <c>pubsub.in-memory</c> component when the runner starts: like daprd's, it keeps
    /// the messages it has not delivered yet in memory only, so they are lost when the runner dies.
    /// </summary>
    public static string InMemoryPubSubNote(string component) =>
        $"note: pubsub '{component}' is {InMemoryPubSub.ComponentType}: messages not yet delivered are lost if the runner dies; use --profile redis for durable messaging";

    private readonly LocalCluster _cluster = new();
    private readonly List<(Sidecar.Sidecar Sidecar, ILoggerFactory Logs)> _sidecars = [];
    private readonly HashSet<string> _restarting = new(StringComparer.Ordinal);
    private readonly List<AppProcess> _processes = [];
    private readonly List<Task> _restarters = [];
    private readonly HashSet<string> _notedPubSubs = new(StringComparer.Ordinal);
    private ApiTokenFiles? _tokenFiles;
    private AppProcess? _dashboard;
    private IDisposable? _telemetry;
    private volatile bool _stopping;

    /// <summary>Runs until stopped; returns the process exit code (see <see cref="ExitCodes"/>).</summary>
    public async Task<int> RunAsync(RunnerArguments arguments, string workingDirectory, StopSignal stop)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(stop);
        RunPlan plan;
        try
        {
            plan = RunPlan.Create(arguments, workingDirectory);
        }
        catch (RunFileException e)
        {
            console.Error(e.Message);
            return ExitCodes.Usage;
        }

        foreach (var app in plan.Apps)
        {
            for (var instance = 1; instance <= app.Replicas; instance++)
            {
                console.AssignColour(app.InstanceName(instance));
            }
        }

        console.Info($"Run file {plan.RunFile.FilePath}: {string.Join(", ", plan.Apps.Select(a => a.Replicas == 1 ? a.App.AppId : $"{a.App.AppId} ({a.Replicas} instances)"))}");
        console.Info(plan.ResourcesDescription);
        if (plan.RunFile.IgnoredFields.Count > 0)
        {
            console.Info($"Not applied by the local runtime: {string.Join(", ", plan.RunFile.IgnoredFields)}");
        }

        var dashboard = DashboardFor(plan, arguments.Dashboard);
        if (!PortsAreFree(plan) || !ResourcesLoad(plan))
        {
            return ExitCodes.Failed;
        }

        if (!arguments.NoBuild && !await BuildAsync(plan, stop.Stopping))
        {
            return stop.Stopping.IsCancellationRequested ? ExitCodes.Stopped : ExitCodes.Failed;
        }

        try
        {
            return await StartAndSuperviseAsync(plan, arguments.RestartOnExit, dashboard, stop);
        }
        catch (OperationCanceledException) when (stop.Stopping.IsCancellationRequested)
        {
            return ExitCodes.Stopped;
        }
        finally
        {
            await StopAllAsync(stop);
            foreach (var failure in _tokenFiles?.DeleteWritten() ?? [])
            {
                console.Error($"could not delete the API token file {failure}");
            }

            _telemetry?.Dispose();
        }
    }

    /// <summary>
    /// Where the dashboard will listen, or null for a run without it: <c>--no-dashboard</c>; no <c>--dashboard</c> and
    /// an app that does not run in Development (the dashboard runs unsecured, for a developer's machine only) or an
    /// OTLP endpoint of the developer's own (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>); or no dashboard in this build.
    /// </summary>
    private DashboardEndpoints? DashboardFor(RunPlan plan, bool? asked)
    {
        var wanted = asked ?? (plan.Apps.All(a => IsDevelopment(a.App))
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(SidecarTelemetry.EndpointVariable)));
        if (!wanted)
        {
            return null;
        }

        if (AspireDashboard.FindExecutable() is null)
        {
            console.Info($"note: no dashboard: this build of the runner has none (NuGet package Aspire.Dashboard.Sdk.linux-x64 serves {System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier} only when it is linux-x64)");
            return null;
        }

        var endpoints = DashboardEndpoints.Choose(PortCheck.IsFree, PortCheck.AnyFree);
        if (endpoints.Moved)
        {
            console.Info($"note: the dashboard's default ports ({DashboardEndpoints.Default.FrontendPort}, {DashboardEndpoints.Default.OtlpGrpcPort}, {DashboardEndpoints.Default.OtlpHttpPort}) are not all free; it listens on {endpoints.FrontendPort}, {endpoints.OtlpGrpcPort}, {endpoints.OtlpHttpPort} instead");
        }

        return endpoints;
    }

    private static bool IsDevelopment(RunFileApp app)
    {
        var environment = app.Env.GetValueOrDefault("ASPNETCORE_ENVIRONMENT")
            ?? app.Env.GetValueOrDefault("DOTNET_ENVIRONMENT")
            ?? Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT")
            ?? Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT");
        return string.IsNullOrEmpty(environment) || string.Equals(environment, "Development", StringComparison.OrdinalIgnoreCase);
    }

    private bool PortsAreFree(RunPlan plan)
    {
        var free = true;
        foreach (var app in plan.Apps.Select(a => a.App))
        {
            foreach (var (port, what) in new[] { (app.AppPort, "app port"), (app.DaprHttpPort, "Dapr HTTP port"), (app.DaprGrpcPort, "Dapr gRPC port") })
            {
                if (port is { } value && !PortCheck.IsFree(value))
                {
                    console.Error($"port {value} ({app.AppId}'s {what}) is already in use on 127.0.0.1{HeldBy(value)}: stop what listens there or change the port in {Path.GetFileName(plan.RunFile.FilePath)}");
                    free = false;
                }
            }
        }

        return free;
    }

    private static string HeldBy(int port) => PortHolder.Find(port) is { } found ? $" by {found}" : "";

    /// <summary>Reads every resource and configuration file before the build, so a broken one fails in a second, not after it.</summary>
    private bool ResourcesLoad(RunPlan plan)
    {
        try
        {
            foreach (var app in plan.Apps)
            {
                _ = ResourceLoader.Load(app.ResourcesPaths, app.App.AppId);
                if (app.App.ConfigFilePath is { } config)
                {
                    _ = DaprConfiguration.Load(config);
                }
            }

            return true;
        }
        catch (ResourceLoadException e)
        {
            console.Error(e.Message);
            return false;
        }
    }

    private Task<bool> BuildAsync(RunPlan plan, CancellationToken cancellationToken)
    {
        var projects = plan.Apps
            .Where(a => a.DotnetRun?.ProjectPath is not null)
            .Select(a => (a.DotnetRun!.ProjectPath!, a.DotnetRun.Configuration))
            .ToList();
        return projects.Count == 0 ? Task.FromResult(true) : new AppBuild(console).RunAsync(projects, cancellationToken);
    }

    private async Task<int> StartAndSuperviseAsync(RunPlan plan, IReadOnlySet<string> restartOnExit, DashboardEndpoints? dashboard, StopSignal stop)
    {
        var running = new List<RunningApp>();
        _tokenFiles = new ApiTokenFiles(Path.GetDirectoryName(plan.RunFile.FilePath)!);
        if (dashboard is not null && !StartDashboard(dashboard))
        {
            return ExitCodes.Failed;
        }

        // Before the first sidecar starts, so that its spans have a listener from its first call.
        _telemetry = SidecarTelemetry.Start(dashboard?.OtlpGrpc);
        foreach (var planned in plan.Apps)
        {
            var app = dashboard is null ? planned.App : WithTelemetryTo(planned.App, dashboard);
            var appToken = app.Env.GetValueOrDefault(AppLaunch.AppApiTokenVariable) is { Length: > 0 } given ? given : AppLaunch.NewApiToken();
            var daprToken = DaprApiTokenFor(app);
            _tokenFiles.Write(app.AppId, daprToken);
            for (var instance = 1; instance <= planned.Replicas; instance++)
            {
                var started = await StartInstanceAsync(planned, InstanceOf(app, instance), planned.InstanceName(instance), appToken, daprToken, restartOnExit, stop);
                if (started is null)
                {
                    return ExitCodes.Failed;
                }

                running.Add(started);
            }
        }

        console.Info($"Every sidecar answers only its own app (a DAPR_API_TOKEN each); for calls by hand: -H \"dapr-api-token: $(cat {Path.GetRelativePath(Environment.CurrentDirectory, _tokenFiles.Directory)}/<app-id>)\"");
        var watched = Watched();
        var exited = watched.Count == 0 ? Task.Delay(Timeout.Infinite, stop.Stopping) : Task.WhenAny(watched.Select(p => p.Exited));
        if (await WaitUntilReadyAsync(running, exited, stop) is { } notReady)
        {
            return notReady;
        }

        var dashboardUrl = dashboard is null ? null : await DashboardAnswersAsync(dashboard, stop.Stopping);
        console.Plain(ReadyLine(plan.Profile, ReadyUrl(running), dashboardUrl));
        await Task.WhenAny(exited, Task.Delay(Timeout.Infinite, stop.Stopping)).ContinueWith(_ => { }, TaskScheduler.Default);
        return stop.Stopping.IsCancellationRequested ? ExitCodes.Stopped : await AppExitedAsync(stop);
    }

    /// <summary>
    /// Starts one instance of an app: its sidecar, then its process. An app with one instance keeps its sidecar when its
    /// process exits and, with <c>--restart-on-exit</c>, gets a new process beside it, as under <c>dapr run</c>; an
    /// instance of a replicated app is a pod: its sidecar stops with its process (the instance leaves name resolution,
    /// the placement and its consumer group) and both start again together.
    /// </summary>
    private async Task<RunningApp?> StartInstanceAsync(
        PlannedApp planned,
        RunFileApp app,
        string name,
        string appToken,
        string daprToken,
        IReadOnlySet<string> restartOnExit,
        StopSignal stop)
    {
        var options = SidecarOptionsFor(planned, app, appToken, daprToken);
        var sidecar = await StartSidecarAsync(options, name, stop.Stopping);
        if (sidecar is null)
        {
            return null;
        }

        NoteInMemoryPubSubs(sidecar);
        if (planned.Replicas > 1)
        {
            console.Info($"{name}: app port {app.AppPort}, sidecar HTTP {sidecar.HttpPort}, gRPC {sidecar.GrpcPort}");
        }

        var launch = app.Command.Count == 0 ? null : AppLaunch.Create(app, sidecar.HttpPort, sidecar.GrpcPort, appToken, daprToken) with { AppId = name };
        var process = launch is null ? null : StartApp(launch);
        if (launch is not null && process is null)
        {
            return null;
        }

        if (launch is not null && process is not null && restartOnExit.Contains(app.AppId))
        {
            lock (_processes)
            {
                _restarting.Add(name);
            }

            var restarter = planned.Replicas > 1
                ? RestartInstanceOnExitAsync(options with { HttpPort = sidecar.HttpPort, GrpcPort = sidecar.GrpcPort }, name, sidecar, launch, process, stop.Stopping)
                : RestartOnExitAsync(launch, process, stop.Stopping);
            _restarters.Add(restarter);
        }

        // An app served over gRPC has no HTTP health path: its sidecar's readiness (the port open) stands for it.
        var health = app.AppPort is { } port && !options.AppServesGrpc ? new Uri($"http://{options.AppHost}:{port}{app.AppHealthCheckPath}") : null;
        return new RunningApp(name, app, sidecar, process, health);
    }

    /// <summary>
    /// The run file's entry for instance <paramref name="instance"/> of an app: the first takes the run file's ports;
    /// each other one a free app port of its own and sidecar ports the sidecar picks.
    /// </summary>
    private static RunFileApp InstanceOf(RunFileApp app, int instance) =>
        instance == 1 ? app : app with { AppPort = PortCheck.AnyFree(), DaprHttpPort = null, DaprGrpcPort = null, MetricsPort = null };

    /// <summary>
    /// <c>--restart-on-exit</c> for an instance of a replicated app: each time its process exits on its own, its sidecar
    /// stops too (as a pod's would), and after <see cref="RunnerArguments.RestartDelay"/> a new sidecar on the same
    /// ports and a new process start in their place.
    /// </summary>
    private async Task RestartInstanceOnExitAsync(SidecarOptions options, string name, Sidecar.Sidecar sidecar, AppLaunch launch, AppProcess process, CancellationToken stopping)
    {
        while (true)
        {
            var code = await process.Exited;
            if (stopping.IsCancellationRequested || _stopping)
            {
                return;
            }

            console.Error($"{name} exited on its own with code {code}: its sidecar stops with it, and both start again in {RunnerArguments.RestartDelay.TotalSeconds:0} s (--restart-on-exit)");
            await StopSidecarAsync(sidecar);
            try
            {
                await Task.Delay(RunnerArguments.RestartDelay, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (_stopping)
            {
                return;
            }

            Sidecar.Sidecar? restartedSidecar;
            try
            {
                restartedSidecar = await StartSidecarAsync(options, name, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (restartedSidecar is null)
            {
                console.Error($"{name}: its sidecar did not start again; the instance stays down");
                return;
            }

            sidecar = restartedSidecar;
            if (StartAgain(launch) is not { } restarted)
            {
                return;
            }

            process = restarted;
        }
    }

    /// <summary>Starts an app's process again, unless the run is stopping; null when it is, or the start failed.</summary>
    private AppProcess? StartAgain(AppLaunch launch)
    {
        lock (_processes)
        {
            return _stopping ? null : StartApp(launch);
        }
    }

    private async Task StopSidecarAsync(Sidecar.Sidecar sidecar)
    {
        (Sidecar.Sidecar Sidecar, ILoggerFactory Logs) entry;
        lock (_sidecars)
        {
            entry = _sidecars.Find(s => ReferenceEquals(s.Sidecar, sidecar));
            _sidecars.Remove(entry);
        }

        try
        {
            await sidecar.DisposeAsync();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            console.Error($"{sidecar.AppId}: the sidecar did not stop cleanly: {e.Message}");
        }
        finally
        {
            entry.Logs?.Dispose();
        }
    }

    private bool StartDashboard(DashboardEndpoints endpoints)
    {
        var launch = AspireDashboard.Launch(AspireDashboard.FindExecutable()!, endpoints);
        console.AssignColour(AspireDashboard.Name);
        try
        {
            _dashboard = AppProcess.Start(launch, console);
            console.Info($"Started the Aspire dashboard on {endpoints.Frontend.ToString().TrimEnd('/')} (pid {_dashboard.Id}); every app and sidecar sends it telemetry over OTLP/gRPC at {endpoints.OtlpGrpc.ToString().TrimEnd('/')} (--no-dashboard to run without it)");
            return true;
        }
        catch (Win32Exception e)
        {
            console.Error($"{AspireDashboard.Name}: could not start '{launch.FileName}': {e.Message}; run with --no-dashboard to do without it");
            return false;
        }
    }

    /// <summary>
    /// <paramref name="app"/> with the OpenTelemetry variables that send its traces, metrics and logs to the dashboard,
    /// unless its run file entry sets an endpoint of its own.
    /// </summary>
    private static RunFileApp WithTelemetryTo(RunFileApp app, DashboardEndpoints dashboard)
    {
        if (app.Env.ContainsKey(SidecarTelemetry.EndpointVariable))
        {
            return app;
        }

        var env = new Dictionary<string, string>(app.Env, StringComparer.Ordinal)
        {
            [SidecarTelemetry.EndpointVariable] = dashboard.OtlpGrpc.ToString().TrimEnd('/'),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc",

            // What a person just did shows within seconds: spans exported every second, metrics every five
            // (OpenTelemetry's defaults, 5 s and 60 s, suit a collector, not someone watching the dashboard).
            ["OTEL_BSP_SCHEDULE_DELAY"] = "1000",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = SidecarTelemetry.MetricExportInterval.TotalMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        return app with { Env = env };
    }

    /// <summary>The dashboard's URL once its frontend answers; null (and a note) when it does not within <see cref="DashboardReadyTimeout"/>.</summary>
    private async Task<Uri?> DashboardAnswersAsync(DashboardEndpoints dashboard, CancellationToken stopping)
    {
        using var http = ProbeClient();
        var deadline = DateTime.UtcNow + DashboardReadyTimeout;
        while (DateTime.UtcNow < deadline && _dashboard is { Exited.IsCompleted: false })
        {
            try
            {
                using var response = await http.GetAsync(dashboard.Frontend, stopping);
                return dashboard.Frontend;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), stopping);
            }
            catch (TaskCanceledException) when (!stopping.IsCancellationRequested)
            {
                // One probe timed out; try again until the deadline.
            }
        }

        console.Error($"the dashboard did not answer on {dashboard.Frontend} within {DashboardReadyTimeout.TotalSeconds:0} s; the shop runs without it");
        return null;
    }

    /// <summary>The processes whose exit stops the run: every app but those started again on exit.</summary>
    private List<AppProcess> Watched()
    {
        lock (_processes)
        {
            return _processes.Where(p => !_restarting.Contains(p.AppId)).ToList();
        }
    }

    /// <summary>
    /// <c>--restart-on-exit</c>: each time the app exits on its own, say so, wait
    /// <see cref="RunnerArguments.RestartDelay"/>, and start it again with the same command and
    /// environment (its sidecar keeps running, as daprd would while its app restarts).
    /// </summary>
    private async Task RestartOnExitAsync(AppLaunch launch, AppProcess process, CancellationToken stopping)
    {
        while (true)
        {
            var code = await process.Exited;
            if (stopping.IsCancellationRequested || _stopping)
            {
                return;
            }

            console.Error($"{launch.AppId} exited on its own with code {code}: starting it again in {RunnerArguments.RestartDelay.TotalSeconds:0} s (--restart-on-exit)");
            try
            {
                await Task.Delay(RunnerArguments.RestartDelay, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (StartAgain(launch) is not { } restarted)
            {
                return;
            }

            process = restarted;
        }
    }

    /// <summary>Says <see cref="InMemoryPubSubNote"/> for each in-memory pub/sub the sidecar loaded that no sidecar before it did.</summary>
    private void NoteInMemoryPubSubs(Sidecar.Sidecar sidecar)
    {
        foreach (var spec in sidecar.Context.Components.Specs.Where(s => s.Type == InMemoryPubSub.ComponentType))
        {
            if (_notedPubSubs.Add(spec.Name))
            {
                console.Info(InMemoryPubSubNote(spec.Name));
            }
        }
    }

    /// <summary>
    /// The app's Dapr API token: the run file's <c>env</c>, else the runner's environment (then every sidecar shares it,
    /// so each app may call every sidecar), else a fresh one for this app and run, so that its sidecar answers it alone.
    /// </summary>
    private static string DaprApiTokenFor(RunFileApp app) =>
        app.Env.GetValueOrDefault(AppLaunch.DaprApiTokenVariable) is { Length: > 0 } given ? given
        : Environment.GetEnvironmentVariable(AppLaunch.DaprApiTokenVariable) is { Length: > 0 } shared ? shared
        : AppLaunch.NewApiToken();

    private static SidecarOptions SidecarOptionsFor(PlannedApp planned, RunFileApp app, string appToken, string daprToken)
    {
        return new SidecarOptions
        {
            AppId = app.AppId,
            AppPort = app.AppPort,
            AppHost = app.AppChannelAddress ?? "127.0.0.1",
            AppProtocol = app.AppProtocol,
            AppHealthCheck = app.AppHealthCheck,
            HttpPort = app.DaprHttpPort ?? 0,
            GrpcPort = app.DaprGrpcPort ?? 0,
            ResourcesPaths = planned.ResourcesPaths,
            ConfigFilePath = app.ConfigFilePath,
            DaprApiToken = daprToken,
            AppApiToken = appToken,

            // Relative paths in component metadata resolve where daprd would resolve them under
            // `dapr run -f`: the Dapr CLI starts each daprd in its app's appDirPath.
            BaseDirectory = app.AppDirPath,
            AppReadyTimeout = ReadyTimeout,
        };
    }

    /// <summary>Null once everything is ready; otherwise the exit code (an app exited, or not ready in time).</summary>
    private async Task<int?> WaitUntilReadyAsync(List<RunningApp> running, Task exited, StopSignal stop)
    {
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stop.Stopping);
        using var http = ProbeClient();
        var ready = new Readiness(console, http).WaitAsync(running, ReadyTimeout, waiting.Token);
        if (await Task.WhenAny(ready, exited) != ready)
        {
            await waiting.CancelAsync();
            await ready.ContinueWith(_ => { }, TaskScheduler.Default);
            return await AppExitedAsync(stop);
        }

        if (await ready is { } failure)
        {
            console.Error(failure);
            return ExitCodes.Failed;
        }

        return null;
    }

    private async Task<Sidecar.Sidecar?> StartSidecarAsync(SidecarOptions options, string name, CancellationToken cancellationToken)
    {
        var logs = SidecarLoggerProvider.CreateFactory(name, console);
        try
        {
            var sidecar = await Sidecar.Sidecar.StartAsync(options, _cluster, logs, cancellationToken);
            lock (_sidecars)
            {
                _sidecars.Add((sidecar, logs));
            }

            return sidecar;
        }
        catch (ResourceLoadException e)
        {
            console.Error(e.Message);
        }
        catch (IOException e)
        {
            console.Error($"{options.AppId}: {e.Message}");
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            console.Error($"{options.AppId}: the sidecar could not start: {e.GetBaseException().GetType().Name}: {e.GetBaseException().Message}");
        }

        logs.Dispose();
        return null;
    }

    private AppProcess? StartApp(AppLaunch launch)
    {
        console.Info($"Starting {launch.AppId}: {launch.FileName} {string.Join(' ', launch.Arguments)}");
        try
        {
            var process = AppProcess.Start(launch, console);
            lock (_processes)
            {
                _processes.Add(process);
            }

            console.Info($"Started {launch.AppId} (pid {process.Id})");
            return process;
        }
        catch (Win32Exception e)
        {
            console.Error($"{launch.AppId}: could not start '{launch.FileName}' in {launch.WorkingDirectory}: {e.Message}");
            return null;
        }
    }

    /// <summary>An app exited on its own: say which, unless a stop signal is what made it exit.</summary>
    private async Task<int> AppExitedAsync(StopSignal stop)
    {
        // Ctrl+C in a terminal reaches the apps too; their exit can be seen before the signal is.
        await Task.Delay(TimeSpan.FromSeconds(1), stop.Stopping).ContinueWith(_ => { }, TaskScheduler.Default);
        if (stop.Stopping.IsCancellationRequested)
        {
            return ExitCodes.Stopped;
        }

        foreach (var process in Watched().Where(p => p.Exited.IsCompleted))
        {
            console.Error($"{process.AppId} exited on its own with code {await process.Exited}: stopping everything");
        }

        return ExitCodes.Failed;
    }

    private async Task StopAllAsync(StopSignal stop)
    {
        List<AppProcess> processes;
        lock (_processes)
        {
            _stopping = true;
            processes = [.. _processes];
        }

        if (processes.Count == 0 && _sidecars.Count == 0 && _dashboard is null)
        {
            return;
        }

        console.Info(stop.Received is { } signal
            ? $"{signal} received: stopping {processes.Count(p => !p.Exited.IsCompleted)} apps and {_sidecars.Count} sidecars (again to kill at once)"
            : $"Stopping {processes.Count(p => !p.Exited.IsCompleted)} apps and {_sidecars.Count} sidecars");
        await Task.WhenAll(processes.Append(_dashboard).OfType<AppProcess>().Select(p => p.StopAsync(StopGrace, stop.Force)));
        _dashboard?.Dispose();

        // A restarter that failed must not keep the sidecars from stopping.
        await Task.WhenAll(_restarters).ContinueWith(_ => { }, TaskScheduler.Default);
        foreach (var process in processes)
        {
            process.Dispose();
        }

        List<(Sidecar.Sidecar Sidecar, ILoggerFactory Logs)> sidecars;
        lock (_sidecars)
        {
            sidecars = [.. _sidecars];
        }

        await Task.WhenAll(sidecars.Select(async s =>
        {
            try
            {
                await s.Sidecar.DisposeAsync();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                console.Error($"{s.Sidecar.AppId}: the sidecar did not stop cleanly: {e.Message}");
            }
            finally
            {
                s.Logs.Dispose();
            }
        }));
        console.Info("Stopped.");
    }

    private static string ReadyUrl(List<RunningApp> running)
    {
        var app = running.FirstOrDefault(a => a.App.AppId == "auth-gateway" && a.App.AppPort is not null)
            ?? running.FirstOrDefault(a => a.App.AppPort is not null);
        return app is null
            ? running[0].Sidecar.HttpEndpoint.ToString().TrimEnd('/')
            : $"http://{app.App.AppChannelAddress ?? "127.0.0.1"}:{app.App.AppPort}";
    }

    private static HttpClient ProbeClient() => new(new SocketsHttpHandler
    {
        UseProxy = false,
        ConnectTimeout = TimeSpan.FromSeconds(1),
        AllowAutoRedirect = false,
    })
    {
        Timeout = TimeSpan.FromSeconds(2),
    };
}
