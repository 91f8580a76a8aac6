using System.Diagnostics;
using System.Net;
using System.Text;
using DaprShop.Sidecar.AppChannel;
using DaprShop.Sidecar.Grpc;
using DaprShop.Sidecar.Http;
using DaprShop.Sidecar.Resiliency;
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
public sealed class GrpcProxyMiddleware(RequestDelegate next, SidecarContext sidecar, IResiliencyPolicyProvider policies)
{
    public const string CalleeIdMetadata = "dapr-callee-app-id";

    /// <summary>Metadata a client sets to <c>true</c> on a streaming call, so that resiliency leaves the stream alone (as in daprd).</summary>
    public const string StreamMetadata = "dapr-stream";

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

            // daprd runs a unary call whole under the target app's policy (timeout, retries with the request replayed,
            // breaker); a call marked dapr-stream is a stream, which the policy does not touch after it is set up.
            var policy = toSelf ? ResiliencyPolicy.None : policies.ForApp(appId);
            var stream = string.Equals(headers[StreamMetadata].FirstOrDefault(), "true", StringComparison.OrdinalIgnoreCase);
            if (policy.IsEmpty || stream)
            {
                await proxy.ForwardAsync(context, caller);
                return;
            }

            await CallUnderPolicyAsync(context, proxy, caller, policy);
        }
    }

    private static async Task CallUnderPolicyAsync(HttpContext context, GrpcAppProxy proxy, InvocationCaller? caller, ResiliencyPolicy policy)
    {
        // The request is read whole so that a retry can send it again. A streaming call that is not marked dapr-stream
        // would keep it open: the policy's timeout bounds the wait, as it bounds the call in daprd.
        using var buffer = new MemoryStream();
        using (var reading = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted))
        {
            if (policy.Timeout is { } timeout)
            {
                reading.CancelAfter(timeout);
            }

            try
            {
                await context.Request.Body.CopyToAsync(buffer, reading.Token);
            }
            catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
            {
                await GrpcRequests.WriteStatusAsync(context, StatusCode.DeadlineExceeded, "context deadline exceeded");
                return;
            }
        }

        var body = buffer.ToArray();
        GrpcUnaryAnswer answer;
        try
        {
            answer = await policy.ExecuteAsync(
                ct => proxy.CallUnaryAsync(context, body, caller, ct),
                a => a.Status == StatusCode.OK ? AttemptVerdict.Success : AttemptVerdict.Failure((int)a.Status),
                a => a.Dispose(),
                context.RequestAborted);
        }
        catch (ResiliencyTimeoutException)
        {
            await GrpcRequests.WriteStatusAsync(context, StatusCode.DeadlineExceeded, "context deadline exceeded");
            return;
        }
        catch (CircuitBreakerRejectedException e)
        {
            await GrpcRequests.WriteStatusAsync(context, StatusCode.Unknown, e.Message);
            return;
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            await GrpcRequests.WriteStatusAsync(context, StatusCode.Unavailable, $"failed to proxy request: {e.Message}");
            return;
        }

        using (answer)
        {
            await answer.WriteToAsync(context);
        }
    }
}

/// <summary>
/// A unary call's whole answer, read so that a resiliency policy can judge it (by its <c>grpc-status</c>) and retry:
/// the app's response with its body and trailers, or a status the proxy gives itself.
/// </summary>
public sealed class GrpcUnaryAnswer : IDisposable
{
    private static readonly HashSet<string> NotCopied = new(StringComparer.OrdinalIgnoreCase)
    {
        "content-length", "transfer-encoding", "connection", "keep-alive", "date", "server",
    };

    private readonly HttpResponseMessage? _response;
    private readonly byte[] _body;
    private readonly string? _message;

    private GrpcUnaryAnswer(StatusCode status, HttpResponseMessage? response, byte[] body, string? message)
    {
        Status = status;
        _response = response;
        _body = body;
        _message = message;
    }

    /// <summary>The call's gRPC status (from the trailers, or the headers of a trailers-only answer).</summary>
    public StatusCode Status { get; }

    public static GrpcUnaryAnswer Of(StatusCode status, string message) => new(status, null, [], message);

    public static GrpcUnaryAnswer Of(HttpResponseMessage response, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(response);
        var value = response.TrailingHeaders.TryGetValues("grpc-status", out var trailer) ? trailer.FirstOrDefault()
            : response.Headers.TryGetValues("grpc-status", out var header) ? header.FirstOrDefault()
            : null;
        var status = int.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var code) ? (StatusCode)code : StatusCode.Unknown;
        return new GrpcUnaryAnswer(status, response, body, null);
    }

    /// <summary>Writes the answer to the caller: the app's status line, headers, body and trailers as they came.</summary>
    public async Task WriteToAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_response is null)
        {
            await GrpcRequests.WriteStatusAsync(context, Status, _message ?? string.Empty);
            return;
        }

        var response = context.Response;
        response.StatusCode = (int)_response.StatusCode;
        foreach (var (name, values) in _response.Headers.Concat(_response.Content.Headers))
        {
            if (!NotCopied.Contains(name))
            {
                response.Headers[name] = values.ToArray();
            }
        }

        await response.Body.WriteAsync(_body, context.RequestAborted);
        foreach (var (name, values) in _response.TrailingHeaders)
        {
            foreach (var value in values)
            {
                response.AppendTrailer(name, value);
            }
        }
    }

    public void Dispose() => _response?.Dispose();
}

