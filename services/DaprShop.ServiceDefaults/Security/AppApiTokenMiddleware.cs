using System.Security.Cryptography;
using System.Text;
using DaprShop.Contracts;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace DaprShop.ServiceDefaults.Security;

/// <summary>
/// daprd's <c>APP_API_TOKEN</c>: the sidecar adds header <c>dapr-api-token</c> to every call it makes to its app,
/// so an app port reached directly, without the sidecar, refuses the call. <c>/healthz</c> stays open.
/// </summary>
internal sealed class AppApiTokenMiddleware(RequestDelegate next, IConfiguration configuration, IProblemDetailsService problemDetails, ILogger<AppApiTokenMiddleware> logger)
{
    public const string TokenVariable = "APP_API_TOKEN";

    private readonly byte[]? expected = configuration[TokenVariable] is { Length: > 0 } token ? Encoding.UTF8.GetBytes(token) : null;

    public async Task InvokeAsync(HttpContext context)
    {
        if (expected is null || Extensions.IsHealthCheck(context.Request.Path) || HasExpectedToken(context.Request))
        {
            await next(context);
            return;
        }

        logger.LogWarning("Refused {Method} {Path}: missing or wrong {Header} header", context.Request.Method, context.Request.Path, DaprHeaders.ApiToken);
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        await problemDetails.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "Missing or invalid app API token",
                Detail = $"This service accepts calls only through its Dapr sidecar, which sends the '{DaprHeaders.ApiToken}' header.",
            },
        });
    }

    private bool HasExpectedToken(HttpRequest request)
    {
        var presented = request.Headers[DaprHeaders.ApiToken].ToString();
        return presented.Length > 0 && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), expected);
    }
}
