using System.Security.Cryptography;
using System.Text;
using DaprShop.Sidecar.AppChannel;
using DaprShop.Sidecar.Http;
using Microsoft.AspNetCore.Http;

namespace DaprShop.Sidecar.Security;

/// <summary>
/// daprd's API token check on the HTTP API: with DAPR_API_TOKEN set, every request but the
/// health endpoints must carry header <c>dapr-api-token</c> with that value, or it is refused
/// with 401; a gRPC call is refused with gRPC's Unauthenticated, as daprd's gRPC API refuses it.
/// </summary>
public sealed class ApiTokenMiddleware(RequestDelegate next, SidecarContext sidecar)
{
    private readonly byte[]? _expected = sidecar.Options.DaprApiToken is { Length: > 0 } token ? Encoding.UTF8.GetBytes(token) : null;

    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_expected is null || IsExempt(context.Request.Path) || Matches(_expected, context.Request.Headers[AppChannelClient.ApiTokenHeader].ToString()))
        {
            return next(context);
        }

        // A gRPC call gets the answer of daprd's gRPC API, whatever it was headed for.
        return Grpc.GrpcRequests.IsGrpc(context.Request)
            ? Grpc.GrpcRequests.WriteStatusAsync(context, global::Grpc.Core.StatusCode.Unauthenticated, "authentication error: api token mismatch")
            : new DaprError("ERR_UNAUTHORIZED", "invalid api token").WriteAsync(context, StatusCodes.Status401Unauthorized);
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
