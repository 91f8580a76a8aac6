using Dapr.Client.Autogen.Grpc.v1;
using DaprShop.Sidecar.Grpc;
using DaprShop.Sidecar.Http;
using Google.Protobuf;
using Grpc.Core;

namespace DaprShop.Sidecar.Bindings;

/// <summary>
/// The output bindings API over gRPC: <c>InvokeBinding</c>. The binding gets the request's data
/// bytes as they are; its response metadata comes back in the response and as
/// <c>metadata.{key}</c> headers, as daprd sends it.
/// </summary>
public static class BindingsGrpcApi
{
    public static DaprGrpcMethods MapBindingsGrpcApi(this DaprGrpcMethods methods, BindingService bindings)
    {
        ArgumentNullException.ThrowIfNull(methods);
        return methods.Unary<InvokeBindingRequest, InvokeBindingResponse>(nameof(InvokeBinding), (request, context) => InvokeBinding(bindings, request, context));
    }

    public static async Task<InvokeBindingResponse> InvokeBinding(BindingService bindings, InvokeBindingRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(bindings);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var result = await bindings.InvokeAsync(
            request.Name,
            new BindingRequest(request.Operation, request.Data.Memory, request.Metadata),
            context.CancellationToken);
        var response = new InvokeBindingResponse();
        if (result is not null)
        {
            response.Data = ByteString.CopyFrom(result.Data.Span);
            response.Metadata.Add(result.Metadata.ToDictionary());
            if (result.Metadata.Count > 0)
            {
                var headers = new global::Grpc.Core.Metadata();
                foreach (var (key, value) in result.Metadata)
                {
                    headers.Add(RequestMetadata.Prefix + key.ToLowerInvariant(), value);
                }

                await context.WriteResponseHeadersAsync(headers);
            }
        }

        return response;
    }
}
