using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;

namespace DaprShop.Sidecar.Grpc;

/// <summary>
/// The methods of the Dapr runtime service (<c>dapr.proto.runtime.v1.Dapr</c>) that the sidecar answers, as each
/// building block's gRPC front end binds them by name (from <c>BuildingBlocks.MapGrpcApis</c>), handler and all.
/// <see cref="DaprGrpcServiceMethodProvider"/> hands them to ASP.NET Core's gRPC host, together with every method of
/// <c>dapr.proto</c> listed in <see cref="DaprGrpcUnimplemented"/>. Binding a name twice is an error.
/// </summary>
public sealed class DaprGrpcMethods
{
    private readonly Dictionary<string, DaprGrpcMethod> _bound = new(StringComparer.Ordinal);

    /// <summary>The bound methods by name.</summary>
    public IReadOnlyDictionary<string, DaprGrpcMethod> Bound => _bound;

    public DaprGrpcMethods Unary<TRequest, TResponse>(string name, Func<TRequest, ServerCallContext, Task<TResponse>> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(new DaprGrpcMethod(name, MethodType.Unary, typeof(TRequest), typeof(TResponse), context =>
            context.AddUnaryMethod(Define<TRequest, TResponse>(MethodType.Unary, name), [], (_, request, call) => handler(request, call))));
    }

    public DaprGrpcMethods ServerStreaming<TRequest, TResponse>(string name, Func<TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(new DaprGrpcMethod(name, MethodType.ServerStreaming, typeof(TRequest), typeof(TResponse), context =>
            context.AddServerStreamingMethod(Define<TRequest, TResponse>(MethodType.ServerStreaming, name), [], (_, request, responses, call) => handler(request, responses, call))));
    }

    public DaprGrpcMethods ClientStreaming<TRequest, TResponse>(string name, Func<IAsyncStreamReader<TRequest>, ServerCallContext, Task<TResponse>> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(new DaprGrpcMethod(name, MethodType.ClientStreaming, typeof(TRequest), typeof(TResponse), context =>
            context.AddClientStreamingMethod(Define<TRequest, TResponse>(MethodType.ClientStreaming, name), [], (_, requests, call) => handler(requests, call))));
    }

    public DaprGrpcMethods DuplexStreaming<TRequest, TResponse>(string name, Func<IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(new DaprGrpcMethod(name, MethodType.DuplexStreaming, typeof(TRequest), typeof(TResponse), context =>
            context.AddDuplexStreamingMethod(Define<TRequest, TResponse>(MethodType.DuplexStreaming, name), [], (_, requests, responses, call) => handler(requests, responses, call))));
    }

    private DaprGrpcMethods Add(DaprGrpcMethod method)
    {
        if (!_bound.TryAdd(method.Name, method))
        {
            throw new InvalidOperationException($"the gRPC method {method.Name} is bound twice");
        }

        return this;
    }

    /// <summary>The gRPC method <paramref name="name"/> of the Dapr service, its messages (de)serialised with protobuf.</summary>
    internal static Method<TRequest, TResponse> Define<TRequest, TResponse>(MethodType type, string name)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new() =>
        new(type, DaprGrpcService.ServiceName, name, Marshal<TRequest>(), Marshal<TResponse>());

    private static Marshaller<T> Marshal<T>()
        where T : class, IMessage<T>, new()
    {
        var parser = new MessageParser<T>(() => new T());
        return Marshallers.Create(message => message.ToByteArray(), parser.ParseFrom);
    }
}

/// <summary>One bound method: its name, kind, message types, and how it adds itself to the gRPC host.</summary>
public sealed record DaprGrpcMethod(string Name, MethodType Type, Type Request, Type Response, Action<ServiceMethodProviderContext<DaprGrpcService>> AddTo);
