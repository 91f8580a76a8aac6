using System.Reflection;
using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;

namespace DaprShop.Sidecar.Grpc;

/// <summary>
/// Tells ASP.NET Core's gRPC host the methods of <see cref="DaprGrpcService"/>: every method the building blocks bound
/// in <see cref="DaprGrpcMethods"/>, and every method of <c>dapr.proto</c> listed in <see cref="DaprGrpcUnimplemented"/>,
/// which answers as daprd's generated server does for a method it does not implement. (The <c>[BindServiceMethod]</c>
/// route does not fit: it needs a generated server base class, which Dapr.Protos does not ship.)
/// </summary>
public sealed class DaprGrpcServiceMethodProvider(DaprGrpcMethods methods) : IServiceMethodProvider<DaprGrpcService>
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<DaprGrpcService> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var method in methods.Bound.Values)
        {
            method.AddTo(context);
        }

        var addUnimplemented = typeof(DaprGrpcServiceMethodProvider).GetMethod(nameof(AddUnimplemented), BindingFlags.NonPublic | BindingFlags.Static)!;
        foreach (var method in DaprGrpcUnimplemented.Methods())
        {
            addUnimplemented.MakeGenericMethod(method.InputType.ClrType, method.OutputType.ClrType).Invoke(null, [context, method]);
        }
    }

    /// <summary>The methods of the Dapr service as <c>dapr.proto</c> declares them (the descriptor Dapr.Protos ships).</summary>
    public static ServiceDescriptor Descriptor { get; } = DaprReflection.Descriptor.Services.Single(s => s.FullName == DaprGrpcService.ServiceName);

    private static void AddUnimplemented<TRequest, TResponse>(ServiceMethodProviderContext<DaprGrpcService> context, MethodDescriptor method)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        var name = method.Name;
        switch ((method.IsClientStreaming, method.IsServerStreaming))
        {
            case (false, false):
                context.AddUnaryMethod(DaprGrpcMethods.Define<TRequest, TResponse>(MethodType.Unary, name), [], (_, _, _) => throw DaprGrpcUnimplemented.Answer(name));
                break;
            case (false, true):
                context.AddServerStreamingMethod(DaprGrpcMethods.Define<TRequest, TResponse>(MethodType.ServerStreaming, name), [], (_, _, _, _) => throw DaprGrpcUnimplemented.Answer(name));
                break;
            case (true, false):
                context.AddClientStreamingMethod(DaprGrpcMethods.Define<TRequest, TResponse>(MethodType.ClientStreaming, name), [], (_, _, _) => throw DaprGrpcUnimplemented.Answer(name));
                break;
            default:
                context.AddDuplexStreamingMethod(DaprGrpcMethods.Define<TRequest, TResponse>(MethodType.DuplexStreaming, name), [], (_, _, _, _) => throw DaprGrpcUnimplemented.Answer(name));
                break;
        }
    }
}
