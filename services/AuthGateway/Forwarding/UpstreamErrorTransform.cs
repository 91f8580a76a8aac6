using Microsoft.AspNetCore.Mvc;
using Yarp.ReverseProxy.Transforms;

namespace AuthGateway.Forwarding;

/// <summary>
/// A 5xx that is not already problem details comes from the sidecar (daprd's <c>ERR_DIRECT_INVOKE</c> JSON when the
/// app cannot be reached, for instance); the public API answers it as 502 problem details instead.
/// </summary>
public static class UpstreamErrorTransform
{
    public const string ProblemJson = "application/problem+json";

    public static async ValueTask ApplyAsync(ResponseTransformContext context, ForwardedRoute route)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(route);

        if (context.ProxyResponse is not { } upstream
            || (int)upstream.StatusCode < StatusCodes.Status500InternalServerError
            || upstream.Content.Headers.ContentType?.MediaType == ProblemJson)
        {
            return;
        }

        var httpContext = context.HttpContext;
        var logger = httpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(UpstreamErrorTransform));
        var body = await upstream.Content.ReadAsStringAsync(httpContext.RequestAborted);
        logger.LogWarning("Forwarding to {AppId} failed with {StatusCode}: {Body}", route.AppId, (int)upstream.StatusCode, body);

        context.SuppressResponseBody = true;
        httpContext.Response.Headers.ContentLength = null;
        httpContext.Response.Headers.ContentType = default;
        httpContext.Response.StatusCode = StatusCodes.Status502BadGateway;

        await httpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status502BadGateway,
                Title = "Upstream service unavailable",
                Detail = $"Could not reach {route.AppId} through Dapr (the sidecar answered {(int)upstream.StatusCode}).",
            },
        });
    }
}
