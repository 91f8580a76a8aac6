using DaprShop.Sidecar.AppChannel;
using DaprShop.Sidecar.Http;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace DaprShop.Sidecar.Invocation;

/// <summary>
/// Shapes the request the forwarder sends for an invocation: the caller's verb, headers (YARP
/// drops the hop-by-hop ones), content type and streamed body are kept; <c>dapr-api-token</c> and
/// <c>dapr-app-id</c> are removed; the path becomes the invoked method with the caller's query
/// string; <c>traceparent</c>/<c>tracestate</c> carry the sidecar's span; a call to another app
/// also carries daprd's <c>X-Forwarded-For</c>, <c>X-Forwarded-Host</c> and <c>Forwarded</c>.
/// The response is copied back as the app sent it.
/// </summary>
internal sealed class InvocationTransformer(InvocationTarget target, TraceContext trace, bool toOtherApp) : HttpTransformer
{
    public const string AppIdHeader = "dapr-app-id";

    /// <summary>The address the sidecars of the local cluster reach each other on.</summary>
    private const string HostAddress = "127.0.0.1";

    public override async ValueTask TransformRequestAsync(
        HttpContext httpContext,
        HttpRequestMessage proxyRequest,
        string destinationPrefix,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(proxyRequest);
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);

        var headers = proxyRequest.Headers;
        headers.Host = null;
        headers.Remove(AppChannelClient.ApiTokenHeader);
        headers.Remove(AppIdHeader);
        headers.Remove(TraceContext.TraceParentHeader);
        headers.Remove(TraceContext.TraceStateHeader);
        headers.TryAddWithoutValidation(TraceContext.TraceParentHeader, trace.TraceParent);
        if (!string.IsNullOrEmpty(trace.TraceState))
        {
            headers.TryAddWithoutValidation(TraceContext.TraceStateHeader, trace.TraceState);
        }

        if (toOtherApp)
        {
            var hostName = Environment.MachineName;
            headers.TryAddWithoutValidation("X-Forwarded-For", HostAddress);
            headers.TryAddWithoutValidation("X-Forwarded-Host", hostName);
            headers.TryAddWithoutValidation("Forwarded", $"for={HostAddress};by={HostAddress};host={hostName}");
        }

        var path = new PathString("/" + target.Method).ToUriComponent();
        proxyRequest.RequestUri = new Uri($"http://{HostAddress}{path}{httpContext.Request.QueryString.ToUriComponent()}");
        proxyRequest.Options.Set(InvocationHandler.TargetKey, target);
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var copy = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);

        // The app's gRPC status travels inside the sidecars only (for the gRPC API); an HTTP caller gets daprd's answer.
        httpContext.Response.Headers.Remove(AppCallbackInvoker.GrpcStatusHeader);
        httpContext.Response.Headers.Remove(AppCallbackInvoker.GrpcMessageHeader);
        return copy;
    }
}
