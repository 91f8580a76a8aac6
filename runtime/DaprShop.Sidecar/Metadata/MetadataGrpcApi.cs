using Dapr.Client.Autogen.Grpc.v1;
using DaprShop.Sidecar.Grpc;
using Google.Protobuf.WellKnownTypes;

namespace DaprShop.Sidecar.Metadata;

/// <summary>The metadata API over gRPC: <c>GetMetadata</c> and <c>SetMetadata</c>.</summary>
public static class MetadataGrpcApi
{
    public static DaprGrpcMethods MapMetadataGrpcApi(this DaprGrpcMethods methods, MetadataService metadata)
    {
        ArgumentNullException.ThrowIfNull(methods);
        ArgumentNullException.ThrowIfNull(metadata);
        return methods
            .Unary<GetMetadataRequest, GetMetadataResponse>("GetMetadata", (_, _) => Task.FromResult(metadata.Build()))
            .Unary<SetMetadataRequest, Empty>("SetMetadata", (request, _) =>
            {
                metadata.SetExtended(request.Key, request.Value);
                return Task.FromResult(new Empty());
            });
    }
}
