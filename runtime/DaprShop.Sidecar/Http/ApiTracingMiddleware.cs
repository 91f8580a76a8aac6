using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace DaprShop.Sidecar.Http;

/// <summary>
/// A server span for each call of the sidecar's API, as daprd's tracing middleware makes one (only while something
/// listens to <see cref="TraceContext.Source"/>): child of the caller's <c>traceparent</c>, named as daprd names it, the
/// request path (<c>/v1.0/state/statestore</c>; over gRPC the method, <c>/dapr.proto.runtime.v1.Dapr/SaveState</c>), or
/// <c>CallActor/{type}/{method}</c> for an actor call, with daprd's attributes (<c>dapr.api</c>, <c>dapr.protocol</c>,
/// <c>dapr.status_code</c> over HTTP, <c>http.request.method</c>, <c>url.full</c>). It is the current activity while the
/// call runs, so that what the call starts (an actor call to the app, the outbox's CloudEvent) joins the trace under it.
/// Service invocation and publishing have spans of their own (<c>CallLocal/...</c>, <c>PublishEvent/...</c>), as in
/// daprd, and health checks none.
/// </summary>
public sealed partial class ApiTracingMiddleware(RequestDelegate next)
{
    private const string GrpcPrefix = "/dapr.proto.runtime.v1.Dapr/";

    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var path = context.Request.Path.Value ?? "/";
        if (!TraceContext.Source.HasListeners() || IsTracedElsewhere(path))
        {
            await next(context);
            return;
        }

        var grpc = path.StartsWith(GrpcPrefix, StringComparison.Ordinal);
        var parent = TraceContext.Parse(context.Request.Headers[TraceContext.TraceParentHeader].ToString(), context.Request.Headers[TraceContext.TraceStateHeader].ToString());
        using var activity = TraceContext.StartSpan(SpanName(path), ActivityKind.Server, parent).Activity;
        if (activity is not null)
        {
            activity.SetTag("dapr.protocol", grpc ? "grpc" : "http");
            activity.SetTag("dapr.api", grpc ? path : $"{context.Request.Method} {path}");
            activity.SetTag("http.request.method", context.Request.Method);
            activity.SetTag("url.full", path + context.Request.QueryString);
        }

        await next(context);
        if (activity is not null && !grpc)
        {
            activity.SetTag("dapr.status_code", context.Response.StatusCode);
            if (context.Response.StatusCode >= 500)
            {
                activity.SetStatus(ActivityStatusCode.Error);
            }
        }
    }

    /// <summary>daprd's name: <c>CallActor/{type}/{method}</c> for an actor call, else the path.</summary>
    public static string SpanName(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var actorCall = ActorMethodPath().Match(path);
        return actorCall.Success ? $"CallActor/{actorCall.Groups["type"].Value}/{actorCall.Groups["method"].Value}" : path;
    }

    private static bool IsTracedElsewhere(string path) =>
        path.Contains("/healthz", StringComparison.Ordinal)
        || path.StartsWith("/v1.0/invoke/", StringComparison.Ordinal)
        || path.StartsWith("/v1.0/publish/", StringComparison.Ordinal)
        || path is GrpcPrefix + "InvokeService" or GrpcPrefix + "PublishEvent";

    [GeneratedRegex("^/v1\\.0/actors/(?<type>[^/]+)/[^/]+/method/(?<method>[^/]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex ActorMethodPath();
}
