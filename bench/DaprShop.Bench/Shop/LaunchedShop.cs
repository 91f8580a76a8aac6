using DaprShop.Testing;

namespace DaprShop.Bench.Shop;

/// <summary>
/// A shop the bench started: the runner's Release build with <c>--no-build</c> on a private run file
/// (see <see cref="ShopRunFile"/>), up until disposed. The crash drill kills its processes and starts the runner again
/// on the same run file (same ports, same data).
/// </summary>
internal sealed class LaunchedShop : IAsyncDisposable
{
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(3);

    private readonly ShopRunFile _runFile;
    private readonly IReadOnlyList<string> _runnerArguments;
    private RunnerProcess _runner;

    private LaunchedShop(ShopRunFile runFile, IReadOnlyList<string> runnerArguments, RunnerProcess runner, ShopEndpoints endpoints, TimeSpan timeToReady)
    {
        _runFile = runFile;
        _runnerArguments = runnerArguments;
        _runner = runner;
        Endpoints = endpoints;
        TimeToReady = timeToReady;
    }

    /// <summary>Where the shop answers; the same after <see cref="RestartRunnerAsync"/>, but for the CPU reading of the new runner.</summary>
    public ShopEndpoints Endpoints { get; private set; }

    /// <summary>From starting the runner process to its ready line.</summary>
    public TimeSpan TimeToReady { get; }

    /// <summary>The runner's last lines of output, for a report of what went wrong.</summary>
    public string RunnerTail => _runner.Tail;

    /// <summary>The command that starts the runner on a run file, as the bench runs it.</summary>
    public static IReadOnlyList<string> RunnerArguments(string repo, ShopRunFile runFile, bool dashboard, IReadOnlyList<string>? replicas = null)
    {
        ArgumentNullException.ThrowIfNull(runFile);
        // The dashboard only when asked (the bench's --dashboard): what it costs is measured, not paid by every run.
        return
        [
            ShopBuild.RunnerDll(repo), "-f", runFile.Path, "--no-build", dashboard ? "--dashboard" : "--no-dashboard",
            .. runFile.RestartOnExit.SelectMany(id => new[] { "--restart-on-exit", id }),
            .. (replicas ?? []).SelectMany(r => new[] { "--replicas", r }),
        ];
    }

    /// <summary>Starts the shop and waits for its ready line.</summary>
    public static async Task<LaunchedShop> StartAsync(
        string repo,
        ShopBackend backend,
        CancellationToken cancellationToken,
        ShopVariant variant = ShopVariant.Standard,
        bool dashboard = false,
        IReadOnlyList<string>? replicas = null)
    {
        var runFile = await ShopRunFile.CreateAsync(repo, backend, cancellationToken, variant);
        RunnerProcess? runner = null;
        try
        {
            var arguments = RunnerArguments(repo, runFile, dashboard, replicas);
            runner = RunnerProcess.Start(arguments, runFile.WorkDirectory);
            var ready = await runner.WaitUntilReadyAsync(ReadyTimeout, cancellationToken);
            var apps = runFile.Apps;
            var endpoints = new ShopEndpoints(ready.Gateway)
            {
                GatewaySidecar = apps[ShopApp.Gateway].SidecarUrl,
                GatewaySidecarToken = apps[ShopApp.Gateway].SidecarToken,
                OrderSidecar = apps[ShopApp.Orders].SidecarUrl,
                OrderSidecarToken = apps[ShopApp.Orders].SidecarToken,
                PaymentSidecar = apps[ShopApp.Payments].SidecarUrl,
                PaymentSidecarToken = apps[ShopApp.Payments].SidecarToken,
                PaymentApp = apps[ShopApp.Payments].AppUrl,
                PaymentAppToken = apps[ShopApp.Payments].Env["APP_API_TOKEN"],
                Cpu = new ShopCpu(runner.Id),
            };
            return new LaunchedShop(runFile, arguments, runner, endpoints, ready.After);
        }
        catch
        {
            if (runner is not null)
            {
                await runner.DisposeAsync();
            }

            runFile.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Kills one app's process outright (SIGKILL); its sidecar stays up, and the runner starts the app again when the
    /// shop's variant says so (<see cref="ShopVariant.CrashDrill"/>).
    /// </summary>
    public Task KillAppAsync(string appId, CancellationToken cancellationToken) => _runner.KillAppAsync(appId, cancellationToken);

    /// <summary>Kills the runner and every process it started at once (SIGKILL): the machine crashing, as far as the shop can tell.</summary>
    public Task KillRunnerAsync(CancellationToken cancellationToken) => _runner.KillAsync(cancellationToken);

    /// <summary>Starts the runner again, once it is gone, on the same run file (same ports, same data) and waits for its ready line.</summary>
    public async Task RestartRunnerAsync(CancellationToken cancellationToken)
    {
        if (!_runner.HasExited)
        {
            throw new InvalidOperationException("the runner is still running: kill it before starting it again");
        }

        await _runner.DisposeAsync();
        _runner = RunnerProcess.Start(_runnerArguments, _runFile.WorkDirectory);
        await _runner.WaitUntilReadyAsync(ReadyTimeout, cancellationToken);
        Endpoints = Endpoints with { Cpu = new ShopCpu(_runner.Id) };
    }

    public async ValueTask DisposeAsync()
    {
        await _runner.DisposeAsync();
        _runFile.Dispose();
    }
}
