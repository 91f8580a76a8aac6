using System.Reflection;
using Google.Protobuf;
using Grpc.Core;

namespace DaprShop.Sidecar.Grpc;

/// <summary>
/// The Dapr runtime gRPC service (<c>dapr.proto.runtime.v1.Dapr</c>) that Dapr.Client calls.
/// The message types come from the official Dapr.Protos package, which ships only the client
/// stub; the server side is bound here instead: every public method, instance or static, shaped
/// <c>Task&lt;TResponse&gt; Name(TRequest, ServerCallContext)</c> on this partial class becomes the
/// unary gRPC method <c>Name</c> (see <see cref="DaprGrpcServiceMethodProvider"/>). Each building
/// block adds its methods in its own folder (for example <c>State/StateGrpcApi.cs</c>); methods
/// nobody implements answer <c>Unimplemented</c>, as an older daprd would.
/// </summary>
public sealed partial class DaprGrpcService(SidecarContext sidecar)
{
    public const string ServiceName = "dapr.proto.runtime.v1.Dapr";

    private SidecarContext Sidecar { get; } = sidecar;

    /// <summary>The methods bound as unary gRPC methods.</summary>
    public static IEnumerable<MethodInfo> UnaryMethods() =>
        typeof(DaprGrpcService)
            .GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(m =>
            {
                var parameters = m.GetParameters();
                return parameters.Length == 2
                    && typeof(IMessage).IsAssignableFrom(parameters[0].ParameterType)
                    && parameters[1].ParameterType == typeof(ServerCallContext)
                    && m.ReturnType.IsGenericType
                    && m.ReturnType.GetGenericTypeDefinition() == typeof(Task<>)
                    && typeof(IMessage).IsAssignableFrom(m.ReturnType.GetGenericArguments()[0]);
            });
}
