namespace DaprShop.Sidecar.Grpc;

/// <summary>
/// The Dapr runtime gRPC service (<c>dapr.proto.runtime.v1.Dapr</c>) that the SDKs call. The message types come from
/// the official Dapr.Protos package, which ships only the client stub, so there is no generated server base class:
/// this type only names the service for ASP.NET Core's gRPC host, and its methods are the ones the building blocks
/// bind in <see cref="DaprGrpcMethods"/> (see <see cref="DaprGrpcServiceMethodProvider"/>).
/// </summary>
public sealed class DaprGrpcService
{
    public const string ServiceName = "dapr.proto.runtime.v1.Dapr";
}
