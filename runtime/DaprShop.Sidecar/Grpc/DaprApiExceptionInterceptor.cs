using DaprShop.Sidecar.Http;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace DaprShop.Sidecar.Grpc;

/// <summary>
/// Turns a <see cref="DaprApiException"/> thrown by any gRPC method into the status code and message
/// daprd answers with, so the building blocks' gRPC front ends throw the same errors as their HTTP ones.
/// </summary>
public sealed class DaprApiExceptionInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request,
        ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        try
        {
            return await continuation(request, context);
        }
        catch (DaprApiException e)
        {
            throw e.ToRpcException();
        }
    }
}
