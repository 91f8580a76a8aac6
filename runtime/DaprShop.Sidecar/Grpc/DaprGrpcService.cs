using System.Reflection;
using Google.Protobuf;
using Grpc.Core;

namespace DaprShop.Sidecar.Grpc;

/// <summary>
/// The Dapr runtime gRPC service (<c>dapr.proto.runtime.v1.Dapr</c>) that Dapr.Client calls.
/// The message types come from the official Dapr.Protos package, which ships only the client
/// stub; the server side is bound here instead: every public method shaped
/// <c>Task&lt;TResponse&gt; Name(TRequest, ServerCallContext)</c> on this partial class becomes the
/// unary gRPC method <c>Name</c>. Each building block adds its methods in its own folder
/// (for example <c>State/StateGrpcApi.cs</c>); methods nobody implements answer
/// <c>Unimplemented</c>, as an older daprd would.
/// </summary>
[BindServiceMethod(typeof(DaprGrpcService), nameof(BindService))]
public sealed partial class DaprGrpcService(SidecarContext sidecar)
{
    public const string ServiceName = "dapr.proto.runtime.v1.Dapr";

    private SidecarContext Sidecar { get; } = sidecar;

    /// <summary>Called by ASP.NET Core's gRPC host to learn the methods of the service.</summary>
    public static void BindService(ServiceBinderBase binder, DaprGrpcService? service)
    {
        ArgumentNullException.ThrowIfNull(binder);
        var addUnary = typeof(DaprGrpcService).GetMethod(nameof(AddUnary), BindingFlags.NonPublic | BindingFlags.Static)!;
        foreach (var method in UnaryMethods())
        {
            var request = method.GetParameters()[0].ParameterType;
            var response = method.ReturnType.GetGenericArguments()[0];
            addUnary.MakeGenericMethod(request, response).Invoke(null, [binder, method.Name]);
        }
    }

    /// <summary>The methods that <see cref="BindService"/> exposes.</summary>
    public static IEnumerable<MethodInfo> UnaryMethods() =>
        typeof(DaprGrpcService)
            .GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
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

    private static void AddUnary<TRequest, TResponse>(ServiceBinderBase binder, string name)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        var method = new Method<TRequest, TResponse>(MethodType.Unary, ServiceName, name, Marshal<TRequest>(), Marshal<TResponse>());

        // ASP.NET Core finds the implementation by the method's name on this type; the handler
        // argument is only used by Grpc.Core's server, which is not in play.
        binder.AddMethod(method, (UnaryServerMethod<TRequest, TResponse>?)null);
    }

    private static Marshaller<T> Marshal<T>()
        where T : class, IMessage<T>, new()
    {
        var parser = new MessageParser<T>(() => new T());
        return Marshallers.Create(message => message.ToByteArray(), parser.ParseFrom);
    }
}
