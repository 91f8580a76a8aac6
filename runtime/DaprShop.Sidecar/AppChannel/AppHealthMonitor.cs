using Microsoft.Extensions.Logging;

namespace DaprShop.Sidecar.AppChannel;

/// <summary>
/// daprd's app health check settings (<c>--enable-app-health-check</c> and its companions; in a run file
/// <c>enableAppHealthCheck</c>, <c>appHealthCheckPath</c>, <c>appHealthProbeInterval</c> in seconds,
/// <c>appHealthProbeTimeout</c> in milliseconds, <c>appHealthThreshold</c>), with daprd's defaults.
/// </summary>
public sealed record AppHealthCheckOptions
{
    public static readonly TimeSpan DefaultProbeInterval = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan DefaultProbeTimeout = TimeSpan.FromMilliseconds(500);
    public const int DefaultThreshold = 3;

    /// <summary>The path an app served over HTTP answers on (daprd <c>--app-health-check-path</c>); an app served over gRPC is asked on <c>AppCallbackHealthCheck</c>.</summary>
    public string Path { get; init; } = "/healthz";

    public TimeSpan ProbeInterval { get; init; } = DefaultProbeInterval;

    public TimeSpan ProbeTimeout { get; init; } = DefaultProbeTimeout;

    /// <summary>Failed probes after which the app counts as unhealthy.</summary>
    public int Threshold { get; init; } = DefaultThreshold;

    /// <summary>The settings' problem, as daprd words it, or null when they are valid.</summary>
    public string? Problem => ProbeTimeout > ProbeInterval ? "value for 'health-probe-timeout' must be smaller than 'health-probe-interval'" : null;

    /// <summary>
    /// The settings as daprd takes them (<c>pkg/runtime/config.go</c>): an interval, timeout or threshold that is not
    /// positive is the default, and the path gets its leading slash.
    /// </summary>
    public static AppHealthCheckOptions Create(string? path, TimeSpan interval, TimeSpan timeout, int threshold) => new()
    {
        Path = "/" + (path ?? "healthz").TrimStart('/'),
        ProbeInterval = interval > TimeSpan.Zero ? interval : DefaultProbeInterval,
        ProbeTimeout = timeout > TimeSpan.Zero ? timeout : DefaultProbeTimeout,
        Threshold = threshold >= 1 ? threshold : DefaultThreshold,
    };
}

/// <summary>A building block that reacts when the app's health changes after it first became healthy.</summary>
public interface IAppHealthListener
{
    Task OnAppHealthChangedAsync(bool healthy, CancellationToken cancellationToken);
}

