using System.Diagnostics;
using Dapr.Client.Autogen.Grpc.v1;
using DaprShop.Sidecar.Grpc;
using DaprShop.Sidecar.Http;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace DaprShop.Sidecar.PubSub;

/// <summary>The publish API over gRPC: <c>PublishEvent</c>, which Dapr.Client's <c>PublishEventAsync</c> calls.</summary>
public static class PubSubGrpcApi
{
    public static DaprGrpcMethods MapPubSubGrpcApi(this DaprGrpcMethods methods, PubSubPublisher publisher)
    {
        ArgumentNullException.ThrowIfNull(methods);
        return methods.Unary<PublishEventRequest, Empty>(nameof(PublishEvent), (request, context) => PublishEvent(publisher, request, context));
    }

    public static async Task<Empty> PublishEvent(PubSubPublisher publisher, PublishEventRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(publisher);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var parent = TraceContext.Parse(
            context.RequestHeaders.GetValue(TraceContext.TraceParentHeader),
            context.RequestHeaders.GetValue(TraceContext.TraceStateHeader));
        var (activity, trace) = TraceContext.StartSpan($"PublishEvent/{request.PubsubName}/{request.Topic}", ActivityKind.Producer, parent);
        using (activity)
        {
            await publisher.PublishAsync(
                new PublishRequest(request.PubsubName, request.Topic, request.Data.Memory, request.DataContentType, request.Metadata, trace),
                context.CancellationToken);
        }

        return new Empty();
    }
}
