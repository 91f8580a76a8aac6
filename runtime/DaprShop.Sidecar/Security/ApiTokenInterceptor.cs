using System.Text;
using DaprShop.Sidecar.AppChannel;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace DaprShop.Sidecar.Security;

/// <summary>daprd's API token check on the gRPC API: metadata <c>dapr-api-token</c>, else <c>Unauthenticated</c>.</summary>
public sealed class ApiTokenInterceptor(SidecarContext sidecar) : Interceptor
{
    private readonly byte[]? _expected = sidecar.Options.DaprApiToken is { Length: > 0 } token ? Encoding.UTF8.GetBytes(token) : null;

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request,
        ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        if (_expected is not null && !ApiTokenMiddleware.Matches(_expected, context.RequestHeaders.GetValue(AppChannelClient.ApiTokenHeader)))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "authentication error: api token mismatch"));
        }

        return continuation(request, context);
    }
}
