using Dapr.Client.Autogen.Grpc.v1;

namespace DaprShop.Sidecar.Metadata;

/// <summary>
/// A building block's part of the metadata API, registered in the sidecar's DI container: pub/sub
/// adds its <see cref="GetMetadataResponse.Subscriptions"/>, actors set
/// <see cref="GetMetadataResponse.ActorRuntime"/> (its active actors are also reported as the
/// deprecated top-level <c>actors</c> list, as daprd does).
/// The response arrives with the id, runtime version, components, extended attributes and app
/// connection filled in, and the actor runtime <c>DISABLED</c>. Both the gRPC and the HTTP API
/// render the same response.
/// </summary>
public interface IMetadataContributor
{
    void Contribute(GetMetadataResponse metadata);
}
