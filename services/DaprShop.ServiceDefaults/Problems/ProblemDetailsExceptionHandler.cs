using System.Text.Json;
using Dapr;
using DaprShop.ServiceDefaults.State;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;

namespace DaprShop.ServiceDefaults.Problems;

/// <summary>Turns an exception into problem details that say what went wrong, without internals.</summary>
internal sealed class ProblemDetailsExceptionHandler(IProblemDetailsService problemDetails, ILogger<ProblemDetailsExceptionHandler> logger)
    : IExceptionHandler
{
    public const int ClientClosedRequest = 499;

    /// <summary>What a 503 asks the caller to wait before trying again.</summary>
    public const string RetryAfterSeconds = "1";

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            logger.LogDebug("Request {Method} {Path} was aborted by the client", httpContext.Request.Method, httpContext.Request.Path);
            httpContext.Response.StatusCode = ClientClosedRequest;
            return true;
        }

        var problem = Describe(exception);
        if (problem.Status >= StatusCodes.Status500InternalServerError)
        {
            logger.LogError(exception, "Request {Method} {Path} failed with {StatusCode}", httpContext.Request.Method, httpContext.Request.Path, problem.Status);
        }
        else
        {
            logger.LogInformation("Request {Method} {Path} rejected with {StatusCode}: {Reason}", httpContext.Request.Method, httpContext.Request.Path, problem.Status, exception.Message);
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = RetryAfterSeconds;
        }

        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    internal static ProblemDetails Describe(Exception exception)
    {
        switch (exception)
        {
            case BadHttpRequestException badRequest:
                var problem = new ProblemDetails
                {
                    Status = badRequest.StatusCode,
                    Title = ReasonPhrases.GetReasonPhrase(badRequest.StatusCode),
                    Detail = badRequest.Message,
                };
                if (badRequest.InnerException is JsonException { Path: { } path })
                {
                    problem.Extensions["jsonPath"] = path;
                }

                return problem;

            // The exception's own message names state keys or carries daprd's error (which for an actor call embeds the
            // actor host's whole answer): it is logged, and the caller is told what to do instead.
            case StateConcurrencyException:
                return new ProblemDetails
                {
                    Status = StatusCodes.Status409Conflict,
                    Title = "Concurrent update",
                    Detail = "The same data kept changing under other requests and this one gave up; send it again.",
                };

            case DaprException:
                return new ProblemDetails
                {
                    Status = StatusCodes.Status503ServiceUnavailable,
                    Title = "Dapr sidecar call failed",
                    Detail = "A call through the service's Dapr sidecar failed; send the request again shortly.",
                };

            default:
                return new ProblemDetails
                {
                    Status = StatusCodes.Status500InternalServerError,
                    Title = "An unexpected error occurred",
                };
        }
    }
}
