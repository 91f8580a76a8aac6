using System.Diagnostics;
using System.Net;
using System.Text;
using DaprShop.Sidecar.AppChannel;
using DaprShop.Sidecar.Grpc;
using DaprShop.Sidecar.Http;
using DaprShop.Sidecar.Security;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace DaprShop.Sidecar.Invocation;

/// <summary>
/// daprd's gRPC proxying (<c>pkg/messaging/grpc_proxy.go</c>), the caller's side: a gRPC call to the sidecar's gRPC port
/// for any service but Dapr's own, with metadata <c>dapr-callee-app-id</c> or <c>dapr-app-id</c>, goes to that app's own
/// gRPC service through one of its sidecars (<see cref="GrpcAppProxy"/>), unary and streaming alike, frames passed on
/// as they come; <c>grpc-timeout</c> and cancellation travel with the call. The sidecar's API token is checked first;
/// without the app id metadata the call fails as daprd's does.
/// </summary>
public sealed class GrpcProxyMiddleware(RequestDelegate next, SidecarContext sidecar)
{
    public const string CalleeIdMetadata = "dapr-callee-app-id";

    private readonly byte[]? _token = sidecar.Options.DaprApiToken is { Length: > 0 } token ? Encoding.UTF8.GetBytes(token) : null;

    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!GrpcRequests.IsGrpc(context.Request) || context.Request.Path.StartsWithSegments("/" + DaprGrpcService.ServiceName, StringComparison.Ordinal))
        {
            await next(context);
            return;
        }

        var headers = context.Request.Headers;
        if (_token is not null && !ApiTokenMiddleware.Matches(_token, headers[AppChannelClient.ApiTokenHeader].FirstOrDefault()))
        {
            await GrpcRequests.WriteStatusAsync(context, StatusCode.Unauthenticated, "authentication error: api token mismatch");
            return;
        }

        var appId = headers[CalleeIdMetadata].FirstOrDefault() is { Length: > 0 } callee ? callee : headers[InvocationTransformer.AppIdHeader].FirstOrDefault();
        if (string.IsNullOrEmpty(appId))
        {
            await GrpcRequests.WriteStatusAsync(context, StatusCode.Unknown, $"failed to proxy request: required metadata {CalleeIdMetadata} or {InvocationTransformer.AppIdHeader} not found");
            return;
        }

        var toSelf = appId == sidecar.AppId;
        var target = toSelf
            ? sidecar.Cluster.Instances(appId).FirstOrDefault(s => ReferenceEquals(s.Context, sidecar))
            : sidecar.Cluster.TryResolve(appId, out var resolved) ? resolved : null;
        GrpcAppProxy? proxy = null;
        try
        {
            proxy = target?.Services.GetRequiredService<GrpcAppProxy>();
        }
        catch (ObjectDisposedException)
        {
            // The instance is stopping: as if it were gone.
        }

        if (proxy is null)
        {
            await GrpcRequests.WriteStatusAsync(context, StatusCode.Unknown, $"couldn't find service: {appId}");
            return;
        }

        var method = context.Request.Path.Value ?? "/";
        var parent = TraceContext.Parse(headers[TraceContext.TraceParentHeader].FirstOrDefault(), headers[TraceContext.TraceStateHeader].FirstOrDefault());
        var (activity, trace) = TraceContext.StartSpan(method, ActivityKind.Client, parent);
        using (activity)
        {
            activity?.SetTag("rpc.system", "grpc");
            activity?.SetTag("rpc.method", method);
            activity?.SetTag("net.peer.name", appId);
            headers[TraceContext.TraceParentHeader] = trace.TraceParent;
            if (!string.IsNullOrEmpty(trace.TraceState))
            {
                headers[TraceContext.TraceStateHeader] = trace.TraceState;
            }

            InvocationCaller? caller = toSelf ? null : new InvocationCaller(sidecar.AppId, sidecar.Options.Namespace, sidecar.Options.EnableMtls && target!.Context.Options.EnableMtls);
            await proxy.ForwardAsync(context, caller);
        }
    }
}