/// <summary>
/// The callee's side of gRPC proxying: applies this app's access control to the calling app (the operation is the
/// full method name, no verb), names caller and callee in <c>dapr-caller-app-id</c> and <c>dapr-callee-app-id</c>, swaps
/// the caller's <c>dapr-api-token</c> for the app's APP_API_TOKEN, drops <c>dapr-app-id</c> as daprd does, and forwards the call to the app's gRPC port over
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

    private static readonly HashSet<string> UnaryHeadersNotSent = new(StringComparer.OrdinalIgnoreCase)
    {
        "host", "content-length", "connection", "transfer-encoding", "keep-alive", "upgrade",
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
        _accessControl = AccessControlList.From(sidecar.Configuration.AccessControl, sidecar.Options.AppServesGrpc);
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

    /// <summary>Forwards the gRPC call of <paramref name="context"/> to this sidecar's app, streaming; <paramref name="caller"/> is null for the app's own call.</summary>
    public async Task ForwardAsync(HttpContext context, InvocationCaller? caller)
    {
        ArgumentNullException.ThrowIfNull(context);
        var method = context.Request.Path.Value ?? "/";
        if (Refusal(method, caller) is { } refusal)
        {
            await GrpcRequests.WriteStatusAsync(context, refusal.Status, refusal.Message);
            return;
        }

        SetHeaders(context.Request.Headers, caller);
        var error = await _forwarder.SendAsync(context, _sidecar.App.BaseAddress!.GetLeftPart(UriPartial.Authority) + "/", _invoker, RequestConfig, HttpTransformer.Default, context.RequestAborted);
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

    /// <summary>
    /// One attempt of a unary call, its request <paramref name="body"/> read beforehand so that it can be sent again:
    /// the app's whole answer, or the status the proxy gives itself.
    /// </summary>
    public async Task<GrpcUnaryAnswer> CallUnaryAsync(HttpContext context, byte[] body, InvocationCaller? caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var method = context.Request.Path.Value ?? "/";
        if (Refusal(method, caller) is { } refusal)
        {
            return GrpcUnaryAnswer.Of(refusal.Status, refusal.Message);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_sidecar.App.BaseAddress!, method))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        var headers = new HeaderDictionary();
        foreach (var (name, values) in context.Request.Headers)
        {
            headers[name] = values;
        }

        SetHeaders(headers, caller);
        foreach (var (name, values) in headers)
        {
            if (name.StartsWith(':') || UnaryHeadersNotSent.Contains(name))
            {
                continue;
            }

            if (name.Equals("content-type", StringComparison.OrdinalIgnoreCase))
            {
                request.Content.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
            else
            {
                request.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }

        var response = await _invoker.SendAsync(request, cancellationToken);
        try
        {
            var answer = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            return GrpcUnaryAnswer.Of(response, answer);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public void Dispose() => _invoker.Dispose();

    /// <summary>Why the call cannot go to the app (no gRPC app here, or access control), or null.</summary>
    private (StatusCode Status, string Message)? Refusal(string method, InvocationCaller? caller)
    {
        if (_sidecar.App.BaseAddress is null)
        {
            return (StatusCode.Unavailable, $"failed to proxy request: app {_sidecar.AppId} has no app port");
        }

        if (!_sidecar.Options.AppServesGrpc)
        {
            return (StatusCode.Unavailable, $"failed to proxy request: app {_sidecar.AppId} is not served over gRPC (its app protocol is {_sidecar.Options.AppProtocol})");
        }

        // As daprd, the callee applies its policy to every call, the app's own too: a caller it does not know (its own
        // app, or another without mTLS) gets the global default action.
        if (_accessControl is not null && !_accessControl.IsAllowedOverGrpc(caller?.Identity, method, out var denial))
        {
            _logger.LogDebug("Proxied gRPC call {Method} by {CallerAppId} denied: {Reason}", method, caller?.AppId ?? _sidecar.AppId, denial);
            return (StatusCode.PermissionDenied, denial);
        }

        return null;
    }

    /// <summary>The caller's token out, the app's in; the caller and callee named when the call comes from another app.</summary>
    private void SetHeaders(IHeaderDictionary headers, InvocationCaller? caller)
    {
        // daprd takes dapr-app-id off before forwarding (pkg/api/grpc/proxy/handler.go); dapr-callee-app-id names the app instead.
        headers.Remove(InvocationTransformer.AppIdHeader);
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
    }
}
