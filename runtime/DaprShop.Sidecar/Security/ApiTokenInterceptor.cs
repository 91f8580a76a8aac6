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
        Check(context);
        return continuation(request, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context,
        ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        Check(context);
        return continuation(requestStream, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request,
        IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        Check(context);
        return continuation(request, responseStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        Check(context);
        return continuation(requestStream, responseStream, context);
    }

    /// <summary>Whether <paramref name="token"/> is this sidecar's API token (always, when it has none).</summary>
    public bool Accepts(string? token) => _expected is null || ApiTokenMiddleware.Matches(_expected, token);

    /// <summary>daprd's answer to a gRPC call without the right token.</summary>
    public static RpcException Mismatch() => new(new Status(StatusCode.Unauthenticated, "authentication error: api token mismatch"));

    private void Check(ServerCallContext context)
    {
        if (!Accepts(context.RequestHeaders.GetValue(AppChannelClient.ApiTokenHeader)))
        {
            throw Mismatch();
        }
    }
}
