using System.Security.Cryptography;
using System.Text;
using DaprShop.Sidecar.AppChannel;
using DaprShop.Sidecar.Http;
using Microsoft.AspNetCore.Http;

namespace DaprShop.Sidecar.Security;

/// <summary>
/// daprd's API token check on the HTTP API: with DAPR_API_TOKEN set, every request but the
/// health endpoints must carry header <c>dapr-api-token</c> with that value, or it is refused
/// with 401. gRPC calls are left to the gRPC side's checks.
/// </summary>
public sealed class ApiTokenMiddleware(RequestDelegate next, SidecarContext sidecar)
{
    private readonly byte[]? _expected = sidecar.Options.DaprApiToken is { Length: > 0 } token ? Encoding.UTF8.GetBytes(token) : null;

    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // gRPC calls are checked by ApiTokenInterceptor (and proxied ones by GrpcProxy), which answer as daprd's gRPC API does.
        if (_expected is null || IsExempt(context.Request.Path) || Grpc.GrpcRequests.IsGrpc(context.Request) || Matches(_expected, context.Request.Headers[AppChannelClient.ApiTokenHeader].ToString()))
        {
            return next(context);
        }

        return new DaprError("ERR_UNAUTHORIZED", "invalid api token").WriteAsync(context, StatusCodes.Status401Unauthorized);
    }

    /// <summary>Compares a presented token in constant time.</summary>
    public static bool Matches(byte[] expected, string? presented)
    {
        ArgumentNullException.ThrowIfNull(expected);
        return presented is not null && CryptographicOperations.FixedTimeEquals(expected, Encoding.UTF8.GetBytes(presented));
    }

    private static bool IsExempt(PathString path) =>
        path.StartsWithSegments("/v1.0/healthz", StringComparison.OrdinalIgnoreCase);
}
