using DaprShop.Sidecar.AppChannel;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DaprShop.Sidecar.Invocation;

/// <summary>
/// The callee's side of service invocation (daprd's <c>CallLocal</c>): applies this app's access
/// control to the calling app, names caller and callee in <c>dapr-caller-app-id</c> and
/// <c>dapr-callee-app-id</c>, and sends the request to the app with its APP_API_TOKEN. A call from
/// the app to itself goes straight to the app, without access control or those headers, as in
/// daprd's <c>invokeLocal</c>. While app health checks find the app unhealthy, every call fails, as daprd's app channel
/// refuses them.
/// </summary>
public sealed class LocalAppInvoker
{
    public const string CallerAppIdHeader = "dapr-caller-app-id";
    public const string CalleeAppIdHeader = "dapr-callee-app-id";

    private readonly SidecarContext _sidecar;
    private readonly AppCallbackInvoker _appCallback;
    private readonly AppHealthMonitor _health;
    private readonly AccessControlList? _accessControl;
    private readonly ILogger _logger;

    public LocalAppInvoker(SidecarContext sidecar, AppCallbackInvoker appCallback, AppHealthMonitor health, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(health);
        _health = health;
        ArgumentNullException.ThrowIfNull(appCallback);
        _appCallback = appCallback;
        ArgumentNullException.ThrowIfNull(sidecar);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _sidecar = sidecar;
        _accessControl = AccessControlList.From(sidecar.Configuration.AccessControl, sidecar.Options.AppServesGrpc);
        _logger = loggerFactory.CreateLogger<LocalAppInvoker>();
    }

    /// <summary>
    /// Forwards <paramref name="request"/> (its URI's path and query name the app's route) to the
    /// app. <paramref name="caller"/> is null for a call from this sidecar's own app.
    /// </summary>
    public async Task<HttpResponseMessage> CallLocalAsync(
        HttpRequestMessage request,
        string method,
        InvocationCaller? caller,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var app = _sidecar.App;
        if (app.BaseAddress is null)
        {
            throw caller is null
                ? new InvocationException(StatusCodes.Status500InternalServerError, "cannot invoke local endpoint: app channel not initialized")
                : InvocationException.FromCallee("Internal", "app channel is not initialized");
        }

        if (!_health.IsHealthy)
        {
            // daprd's app channel refuses calls while its health checks find the app unhealthy.
            throw InvocationException.FromCallee("Internal", "app is not in a healthy state");
        }

        if (caller is { } from)
        {
            if (_accessControl is not null && !_accessControl.IsAllowed(from.Identity, method, request.Method.Method, out var denial))
            {
                _logger.LogDebug("Invocation of {Method} by {CallerAppId} denied: {Reason}", method, from.AppId, denial);
                throw InvocationException.FromCallee("PermissionDenied", denial, StatusCodes.Status403Forbidden);
            }

            request.Headers.Remove(CallerAppIdHeader);
            request.Headers.Remove(CalleeAppIdHeader);
            request.Headers.TryAddWithoutValidation(CallerAppIdHeader, from.AppId);
            request.Headers.TryAddWithoutValidation(CalleeAppIdHeader, _sidecar.AppId);
        }

        request.RequestUri = new Uri(app.BaseAddress.GetLeftPart(UriPartial.Authority) + (request.RequestUri?.PathAndQuery ?? "/"));
        request.Headers.Host = null;
        try
        {
            // An app served over gRPC is invoked through its AppCallback service, as daprd's gRPC app channel does.
            return _sidecar.Options.AppServesGrpc
                ? await _appCallback.InvokeAsync(request, method, cancellationToken)
                : await app.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            _logger.LogDebug(e, "App {AppId} could not be reached for {Method}", _sidecar.AppId, method);
            // Go's HTTP client names the failed request the same way: Post "http://...": reason.
            var verb = request.Method.Method;
            var reason = $"{char.ToUpperInvariant(verb[0])}{verb[1..].ToLowerInvariant()} \"{request.RequestUri}\": {e.Message}";
            throw caller is null
                ? new InvocationException(StatusCodes.Status500InternalServerError, reason, e)
                : InvocationException.FromCallee("Internal", $"error invoking app channel: {reason}", innerException: e);
        }
    }
}

/// <summary>
/// Another app calling this one: its app id, which daprd passes along in the call's metadata whatever the transport,
/// and whether the sidecars proved it to each other with mTLS (<see cref="SidecarOptions.EnableMtls"/>). Only a proven
/// caller has an <see cref="Identity"/> for access control.
/// </summary>
public readonly record struct InvocationCaller(string AppId, string Namespace, bool Verified)
{
    public CallerIdentity? Identity => Verified ? new CallerIdentity(AppId, Namespace) : null;
}
