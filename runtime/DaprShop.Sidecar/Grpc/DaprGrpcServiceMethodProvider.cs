using System.Reflection;
using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;

namespace DaprShop.Sidecar.Grpc;

/// <summary>
/// Tells ASP.NET Core's gRPC host the methods of <see cref="DaprGrpcService"/>: each of
/// <see cref="DaprGrpcService.UnaryMethods"/>, invoked through a delegate bound to the method
/// itself (on the service instance of the call, or statically). (The <c>[BindServiceMethod]</c> route does not fit here: ASP.NET Core looks the
/// implementation up by name and accepts only virtual methods declared on the service's base
/// type, which a generated server base class provides and Dapr.Protos does not ship.)
/// </summary>
public sealed class DaprGrpcServiceMethodProvider : IServiceMethodProvider<DaprGrpcService>
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<DaprGrpcService> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var addUnary = typeof(DaprGrpcServiceMethodProvider).GetMethod(nameof(AddUnary), BindingFlags.NonPublic | BindingFlags.Static)!;
        foreach (var method in DaprGrpcService.UnaryMethods())
        {
            var request = method.GetParameters()[0].ParameterType;
            var response = method.ReturnType.GetGenericArguments()[0];
            addUnary.MakeGenericMethod(request, response).Invoke(null, [context, method]);
        }
    }

    private static void AddUnary<TRequest, TResponse>(ServiceMethodProviderContext<DaprGrpcService> context, MethodInfo implementation)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        var method = new Method<TRequest, TResponse>(MethodType.Unary, DaprGrpcService.ServiceName, implementation.Name, Marshal<TRequest>(), Marshal<TResponse>());
        UnaryServerMethod<DaprGrpcService, TRequest, TResponse> invoker;
        if (implementation.IsStatic)
        {
            var call = implementation.CreateDelegate<Func<TRequest, ServerCallContext, Task<TResponse>>>();
            invoker = (_, request, context) => call(request, context);
        }
        else
        {
            invoker = implementation.CreateDelegate<UnaryServerMethod<DaprGrpcService, TRequest, TResponse>>();
        }

        context.AddUnaryMethod(method, [.. implementation.GetCustomAttributes(inherit: true)], invoker);
    }

    private static Marshaller<T> Marshal<T>()
        where T : class, IMessage<T>, new()
    {
        var parser = new MessageParser<T>(() => new T());
        return Marshallers.Create(message => message.ToByteArray(), parser.ParseFrom);
    }
}
