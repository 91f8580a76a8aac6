using System.Text.Json;
using Dapr.AppCallback.Autogen.Grpc.v1;
using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace DaprShop.Examples.GrpcEcho;

/// <summary>
/// Dapr's <c>AppCallback</c> service, which the sidecar calls when another app invokes this one with service invocation
/// (the HTTP API's <c>/v1.0/invoke/grpc-echo/method/...</c> or the gRPC API's <c>InvokeService</c>): <c>OnInvoke</c>
/// answers what it was given as JSON; method <c>missing</c> answers NOT_FOUND. Subscriptions and bindings are left to
/// the base class (UNIMPLEMENTED), as the app has none.
/// </summary>
public sealed class AppCallbackService : AppCallback.AppCallbackBase
{
    public override Task<InvokeResponse> OnInvoke(InvokeRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        if (request.Method == "missing")
        {
            throw new RpcException(new Status(StatusCode.NotFound, "no method missing here"));
        }

        var seen = new
        {
            method = request.Method,
            verb = request.HttpExtension?.Verb.ToString(),
            query = request.HttpExtension?.Querystring,
            contentType = request.ContentType,
            data = request.Data?.Value.ToStringUtf8(),
            caller = context.RequestHeaders.GetValue("dapr-caller-app-id"),
            token = context.RequestHeaders.GetValue("dapr-api-token"),
        };
        return Task.FromResult(new InvokeResponse
        {
            Data = new Any { Value = ByteString.CopyFrom(JsonSerializer.SerializeToUtf8Bytes(seen)) },
            ContentType = "application/json",
        });
    }
}