/// <summary>
/// The callee's side of gRPC proxying: applies this app's access control to the calling app (the operation is the
/// full method name, no verb), names caller and callee in <c>dapr-caller-app-id</c> and <c>dapr-callee-app-id</c>, swaps
/// the caller's <c>dapr-api-token</c> for the app's APP_API_TOKEN, and forwards the call to the app's gRPC port over
/// h2c with YARP, which streams both ways and passes trailers, <c>grpc-timeout</c> and cancellation through.
/// </summary>
public sealed class GrpcAppProxy : IDisposable
{
    private static readonly ForwarderRequestConfig RequestConfig = new()
    {
        // A stream may stay open as long as its caller wants; deadlines belong to the call (grpc-timeout).
        ActivityTimeout = TimeSpan.FromDays(1),
        Version = HttpVersion.Version20,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    private readonly SidecarContext _sidecar;
    private readonly IHttpForwarder _forwarder;
    private readonly AccessControlList? _accessControl;
    private readonly HttpMessageInvoker _invoker;
    private readonly ILogger _logger;

    public GrpcAppProxy(SidecarContext sidecar, IHttpForwarder forwarder, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(sidecar);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _sidecar = sidecar;
        _forwarder = forwarder;
        _accessControl = AccessControlList.From(sidecar.Configuration.AccessControl);
        _logger = loggerFactory.CreateLogger<GrpcAppProxy>();
        _invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = TimeSpan.FromSeconds(5),
        });
    }

    /// <summary>Forwards the gRPC call of <paramref name="context"/> to this sidecar's app; <paramref name="caller"/> is null for the app's own call.</summary>
    public async Task ForwardAsync(HttpContext context, InvocationCaller? caller)
    {
        ArgumentNullException.ThrowIfNull(context);
        var method = context.Request.Path.Value ?? "/";
        if (_sidecar.App.BaseAddress is not { } app)
        {
            await GrpcRequests.WriteStatusAsync(context, StatusCode.Unavailable, $"failed to proxy request: app {_sidecar.AppId} has no app port");
            return;
        }

        if (!_sidecar.Options.AppServesGrpc)
        {
            await GrpcRequests.WriteStatusAsync(context, StatusCode.Unavailable, $"failed to proxy request: app {_sidecar.AppId} is not served over gRPC (its app protocol is {_sidecar.Options.AppProtocol})");
            return;
        }

        if (caller is { } from && _accessControl is not null && !_accessControl.IsAllowedOverGrpc(from.Identity, method, out var denial))
        {
            _logger.LogDebug("Proxied gRPC call {Method} by {CallerAppId} denied: {Reason}", method, from.AppId, denial);
            await GrpcRequests.WriteStatusAsync(context, StatusCode.PermissionDenied, denial);
            return;
        }

        var headers = context.Request.Headers;
        headers.Remove(AppChannelClient.ApiTokenHeader);
        if (!string.IsNullOrEmpty(_sidecar.Options.AppApiToken))
        {
            headers[AppChannelClient.ApiTokenHeader] = _sidecar.Options.AppApiToken;
        }

        if (caller is { } known)
        {
            headers[LocalAppInvoker.CallerAppIdHeader] = known.AppId;
            headers[LocalAppInvoker.CalleeAppIdHeader] = _sidecar.AppId;
        }

        var error = await _forwarder.SendAsync(context, app.GetLeftPart(UriPartial.Authority) + "/", _invoker, RequestConfig, HttpTransformer.Default, context.RequestAborted);
        if (error is ForwarderError.None or ForwarderError.RequestCanceled || context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        var exception = context.GetForwarderErrorFeature()?.Exception;
        _logger.LogDebug(exception, "Proxied gRPC call {Method} to app {AppId} failed: {Error}", method, _sidecar.AppId, error);
        if (!context.Response.HasStarted)
        {
            await GrpcRequests.WriteStatusAsync(context, StatusCode.Unavailable, $"failed to proxy request: {exception?.Message ?? error.ToString()}");
        }
    }

    public void Dispose() => _invoker.Dispose();
}
