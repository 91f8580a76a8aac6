using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace DaprShop.Sidecar.Http;

/// <summary>
/// The JSON body daprd's HTTP API answers errors with: <c>{"errorCode": "ERR_...", "message": "..."}</c>.
/// </summary>
public sealed record DaprError(
    [property: JsonPropertyName("errorCode")] string ErrorCode,
    [property: JsonPropertyName("message")] string Message)
{
    /// <summary>An <see cref="IResult"/> writing this error with the given status code.</summary>
    public IResult ToResult(int statusCode) => Results.Json(this, DaprJson.Options, statusCode: statusCode);

    public Task WriteAsync(HttpContext context, int statusCode)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = statusCode;
        return context.Response.WriteAsJsonAsync(this, DaprJson.Options, context.RequestAborted);
    }
}
