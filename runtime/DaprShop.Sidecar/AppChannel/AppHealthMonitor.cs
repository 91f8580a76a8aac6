using Microsoft.Extensions.Logging;

namespace DaprShop.Sidecar.AppChannel;

/// <summary>
/// daprd's app health check settings (<c>--enable-app-health-check</c> and its companions; in a run file
/// <c>enableAppHealthCheck</c>, <c>appHealthCheckPath</c>, <c>appHealthProbeInterval</c> in seconds,
/// <c>appHealthProbeTimeout</c> in milliseconds, <c>appHealthThreshold</c>), with daprd's defaults.
/// </summary>
public sealed record AppHealthCheckOptions
{
    /// <summary>The path an app served over HTTP answers on (daprd <c>--app-health-check-path</c>); an app served over gRPC is asked on <c>AppCallbackHealthCheck</c>.</summary>
    public string Path { get; init; } = "/healthz";

    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Failed probes after which the app counts as unhealthy.</summary>
    public int Threshold { get; init; } = 3;

    /// <summary>The settings' problem, as daprd words it, or null when they are valid.</summary>
    public string? Problem =>
        ProbeInterval <= TimeSpan.Zero ? "probe interval must be larger than 0"
        : ProbeTimeout > ProbeInterval ? "app health checks probe timeouts must be smaller than probe intervals"
        : Threshold < 1 ? "app health threshold must be at least 1"
        : null;
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
/// <c>AppCallbackHealthCheck.HealthCheck</c> answering OK is. The app starts unhealthy. A probe whose result differs
/// from the current status counts: a healthy one makes the app healthy at once, and unhealthy ones are counted until
/// the threshold, when the app becomes unhealthy. As in daprd, a healthy probe while the app is healthy does not clear
/// the count of earlier failures. Each change is reported to the callback, one at a time, before
/// <see cref="IsHealthy"/> shows it (daprd flips the status first and reports the change in the background). Without
/// health checks the app is always healthy.
/// </summary>
public sealed class AppHealthMonitor(SidecarContext sidecar, AppCallbackInvoker appCallback, ILoggerFactory loggerFactory)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<AppHealthMonitor>();
    private readonly AppHealthCheckOptions? _options = sidecar.Options.AppHealthCheck;
    private int _failures = sidecar.Options.AppHealthCheck?.Threshold ?? 0;
    private volatile bool _healthy;

    /// <summary>
    /// Whether the app is healthy; always true without health checks. A change shows here once the building blocks have
    /// acted on it, so that an app found unhealthy has no subscriptions left by the time its invocations are refused.
    /// </summary>
    public bool IsHealthy => _options is null || _healthy;

    /// <summary>The status the probes' results make, before the building blocks have acted on a change.</summary>
    private bool ProbedHealthy => _failures < _options!.Threshold;

    /// <summary>Probes until <paramref name="cancellationToken"/> is cancelled, calling <paramref name="changed"/> on each change.</summary>
    public async Task RunAsync(Func<bool, CancellationToken, Task> changed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changed);
        if (_options is null)
        {
            return;
        }

        _logger.LogInformation("App health probes starting for {AppId}", sidecar.AppId);
        using var timer = new PeriodicTimer(_options.ProbeInterval, sidecar.Time);
        do
        {
            var healthy = await ProbeAsync(_options, cancellationToken);
            if (healthy != ProbedHealthy && SetResult(healthy, _options.Threshold))
            {
                await changed(healthy, cancellationToken);
                _healthy = healthy;
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    /// <summary>Records a probe's result; true when the app's status changed.</summary>
    private bool SetResult(bool healthy, int threshold)
    {
        if (healthy)
        {
            var before = _failures;
        _failures = 0;
        if (before >= threshold)
            {
                _logger.LogInformation("App {AppId} entered healthy status", sidecar.AppId);
                return true;
            }

            return false;
        }

        if (++_failures == threshold)
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

            var app = sidecar.App;
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(app.BaseAddress!.GetLeftPart(UriPartial.Authority) + options.Path));
            using var response = await app.SendAsync(request, linked.Token);
            return (int)response.StatusCode is >= 200 and < 300;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is HttpRequestException or OperationCanceledException or global::Grpc.Core.RpcException)
        {
            _logger.LogDebug("App health probe of {AppId} failed: {Problem}", sidecar.AppId, e.Message);
            return false;
        }
    }
}
