using Dapr.Client.Autogen.Grpc.v1;
using DaprShop.Sidecar.Metadata;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace DaprShop.Sidecar.Grpc;

/// <summary>The metadata API over gRPC: <c>GetMetadata</c> and <c>SetMetadata</c>.</summary>
public sealed partial class DaprGrpcService
{
    public static Task<GetMetadataResponse> GetMetadata(GetMetadataRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Task.FromResult(context.GetHttpContext().RequestServices.GetRequiredService<MetadataService>().Build());
    }

    public static Task<Empty> SetMetadata(SetMetadataRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        context.GetHttpContext().RequestServices.GetRequiredService<MetadataService>().SetExtended(request.Key, request.Value);
        return Task.FromResult(new Empty());
    }
}
