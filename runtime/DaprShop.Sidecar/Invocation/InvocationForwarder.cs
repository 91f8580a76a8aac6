using System.Diagnostics;
using System.Net;
using DaprShop.Sidecar.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace DaprShop.Sidecar.Invocation;

/// <summary>
/// The caller's sidecar's half of service invocation: opens the sidecar's span, forwards the
/// caller's request through YARP to <see cref="InvocationHandler"/> (which reaches the target app
/// through its sidecar) and streams the app's answer back. When the sidecars fail before the app
/// answers, the caller gets daprd's error: 500 (403 for an access-control denial)
/// <c>{"errorCode":"ERR_DIRECT_INVOKE","message":"failed to invoke, id: X, err: ..."}</c>.
/// </summary>
public sealed class InvocationForwarder : IDisposable
{
    public const string ErrorCode = "ERR_DIRECT_INVOKE";

    // Timeouts belong to resiliency policies; the forwarder's idle timeout only guards against a
    // connection that is never answered.
    private static readonly ForwarderRequestConfig RequestConfig = new()
    {
        ActivityTimeout = TimeSpan.FromDays(1),
        Version = HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
    };

    private readonly IHttpForwarder _forwarder;
    private readonly SidecarContext _sidecar;
    private readonly HttpMessageInvoker _invoker;
    private readonly ILogger _logger;

    public InvocationForwarder(IHttpForwarder forwarder, SidecarContext sidecar, IInvocationPolicy policy, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _forwarder = forwarder;
        _sidecar = sidecar;
        _invoker = new HttpMessageInvoker(new InvocationHandler(sidecar, policy), disposeHandler: true);
        _logger = loggerFactory.CreateLogger<InvocationForwarder>();
    }

    /// <summary>Invokes <paramref name="method"/> on <paramref name="targetAppId"/> with the request of <paramref name="context"/> and writes the answer to it.</summary>
    public async Task ForwardAsync(HttpContext context, string targetAppId, string method)
    {
        ArgumentNullException.ThrowIfNull(context);
        var parent = TraceContext.Parse(
            context.Request.Headers[TraceContext.TraceParentHeader].ToString(),
            context.Request.Headers[TraceContext.TraceStateHeader].ToString());
        var (activity, trace) = StartCallSpan(targetAppId, method, parent);
        using (activity)
        {
            var toOtherApp = targetAppId != _sidecar.AppId;
            var transformer = new InvocationTransformer(new InvocationTarget(targetAppId, method), trace, toOtherApp);
            var error = await _forwarder.SendAsync(context, "http://127.0.0.1/", _invoker, RequestConfig, transformer, context.RequestAborted);
            if (error == ForwarderError.None)
            {
                activity?.SetTag("http.response.status_code", context.Response.StatusCode);
                return;
            }

            var exception = context.GetForwarderErrorFeature()?.Exception;
            activity?.SetStatus(ActivityStatusCode.Error, exception?.Message ?? error.ToString());
            if (context.Response.HasStarted || error == ForwarderError.RequestCanceled || context.RequestAborted.IsCancellationRequested)
            {
                _logger.LogWarning(exception, "Invocation of {Method} on {TargetAppId} failed after the response started ({Error})", method, targetAppId, error);
                return;
            }

            var (status, reason) = exception switch
            {
                InvocationException e => (e.StatusCode, e.Message),
                { } e => (StatusCodes.Status500InternalServerError, e.Message),
                null => (StatusCodes.Status500InternalServerError, error.ToString()),
            };
            _logger.LogDebug(exception, "Invocation of {Method} on {TargetAppId} failed: {Reason}", method, targetAppId, reason);
            context.Response.Clear();
            await new DaprError(ErrorCode, $"failed to invoke, id: {targetAppId}, err: {reason}").WriteAsync(context, status);
        }
    }

    /// <summary>
    /// Invokes <paramref name="method"/> on <paramref name="targetAppId"/> with a request built here rather than
    /// forwarded (the gRPC <c>InvokeService</c>): the same span, resiliency, name resolution and access control as
    /// <see cref="ForwardAsync"/>, and the same daprd error when the sidecars fail before the app answers.
    /// </summary>
    /// <exception cref="DaprApiException"><c>ERR_DIRECT_INVOKE</c>: no app answered.</exception>
    public async Task<HttpResponseMessage> SendAsync(string targetAppId, string method, HttpRequestMessage request, TraceContext? parent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (activity, trace) = StartCallSpan(targetAppId, method, parent);
        using (activity)
        {
            request.Headers.Remove(TraceContext.TraceParentHeader);
            request.Headers.Remove(TraceContext.TraceStateHeader);
            request.Headers.TryAddWithoutValidation(TraceContext.TraceParentHeader, trace.TraceParent);
            if (!string.IsNullOrEmpty(trace.TraceState))
            {
                request.Headers.TryAddWithoutValidation(TraceContext.TraceStateHeader, trace.TraceState);
            }

            request.Options.Set(InvocationHandler.TargetKey, new InvocationTarget(targetAppId, method));
            try
            {
                var response = await _invoker.SendAsync(request, cancellationToken);
                activity?.SetTag("http.response.status_code", (int)response.StatusCode);
                return response;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                activity?.SetStatus(ActivityStatusCode.Error, e.Message);
                var status = e is InvocationException invocation ? invocation.StatusCode : StatusCodes.Status500InternalServerError;
                throw new DaprApiException(ErrorCode, $"failed to invoke, id: {targetAppId}, err: {e.Message}", status, global::Grpc.Core.StatusCode.Internal, e);
            }
        }
    }

    /// <summary>Whether <paramref name="appId"/> is served over gRPC (<c>appProtocol: grpc</c>), as far as its instances say.</summary>
    public bool ServesGrpc(string appId)
    {
        var target = appId == _sidecar.AppId ? _sidecar.Options : _sidecar.Cluster.TryResolve(appId, out var instance) ? instance.Context.Options : null;
        return target?.AppServesGrpc == true;
    }

    public void Dispose() => _invoker.Dispose();

    /// <summary>The caller's sidecar's span of an invocation, named and tagged as daprd's.</summary>
    private static (Activity? Activity, TraceContext Trace) StartCallSpan(string targetAppId, string method, TraceContext? parent)
    {
        var (activity, trace) = TraceContext.StartSpan($"CallLocal/{targetAppId}/{method}", ActivityKind.Client, parent);
        activity?.SetTag("rpc.system", "dapr");
        activity?.SetTag("rpc.service", "ServiceInvocation");
        activity?.SetTag("rpc.method", method);
        activity?.SetTag("dapr.invoke_method", method);
        activity?.SetTag("net.peer.name", targetAppId);
        return (activity, trace);
    }
}