/// <summary>
/// Probes the app's health as daprd does (dapr/dapr <c>pkg/apphealth/health.go</c>, the channels' <c>HealthProbe</c>):
/// a probe at once, then one every <see cref="AppHealthCheckOptions.ProbeInterval"/>, each given
/// <see cref="AppHealthCheckOptions.ProbeTimeout"/>. Over HTTP, <c>GET {path}</c> answering 2xx is healthy; over gRPC,
/// <c>AppCallbackHealthCheck.HealthCheck</c> answering OK is; neither carries the app token, as in daprd. The app starts
/// unhealthy. A probe whose result differs from the current status counts: a healthy one makes the app healthy at once,
/// and unhealthy ones are counted until the threshold, when the app becomes unhealthy. As in daprd, a healthy probe while
/// the app is healthy does not clear the count of earlier failures. The status changes at once
/// (<see cref="IsHealthy"/>); the building blocks are told afterwards, one change at a time, in the background, so a
/// slow reaction never holds up the probes. Without health checks, or without an app port, the app is always healthy.
/// </summary>
public sealed class AppHealthMonitor(SidecarContext sidecar, AppCallbackInvoker appCallback, ILoggerFactory loggerFactory)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<AppHealthMonitor>();
    private readonly AppHealthCheckOptions? _options = sidecar.App.BaseAddress is null ? null : sidecar.Options.AppHealthCheck;
    private int _failures = sidecar.Options.AppHealthCheck?.Threshold ?? 0;

    /// <summary>Whether health checks run at all: they are on and the app has a port.</summary>
    public bool Enabled => _options is not null;

    /// <summary>Whether the app is healthy; always true without health checks.</summary>
    public bool IsHealthy => _options is null || Volatile.Read(ref _failures) < _options.Threshold;

    /// <summary>Probes until <paramref name="cancellationToken"/> is cancelled, calling <paramref name="changed"/> after each change.</summary>
    public async Task RunAsync(Func<bool, CancellationToken, Task> changed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changed);
        if (_options is null)
        {
            return;
        }

        _logger.LogInformation("App health probes starting for {AppId}", sidecar.AppId);
        var changes = System.Threading.Channels.Channel.CreateUnbounded<bool>(new System.Threading.Channels.UnboundedChannelOptions { SingleReader = true });
        var reactions = Task.Run(() => ReactAsync(changes.Reader, changed, cancellationToken), CancellationToken.None);
        try
        {
            using var timer = new PeriodicTimer(_options.ProbeInterval, sidecar.Time);
            do
            {
                var healthy = await ProbeAsync(_options, cancellationToken);
                if (healthy != IsHealthy && SetResult(healthy, _options.Threshold))
                {
                    changes.Writer.TryWrite(healthy);
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        finally
        {
            changes.Writer.TryComplete();
            try
            {
                await reactions;
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }
    }

    private async Task ReactAsync(System.Threading.Channels.ChannelReader<bool> changes, Func<bool, CancellationToken, Task> changed, CancellationToken cancellationToken)
    {
        await foreach (var healthy in changes.ReadAllAsync(cancellationToken))
        {
            try
            {
                await changed(healthy, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // daprd logs a failed reaction and goes on probing.
                _logger.LogWarning(e, "Sidecar for {AppId} could not act on the app becoming {Status}", sidecar.AppId, healthy ? "healthy" : "unhealthy");
            }
        }
    }

    /// <summary>Records a probe's result; true when the app's status changed.</summary>
    private bool SetResult(bool healthy, int threshold)
    {
        if (healthy)
        {
            if (Interlocked.Exchange(ref _failures, 0) >= threshold)
            {
                _logger.LogInformation("App {AppId} entered healthy status", sidecar.AppId);
                return true;
            }

            return false;
        }

        if (Interlocked.Increment(ref _failures) == threshold)
        {
            _logger.LogWarning("App {AppId} entered un-healthy status: app health check failed {Failures} times", sidecar.AppId, threshold);
            return true;
        }

        return false;
    }

    private async Task<bool> ProbeAsync(AppHealthCheckOptions options, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(options.ProbeTimeout, sidecar.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            if (sidecar.Options.AppServesGrpc)
            {
                await appCallback.HealthCheckAsync(linked.Token);
                return true;
            }

            // Straight on the app's HTTP client: daprd's probe carries no app token.
            var app = sidecar.App;
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(app.BaseAddress!.GetLeftPart(UriPartial.Authority) + options.Path));
            using var response = await app.Http.SendAsync(request, linked.Token);
            return (int)response.StatusCode is >= 200 and < 300;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is HttpRequestException or OperationCanceledException or global::Grpc.Core.RpcException)
        {
            _logger.LogDebug("App health probe of {AppId} failed: {Problem}", sidecar.AppId, e.Message);
            return false;
        }
        catch (global::Grpc.Core.RpcException e) when (cancellationToken.IsCancellationRequested && e.StatusCode == global::Grpc.Core.StatusCode.Cancelled)
        {
            // A gRPC probe under way when the sidecar stops ends as a cancelled call: stopping, as for an HTTP probe.
            throw new OperationCanceledException("The sidecar is stopping.", e, cancellationToken);
        }
    }
}
