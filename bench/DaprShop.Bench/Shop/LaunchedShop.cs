namespace DaprShop.Bench.Shop;

/// <summary>
/// A shop the bench started: the runner's Release build with <c>--no-build</c> on a private run file
/// (see <see cref="ShopRunFile"/>), up until disposed.
/// </summary>
internal sealed class LaunchedShop : IAsyncDisposable
{
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(3);

    private readonly ShopRunFile _runFile;
    private readonly RunnerProcess _runner;

    private LaunchedShop(ShopRunFile runFile, RunnerProcess runner, ShopEndpoints endpoints, TimeSpan timeToReady)
    {
        _runFile = runFile;
        _runner = runner;
        Endpoints = endpoints;
        TimeToReady = timeToReady;
    }

    public ShopEndpoints Endpoints { get; }

    /// <summary>From starting the runner process to its ready line.</summary>
    public TimeSpan TimeToReady { get; }

    /// <summary>The command that starts the runner on a run file, as the bench runs it.</summary>
    public static IReadOnlyList<string> RunnerArguments(string repo, string runFile) => [ShopBuild.RunnerDll(repo), "-f", runFile, "--no-build"];

    /// <summary>Starts the shop and waits for its ready line.</summary>
    public static async Task<LaunchedShop> StartAsync(string repo, ShopBackend backend, CancellationToken cancellationToken, bool withoutPaymentBreaker = false)
    {
        var runFile = await ShopRunFile.CreateAsync(repo, backend, cancellationToken, withoutPaymentBreaker);
        RunnerProcess? runner = null;
        try
        {
            runner = RunnerProcess.Start(RunnerArguments(repo, runFile.Path), runFile.WorkDirectory);
            var ready = await runner.WaitUntilReadyAsync(ReadyTimeout, cancellationToken);
            var apps = runFile.Apps;
            var endpoints = new ShopEndpoints(ready.Gateway)
            {
                GatewaySidecar = apps[ShopApp.Gateway].SidecarUrl,
                OrderSidecar = apps[ShopApp.Orders].SidecarUrl,
                PaymentSidecar = apps[ShopApp.Payments].SidecarUrl,
                PaymentApp = apps[ShopApp.Payments].AppUrl,
                PaymentAppToken = apps[ShopApp.Payments].Env["APP_API_TOKEN"],
                Cpu = new ShopCpu(runner.Id),
            };
            return new LaunchedShop(runFile, runner, endpoints, ready.After);
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

    public async ValueTask DisposeAsync()
    {
        await _runner.DisposeAsync();
        _runFile.Dispose();
    }
}
