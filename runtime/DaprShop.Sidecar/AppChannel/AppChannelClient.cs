using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace DaprShop.Sidecar.AppChannel;

/// <summary>
/// The sidecar's connection to its app over HTTP: a pooled client whose requests carry
/// <c>dapr-api-token</c> when APP_API_TOKEN is set, and the wait for the app's port to open,
/// after which daprd reads the app's subscriptions and actor types.
/// </summary>
public sealed class AppChannelClient : IDisposable
{
    /// <summary>The header daprd uses for both API tokens.</summary>
    public const string ApiTokenHeader = "dapr-api-token";

    private readonly SidecarOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public AppChannelClient(SidecarOptions options, ILogger logger)
    {
        _options = options;
        _time = options.Time;
        _logger = logger;
        Http = new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            UseCookies = false,
            AllowAutoRedirect = false,
            UseProxy = false,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        if (options.AppPort is { } port)
        {
            BaseAddress = new Uri($"http://{options.AppHost}:{port}/");
        }
        else
        {
            _ready.TrySetResult();
        }
    }

    /// <summary>The app's base address, or null for an app without a port.</summary>
    public Uri? BaseAddress { get; }

    /// <summary>The client for calls to the app; callers add the token with <see cref="AddToken"/>.</summary>
    public HttpClient Http { get; }

    /// <summary>Completes once the app's port accepts connections.</summary>
    public Task Ready => _ready.Task;

    public bool IsReady => _ready.Task.IsCompletedSuccessfully;

    /// <summary>Adds <c>dapr-api-token</c> (APP_API_TOKEN) to a request for the app, when one is set.</summary>
    public void AddToken(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Headers.Remove(ApiTokenHeader);
        if (!string.IsNullOrEmpty(_options.AppApiToken))
        {
            request.Headers.TryAddWithoutValidation(ApiTokenHeader, _options.AppApiToken);
        }
    }

    /// <summary>Sends a request to the app at a path relative to its base address.</summary>
    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (BaseAddress is null)
        {
            throw new InvalidOperationException($"App '{_options.AppId}' has no app port.");
        }

        if (request.RequestUri is { IsAbsoluteUri: false } relative)
        {
            request.RequestUri = new Uri(BaseAddress, relative);
        }

        AddToken(request);
        return Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    /// <summary>Polls the app's port until it accepts a TCP connection, as daprd does before it reads the app's configuration.</summary>
    public async Task WaitForAppAsync(CancellationToken cancellationToken)
    {
        if (BaseAddress is null || IsReady)
        {
            return;
        }

        var started = _time.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(20);
        var logged = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(BaseAddress.Host, BaseAddress.Port, cancellationToken);
                _logger.LogInformation("App {AppId} is listening on port {AppPort}", _options.AppId, BaseAddress.Port);
                _ready.TrySetResult();
                return;
            }
            catch (SocketException)
            {
                if (_time.GetElapsedTime(started) > _options.AppReadyTimeout)
                {
                    var error = new TimeoutException($"app '{_options.AppId}' did not open port {BaseAddress.Port} within {_options.AppReadyTimeout.TotalSeconds:0}s");
                    _ready.TrySetException(error);
                    throw error;
                }

                if (!logged)
                {
                    _logger.LogInformation("Waiting for app {AppId} on port {AppPort}", _options.AppId, BaseAddress.Port);
                    logged = true;
                }

                await Task.Delay(delay, _time, cancellationToken);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 250));
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    public void Dispose() => Http.Dispose();
}
